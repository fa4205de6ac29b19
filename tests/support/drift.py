"""What the drift tests share: the template as a local git repository, its commits, and
readers of `make drift`'s output (tests/drift/)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from support.template import CHOICES, DEFAULT_SLUG

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
