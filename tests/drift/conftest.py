"""Fixtures of the drift tests: a project made with plain cookiecutter follows its template.

The template source is a local git repository: a copy of this checkout's files, committed as A.
Commit B then changes a template-owned file (a line of the Dockerfile), adds a file
(.gitattributes) and adds a variable to cookiecutter.json; other commits change a dependency.
cookiecutter, cruft, git and make run as separate processes, as people run them; only the tests
marked integration reach the package index (to lock).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.drift import SLUG, Run, Template, commit_generated
from support.template import TEMPLATE_DIR


@pytest.fixture(scope="session")
def template_files() -> list[str]:
    """The template as a fresh clone of this checkout would have it (uncommitted work included)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    return [name for name in listed if name and (TEMPLATE_DIR / name).is_file()]


@pytest.fixture(scope="session")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """No lock, a known git identity, and cookiecutter's state kept out of the home directory."""
    home = tmp_path_factory.mktemp("cookiecutter-home")
    config = home / "config.yaml"
    config.write_text(f"cookiecutters_dir: {home / 'templates'}\nreplay_dir: {home / 'replay'}\n")
    return {
        **os.environ,
        "TWELVE_FACTOR_LOCK": "0",
        "COOKIECUTTER_CONFIG": str(config),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Template Tests",
        "GIT_AUTHOR_EMAIL": "tests@example.org",
        "GIT_COMMITTER_NAME": "Template Tests",
        "GIT_COMMITTER_EMAIL": "tests@example.org",
    }


@pytest.fixture(scope="session")
def run(environment: dict[str, str]) -> Run:
    def call(
        command: list[str], cwd: Path, check: bool = True, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            command,
            cwd=cwd,
            env={**environment, **extra_env},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
        if check and completed.returncode != 0:
            raise AssertionError(
                f"{command} exited {completed.returncode}\n{completed.stdout}\n{completed.stderr}"
            )
        return completed

    return call


@pytest.fixture(scope="session")
def template_at_a(
    tmp_path_factory: pytest.TempPathFactory, template_files: list[str], run: Run
) -> Path:
    """This checkout's template files, committed as A in a new repository (once a session)."""
    path = (tmp_path_factory.mktemp("template-a") / "template").resolve()
    for name in template_files:
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(TEMPLATE_DIR / name, path / name)
    run(["git", "init", "-q", "-b", "main"], path)
    Template(path, run).commit("A")
    return path


@pytest.fixture
def template(tmp_path: Path, template_at_a: Path, run: Run) -> Template:
    """A repository of its own whose one commit is A: a clone of the session's, without the
    remote, so that it is what `git init` and a commit of the files make (same commit id)."""
    path = (tmp_path / "template").resolve()
    run(["git", "clone", "-q", str(template_at_a), str(path)], tmp_path)
    run(["git", "remote", "remove", "origin"], path)
    return Template(path, run)


@pytest.fixture
def generate(run: Run) -> Callable[..., Path]:
    """Generate with plain cookiecutter, the way the README says: the template given as `.`."""

    def make(template: Template, output: Path, **answers: str) -> Path:
        command = [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(output)]
        command += [".", *(f"{name}={value}" for name, value in answers.items())]
        run(command, template.path)
        return output / answers.get("project_slug", SLUG)

    return make


@pytest.fixture
def project(tmp_path: Path, template: Template, generate: Callable[..., Path], run: Run) -> Path:
    """A project generated at A and committed as generated, in its own repository."""
    return commit_generated(generate(template, tmp_path / "projects"), run)
