"""The checker as a product outside generated projects: installed from the template repository
with pip (the `twelve-factor` command) and run as the pre-commit hook it defines.

Both install this repository into a throwaway environment, which needs the package index (for
setuptools and pre-commit), hence the integration mark.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from generation.checker import twelve_factor
from support.template import DEFAULTS, TEMPLATE_DIR

pytestmark = pytest.mark.integration

Rendered = Callable[[dict[str, Any]], Path]
HOOKS_FILE = TEMPLATE_DIR / ".pre-commit-hooks.yaml"
WAIVER = '\n[tool.twelve-factor.waive]\n"dependencies.lock-missing" = "rendered without locking"\n'


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def template_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template repository as a fresh clone would have it (a git repository, no build
    leftovers in the working tree)."""
    copy = tmp_path_factory.mktemp("template") / "cookiecutter-twelve-factor"
    shutil.copytree(
        TEMPLATE_DIR,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "build", "*.egg-info"),
    )
    for command in (
        ("git", "init", "--quiet"),
        ("git", "add", "--all"),
        ("git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "t"),
    ):
        assert run(*command, cwd=copy).returncode == 0
    return copy


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory, template_copy: Path) -> Path:
    """A throwaway virtual environment with the template repository installed by pip."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    assert run(sys.executable, "-m", "venv", venv).returncode == 0
    installed = run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", template_copy)
    assert installed.returncode == 0, installed.stderr
    return venv


def test_the_console_script_is_declared_and_points_at_the_checker() -> None:
    pyproject = tomllib.loads((TEMPLATE_DIR / "pyproject.toml").read_text())

    assert pyproject["project"]["scripts"] == {"twelve-factor": "twelve_factor.cli:main"}
    assert pyproject["tool"]["setuptools"]["package-dir"] == {
        "twelve_factor": "{{cookiecutter.project_slug}}/tools/twelve_factor"
    }


def test_pip_installs_the_twelve_factor_command(
    environment: Path, rendered: Rendered, tmp_path: Path
) -> None:
    command = environment / "bin" / "twelve-factor"

    listed = run(command, "--list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [item["check"] for item in json.loads(listed.stdout)] == list(
        c.id for c in twelve_factor.checks()
    )

    project = Path(shutil.copytree(rendered(DEFAULTS), tmp_path / "project"))
    failing = run(command, "--strict", project)
    assert failing.returncode == 1, failing.stdout
    assert "[dependencies.lock-missing]" in failing.stdout
    (project / "pyproject.toml").write_text((project / "pyproject.toml").read_text() + WAIVER)
    passing = run(command, "--strict", "--format", "github", project)
    assert passing.returncode == 0, passing.stdout
    assert passing.stdout.splitlines()[-1].endswith("12/12 factors")


def test_the_pre_commit_hook_runs_the_command(
    environment: Path, template_copy: Path, rendered: Rendered, tmp_path: Path
) -> None:
    [hook] = yaml.safe_load(HOOKS_FILE.read_text())
    pyproject = tomllib.loads((TEMPLATE_DIR / "pyproject.toml").read_text())
    assert hook["id"] == "twelve-factor" and hook["language"] == "python"
    assert hook["entry"] in pyproject["project"]["scripts"]
    assert hook["pass_filenames"] is False and hook["always_run"] is True

    installed = run(environment / "bin" / "python", "-m", "pip", "install", "--quiet", "pre-commit")
    assert installed.returncode == 0, installed.stderr
    pre_commit = environment / "bin" / "pre-commit"
    valid = run(pre_commit, "validate-manifest", HOOKS_FILE)
    assert valid.returncode == 0, valid.stdout + valid.stderr

    project = Path(shutil.copytree(rendered(DEFAULTS), tmp_path / "project"))
    (project / "pyproject.toml").write_text((project / "pyproject.toml").read_text() + WAIVER)
    assert run("git", "init", "--quiet", cwd=project).returncode == 0
    assert run("git", "add", "--all", cwd=project).returncode == 0
    tried = run(pre_commit, "try-repo", template_copy, "twelve-factor", "--all-files", cwd=project)
    assert tried.returncode == 0, tried.stdout + tried.stderr
    assert "twelve-factor scorecard" in tried.stdout and "Passed" in tried.stdout
