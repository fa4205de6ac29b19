"""The link to the template (``.cruft.json``) and pristine renders of the template at a commit."""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.twelve_factor.packages import LOCK_FILES as LOCK_FILES_BY_MANAGER

CRUFT_FILE = ".cruft.json"
# The command the update runs; `--allow-untracked-files` because local tool environments
# (.venv/, .tools/) are untracked but harmless.
CRUFT_UPDATE = ("cruft", "update", "--skip-apply-ask", "--allow-untracked-files")
# Where dependencies are declared: a template change to one of these makes the lock stale. Those
# of them that are team-owned (skipped: pip's requirements*.in) still receive the template's
# dependency changes, merged three-way by `update`, so the team's additions stay.
DEPENDENCY_INPUTS = ("pyproject.toml", "requirements.in", "requirements-dev.in")
LOCK_FILES = tuple(name for names in LOCK_FILES_BY_MANAGER.values() for name in names)
SHORT = 7
File = tuple[bytes, bool]  # content, executable


class DriftError(Exception):
    """An expected failure, reported as one line without a traceback."""


@dataclass
class Link:
    """What ``.cruft.json`` records."""

    template: str
    commit: str
    answers: dict[str, Any]
    skip: list[str]
    directory: str | None = None
    checkout: str | None = None
    context: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, project: Path) -> Link:
        path = project / CRUFT_FILE
        if not path.is_file():
            raise DriftError(
                f"no {CRUFT_FILE} in {project}: the project is not linked to a template "
                "(run `cruft link <template git URL>` first)"
            )
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            context = dict(state["context"]["cookiecutter"])
            commit = str(state["commit"])
        except (ValueError, KeyError, TypeError) as error:
            raise DriftError(f"{CRUFT_FILE} cannot be read: {error}") from None
        return cls(
            template=str(state["template"]),
            commit=commit,
            answers=answers_of(context),
            skip=list(state.get("skip") or []),
            directory=state.get("directory") or None,
            checkout=state.get("checkout") or None,
            context=context,
        )


def answers_of(context: Mapping[str, Any]) -> dict[str, Any]:
    """The answers a person gave: cookiecutter's private and run-time keys start with ``_``."""
    return {name: value for name, value in context.items() if not name.startswith("_")}


def merged_skip(skip: Sequence[str]) -> list[str]:
    """The skip list less the team-owned dependency files, which do take the template's changes."""
    return [entry for entry in skip if entry not in DEPENDENCY_INPUTS]


def skipped(relative: str, skip: Sequence[str]) -> bool:
    """Whether ``relative`` is (inside) a ``skip`` entry; entries with ``*`` are globs."""
    for entry in skip:
        entry = entry.rstrip("/")
        if "*" in entry and fnmatch.fnmatch(relative, entry):
            return True
        if relative == entry or relative.startswith(f"{entry}/"):
            return True
    return False


def git(args: Sequence[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(  # noqa: S603 - fixed git subcommands
        ["git", *args],  # noqa: S607 - git from PATH, like every other tool here
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
    )
    if check and completed.returncode != 0:
        message = (completed.stderr.strip().splitlines() or [""])[-1]
        raise DriftError(f"git {' '.join(args[:2])} failed: {message}")
    return completed


class Template:
    """A clone of the linked template repository, rendered at any of its commits."""

    def __init__(self, link: Link, scratch: Path) -> None:
        self.link = link
        self.scratch = scratch
        self.repository = scratch / "template"
        completed = git(["clone", "--quiet", link.template, str(self.repository)], scratch, False)
        if completed.returncode != 0:
            reason = (completed.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise DriftError(f"cannot clone the template {link.template}: {reason}")

    @property
    def root(self) -> Path:
        """The directory holding cookiecutter.json (``directory`` in .cruft.json)."""
        return self.repository / (self.link.directory or "")

    def latest(self) -> str:
        """The commit an update would move to: the branch cruft follows, else the default one."""
        ref = f"origin/{self.link.checkout}" if self.link.checkout else "HEAD"
        resolved = git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], self.repository)
        return resolved.stdout.strip()

    def definitions(self, commit: str) -> dict[str, Any]:
        """cookiecutter.json as it was at ``commit``."""
        inner = "cookiecutter.json"
        if self.link.directory:
            inner = f"{self.link.directory}/{inner}"
        shown = git(["show", f"{commit}:{inner}"], self.repository)
        loaded: dict[str, Any] = json.loads(shown.stdout)
        return loaded

    def render(self, commit: str, output: Path, answers: Mapping[str, Any] | None = None) -> Path:
        """Render ``commit`` with the recorded answers (or ``answers``) into ``output/<slug>``.

        Plain cookiecutter, as at generation: the hooks shape and link the project exactly as
        then (the clone's origin is the recorded template, so the same ``.cruft.json``), without
        locking (lock files are the team's) and without cruft's ``_commit`` answer, whose
        presence would make the hook believe ``cruft create`` is running.
        """
        git(["checkout", "--quiet", "--detach", commit], self.repository)
        answers = self.link.answers if answers is None else answers
        output.mkdir(parents=True, exist_ok=True)
        before = set(output.iterdir())
        command = [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(output)]
        command += [str(self.root), *(f"{name}={value}" for name, value in answers.items())]
        completed = subprocess.run(  # noqa: S603 - cookiecutter with the recorded answers
            command,
            cwd=self.scratch,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "TWELVE_FACTOR_LOCK": "0"},
        )
        if completed.returncode != 0:
            lines = [line for line in completed.stderr.splitlines() if line.strip()]
            reason = lines[-1] if lines else f"exit status {completed.returncode}"
            raise DriftError(f"rendering the template at {commit[:SHORT]} failed: {reason}")
        made = [path for path in output.iterdir() if path not in before and path.is_dir()]
        slug = str(answers.get("project_slug", ""))
        return output / slug if (output / slug).is_dir() else made[0]


@contextmanager
def scratch_directory() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="drift-") as name:
        yield Path(name)


def tree(root: Path | None, skip: Sequence[str]) -> dict[str, File]:
    """Every file under ``root`` but .git and the skipped paths: content and executable bit."""
    if root is None:
        return {}
    found: dict[str, File] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        inside_git = ".git" in path.relative_to(root).parts
        if path.is_file() and not inside_git and not skipped(relative, skip):
            found[relative] = (path.read_bytes(), os.access(path, os.X_OK))
    return found


def project_files(project: Path, paths: Iterable[str]) -> dict[str, File]:
    """The project's copies of ``paths`` (those it has): never the whole tree, which may hold
    virtual environments and caches."""
    found: dict[str, File] = {}
    for relative in paths:
        path = project / relative
        if path.is_file():
            found[relative] = (path.read_bytes(), os.access(path, os.X_OK))
    return found


@dataclass
class Questions:
    """Questions cookiecutter.json gained and lost between two commits."""

    added: dict[str, Any]
    removed: list[str]

    @classmethod
    def between(cls, answers: Mapping[str, Any], new: Mapping[str, Any]) -> Questions:
        visible = [name for name in new if not name.startswith("_")]
        return cls(
            added={name: new[name] for name in visible if name not in answers},
            removed=[name for name in answers if name not in new],
        )


def change_answer(name: str) -> str:
    """The command that re-renders the project with another answer to ``name``."""
    return f"cruft update --variables-to-update '{json.dumps({name: '<answer>'})}'"


def describe_default(raw: Any) -> str:
    if isinstance(raw, list):
        return f"{raw[0]!r} (the first of {', '.join(map(repr, raw))})" if raw else "''"
    return repr(raw)
