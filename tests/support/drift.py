"""What the drift tests share (tests/drift/): the template as a local git repository, its
commits, projects generated from it with plain cookiecutter, and readers of `make drift`'s output.

The template source is a local git repository: a copy of this checkout's files, committed as A.
Commit B then changes a template-owned file (a line of the Dockerfile), adds a file
(.gitattributes) and adds a variable to cookiecutter.json; other commits change a dependency.
cookiecutter, cruft, git and make run as separate processes, as people run them; only the tests
marked integration reach the package index (to lock).

tests/conftest.py loads this module as a plugin, for its fixtures: a tests/drift/conftest.py
would be imported as ``conftest`` too, and shadow tests/conftest.py for the modules that import
from it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from support.template import CHOICES, DEFAULT_SLUG, TEMPLATE_DIR

SLUG = DEFAULT_SLUG
CRUFT = str(Path(sys.executable).parent / "cruft")
UPDATE = ["update", "--skip-apply-ask", "--allow-untracked-files"]
# Commit B: a new variable, used by a new last line of the Dockerfile.
NEW_VARIABLE = ("maintainer_team", "platform")
TEMPLATE_LINE = 'LABEL org.opencontainers.image.vendor="{{ cookiecutter.maintainer_team }}"\n'
RENDERED_LINE = 'LABEL org.opencontainers.image.vendor="platform"'
# Commit B also adds a file the project does not have yet.
ADDED_FILE = (".gitattributes", "* text=auto eol=lf\n")
MANAGERS = CHOICES["dependency_manager"]
# A template-side dependency change: a tighter bound on a runtime dependency.
DEPENDENCY_CHANGE = ('"httpx>=0.28"', '"httpx>=0.28.1"')
# The team's own edits: team-owned files, a new file, and an addition to the (template-owned)
# Makefile, which cruft must merge rather than overwrite.
MAKEFILE_ADDITION = "\nteam-target: ## The team's own target\n\t@echo team\n"
# A uv stand-in: `uv run [--locked] [--only-group G] CMD...` runs CMD with the test tools, so
# that `make drift` and the workflow's steps run offline, without a lock. It records every call
# in $UV_CALLS and refuses anything else, such as `uv lock`.
UV_STAND_IN = """#!/bin/sh
[ -z "$UV_CALLS" ] || echo "$*" >> "$UV_CALLS"
[ "$1" = run ] || { echo "uv stand-in: unexpected call: uv $*" >&2; exit 2; }
shift
while [ $# -gt 0 ]; do
    case "$1" in
        --locked) shift ;;
        --only-group) shift 2 ;;
        --*) echo "uv stand-in: unexpected option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
exec "$@"
"""

Run = Callable[..., subprocess.CompletedProcess[str]]


class Template:
    """A template checkout in its own git repository."""

    def __init__(self, path: Path, run: Run) -> None:
        self.path = path
        self.run = run

    def commit(self, message: str) -> str:
        self.run(["git", "add", "-A"], self.path)
        self.run(["git", "commit", "-q", "--no-verify", "-m", message], self.path)
        return self.run(["git", "rev-parse", "HEAD"], self.path).stdout.strip()

    def commit_b(self) -> str:
        """Add a variable to cookiecutter.json and a Dockerfile line that uses it."""
        definitions_file = self.path / "cookiecutter.json"
        definitions = json.loads(definitions_file.read_text())
        items = list(definitions.items())
        at = list(definitions).index("__postgres_major")
        items.insert(at, NEW_VARIABLE)
        definitions_file.write_text(json.dumps(dict(items), indent=2) + "\n")
        dockerfile = self.path / "{{cookiecutter.project_slug}}" / "Dockerfile"
        dockerfile.write_text(dockerfile.read_text() + TEMPLATE_LINE)
        name, text = ADDED_FILE
        (self.path / "{{cookiecutter.project_slug}}" / name).write_text(text)
        return self.commit("B: a maintainer_team variable, labelled in the image; .gitattributes")

    def change_a_dependency(self) -> str:
        """Tighten the bound of a runtime dependency, for both dependency managers."""
        dependencies = self.path / "templates" / "dependencies.jinja"
        text = dependencies.read_text()
        assert DEPENDENCY_CHANGE[0] in text, "the dependency list moved: update DEPENDENCY_CHANGE"
        dependencies.write_text(text.replace(*DEPENDENCY_CHANGE))
        return self.commit("C: httpx>=0.28.1")


def commit_generated(made: Path, run: Run) -> Path:
    """Put a freshly generated project under git, as generated."""
    run(["git", "init", "-q", "-b", "main"], made)
    run(["git", "add", "-A"], made)
    run(["git", "commit", "-q", "-m", "Generated from the template"], made)
    return made


def team_edits(project: Path, run: Run) -> dict[str, str]:
    """Edit team-owned files, add one, extend the Makefile, commit; return the edited texts."""
    (project / "README.md").write_text((project / "README.md").read_text() + "\nTeam notes.\n")
    settings = project / SLUG / "settings.py"
    settings.write_text(settings.read_text() + "\n# The team's own comment.\n")
    (project / "tests" / "test_team.py").write_text("def test_team() -> None:\n    pass\n")
    makefile = project / "Makefile"
    makefile.write_text(makefile.read_text() + MAKEFILE_ADDITION)
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-q", "-m", "The team's work"], project)
    edited = ["README.md", f"{SLUG}/settings.py", "tests/test_team.py", "Makefile"]
    return {name: (project / name).read_text() for name in edited}


def tree(root: Path) -> dict[str, tuple[bytes, bool]]:
    """Every file under ``root`` (outside .git): its bytes and whether it is executable."""
    return {
        str(path.relative_to(root)): (path.read_bytes(), os.access(path, os.X_OK))
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def changed_lines(diff: str) -> dict[str, list[str]]:
    """The added and removed lines of a diff, per file."""
    changes: dict[str, list[str]] = {}
    current = ""
    for line in diff.splitlines():
        if line.startswith("diff --git "):
            current = line.split()[-1].split("/", 1)[1]
            changes[current] = []
        elif line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
            changes[current].append(line)
    return changes


def uv_stand_in(directory: Path) -> str:
    """A PATH with the uv stand-in first, then the test environment's tools (cruft)."""
    directory.mkdir(parents=True, exist_ok=True)
    uv = directory / "uv"
    uv.write_text(UV_STAND_IN)
    uv.chmod(0o755)
    return os.pathsep.join([str(directory), str(Path(sys.executable).parent), os.environ["PATH"]])


def sections(output: str) -> dict[str, tuple[str, str]]:
    """`make drift`'s output by part, ``(a)``...: its heading and the text under it."""
    parts = re.split(r"^== (.*)$", output, flags=re.MULTILINE)
    pairs = zip(parts[1::2], parts[2::2], strict=True)
    return {heading.split(" ", 1)[0]: (heading, text.strip("\n")) for heading, text in pairs}


def short(commit: str) -> str:
    return commit[:7]


def add_conflicting_label(project: Path, run: Run) -> str:
    team_line = 'LABEL org.opencontainers.image.vendor="payments"'
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + team_line + "\n")
    run(["git", "commit", "-q", "-am", "Our own label"], project)
    return team_line


# --- fixtures -------------------------------------------------------------------------------


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
