"""Follow the template this project was generated from: compare with it, render it, update from it.

Usage (the Makefile's `drift`, `render-pristine` and `template-update` targets)::

    python -m tools.drift drift
    python -m tools.drift render DIR
    python -m tools.drift update [--summary FILE] [--ask | --no-ask]

``.cruft.json`` links the project to a template repository, a commit of it and the answers it
was rendered with. Everything here starts from a pristine render: the template at a commit,
rendered by cookiecutter from those answers with the hooks it ships, into a scratch directory.
Three questions have three different answers, so ``drift`` prints them apart:

(a) what you changed in template-owned files: the render of the linked commit against the
    project (files you deleted included);
(b) what the template changed since: the render of the linked commit against the render of
    the latest commit (added and deleted files, added and removed questions), your files not
    involved at all;
(c) what an update would do to each file (b) touches: apply cleanly, merge with your edits, or
    conflict.

Team-owned paths (``skip`` in ``.cruft.json``) are left out everywhere: the template never
changes them. Only the standard library is imported; cookiecutter, cruft and git run as
programs, so a small tool environment (cookiecutter and cruft) is all this needs.
"""

from __future__ import annotations

import argparse
import difflib
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
from tools.twelve_factor.parsers import conflict_marker_lines

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


# --- conflict markers -----------------------------------------------------------------------


def files_with_conflict_markers(root: Path, paths: Sequence[str]) -> list[str]:
    """Those of ``paths`` (relative to ``root``) that hold a conflict, each as ``path:line``."""
    found = []
    for relative in paths:
        path = root / relative
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found += [f"{relative}:{line}" for line in conflict_marker_lines(text)[:1]]
    return found


# --- the link -------------------------------------------------------------------------------


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


# --- the template and its renders -----------------------------------------------------------


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


# --- diffs ----------------------------------------------------------------------------------


def _text(content: bytes) -> list[str] | None:
    if b"\0" in content:
        return None
    try:
        return content.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None


def _mode(executable: bool) -> str:
    return "100755" if executable else "100644"


def file_diff(path: str, old: File | None, new: File | None, labels: tuple[str, str]) -> str:
    """One file's change as a git-style unified diff (empty when nothing changed)."""
    if old == new:
        return ""
    a, b = f"{labels[0]}{path}", f"{labels[1]}{path}"
    lines = [f"diff --git {a} {b}"]
    if old is None and new is not None:
        lines.append(f"new file mode {_mode(new[1])}")
    elif new is None and old is not None:
        lines.append(f"deleted file mode {_mode(old[1])}")
    elif old is not None and new is not None and old[1] != new[1]:
        lines += [f"old mode {_mode(old[1])}", f"new mode {_mode(new[1])}"]
    before = b"" if old is None else old[0]
    after = b"" if new is None else new[0]
    if before == after:
        return "\n".join(lines) + "\n"
    old_lines, new_lines = _text(before), _text(after)
    source = "/dev/null" if old is None else a
    target = "/dev/null" if new is None else b
    if old_lines is None or new_lines is None:
        lines.append(f"Binary files {source} and {target} differ")
    else:
        lines += difflib.unified_diff(old_lines, new_lines, source, target, lineterm="")
    return "\n".join(lines) + "\n"


def tree_diff(old: Mapping[str, File], new: Mapping[str, File], labels: tuple[str, str]) -> str:
    return "".join(
        file_diff(path, old.get(path), new.get(path), labels) for path in sorted({*old, *new})
    )


# --- (c) what an update would do ------------------------------------------------------------


def merge_outcome(base: File | None, theirs: File | None, ours: File | None) -> str:
    """What applying the template's change to one file (base -> theirs) does to ours."""
    if base is not None and ours is None:
        return "left out: you deleted it"
    if ours == theirs:
        return "already as the template has it"
    if base is None:
        return "conflict: you already have a different file here" if ours else "added"
    if theirs is None:
        return "deleted" if ours == base else "conflict: the template deletes it, you changed it"
    if ours == base or ours is None:
        return "updated"
    with scratch_directory() as scratch:
        names = []
        for name, content in (("ours", ours[0]), ("base", base[0]), ("theirs", theirs[0])):
            (scratch / name).write_bytes(content)
            names.append(str(scratch / name))
        merged = subprocess.run(  # noqa: S603 - git merge-file on scratch copies
            ["git", "merge-file", "-p", "--quiet", *names],  # noqa: S607
            capture_output=True,
            check=False,
        )
    if merged.returncode == 0:
        return "merged with your changes"
    return "conflict: your changes and the template's overlap"


# --- commands -------------------------------------------------------------------------------


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


def drift(project: Path) -> int:
    """Print (a), (b) and (c); exit 1 when the template has moved past the linked commit."""
    link = Link.read(project)
    with scratch_directory() as scratch:
        template = Template(link, scratch)
        latest = template.latest()
        linked_render = template.render(link.commit, scratch / "linked")
        your_changes(project, linked_render, link)
        old_label, new_label = f"template@{link.commit[:SHORT]}/", f"template@{latest[:SHORT]}/"
        print(f"\n== (b) What the template changed since: {old_label} -> {new_label}")
        if latest == link.commit:
            print(f"Nothing: {link.commit[:SHORT]} is the template's latest commit.")
            return 0
        latest_render = template.render(latest, scratch / "latest")
        questions = Questions.between(link.answers, template.definitions(latest))
        # The team's dependency files take the template's dependency changes (merged in).
        applied = merged_skip(link.skip)
        old, new = tree(linked_render, applied), tree(latest_render, applied)
        template_changes(old, new, (old_label, new_label))
        for line in question_lines(questions, latest_render):
            print(line)
        team_side = team_owned_changes(linked_render, latest_render, applied)
        if team_side:
            print(f"Also changed in team-owned paths (never applied): {', '.join(team_side)}")
        print("\n== (c) What `make template-update` would do: project/ + (b)")
        here = project_files(project, {*old, *new})
        for path in sorted({*old, *new}):
            if old.get(path) != new.get(path):
                outcome = merge_outcome(old.get(path), new.get(path), here.get(path))
                print(f"{path}: {outcome}")
    return 1


def your_changes(project: Path, linked_render: Path, link: Link) -> None:
    """(a): the template-owned files as rendered at the linked commit, against the project."""
    label = f"template@{link.commit[:SHORT]}/"
    old = tree(linked_render, link.skip)
    here = project_files(project, old)
    print(f"== (a) Your changes to template-owned files: {label} -> project/")
    print("(the linked commit rendered from your answers, against this project; the team-owned")
    print(" paths in .cruft.json's skip list are left out)")
    changes = tree_diff(old, here, (label, "project/")).rstrip("\n")
    print(changes or "None: the template-owned files are as rendered.")
    deleted = sorted(set(old) - set(here))
    if deleted:
        print(f"Template files you deleted: {', '.join(deleted)}")


def template_changes(
    old: Mapping[str, File], new: Mapping[str, File], labels: tuple[str, str]
) -> None:
    """(b): two renders from the same answers, so only the template's own changes show."""
    print("(both rendered from your answers: your own changes play no part here)")
    print(tree_diff(old, new, labels).rstrip("\n") or "No file changes.")
    added, removed = sorted(set(new) - set(old)), sorted(set(old) - set(new))
    if added:
        print(f"Files the template added: {', '.join(added)}")
    if removed:
        print(f"Files the template deleted: {', '.join(removed)}")


def team_owned_changes(old_render: Path, new_render: Path, skip: Sequence[str]) -> list[str]:
    """Skipped paths the template changed: worth knowing, never applied."""
    old, new = tree(old_render, []), tree(new_render, [])
    return sorted(
        path
        for path in {*old, *new}
        if skipped(path, skip) and path != CRUFT_FILE and old.get(path) != new.get(path)
    )


def question_lines(questions: Questions, latest_render: Path | None) -> list[str]:
    """Say which answers the template added (with the default each takes) and removed."""
    taken: dict[str, Any] = {}
    if latest_render is not None and (latest_render / CRUFT_FILE).is_file():
        state = json.loads((latest_render / CRUFT_FILE).read_text(encoding="utf-8"))
        taken = state.get("context", {}).get("cookiecutter", {})
    lines = []
    for name, raw in questions.added.items():
        value = taken.get(name, raw if not isinstance(raw, list) else (raw or [""])[0])
        lines.append(
            f"New question {name}: takes {value!r} (default {describe_default(raw)}); to answer "
            f"otherwise, after the update: {change_answer(name)}"
        )
    lines += [f"Removed question {name}: its answer is dropped" for name in questions.removed]
    return lines


def render(project: Path, destination: Path) -> int:
    """Render the linked commit with the recorded answers into ``destination/<slug>``."""
    link = Link.read(project)
    with scratch_directory() as scratch:
        template = Template(link, scratch)
        made = template.render(link.commit, destination.resolve())
    print(
        f"Rendered template@{link.commit[:SHORT]} with the answers in {CRUFT_FILE} into {made} "
        "(lock files are not rendered: they are the team's)."
    )
    return 0


def ask_new_questions(questions: Questions) -> dict[str, Any]:
    """Ask only the questions the template added; an empty reply keeps the default."""
    chosen: dict[str, Any] = {}
    for name, raw in questions.added.items():
        if isinstance(raw, list):
            options = [str(option) for option in raw]
            reply = input(f"{name} (new question; one of {', '.join(options)}) [{options[0]}]: ")
            if reply.strip() and reply.strip() not in options:
                raise DriftError(f"{name}={reply.strip()!r} is not one of {', '.join(options)}")
            chosen[name] = reply.strip() or options[0]
        elif isinstance(raw, str) and "{" not in raw:
            chosen[name] = input(f"{name} (new question) [{raw}]: ").strip() or raw
    return chosen


def git_paths(project: Path, *args: str) -> list[str]:
    return [line for line in git(list(args), project).stdout.splitlines() if line]


def conflicts(project: Path, everywhere: bool = False) -> list[str]:
    """Files left to resolve: unmerged paths, .rej files, and conflict markers in the files
    changed since the last commit (``everywhere``: in every file git knows of)."""
    unmerged = git_paths(project, "diff", "--name-only", "--diff-filter=U")
    rejected = git_paths(project, "ls-files", "--others", "--exclude-standard", "--", "*.rej")
    if everywhere:
        changed = git_paths(project, "ls-files", "--cached", "--others", "--exclude-standard")
    else:
        changed = git_paths(project, "diff", "--name-only", "HEAD")
        changed += git_paths(project, "ls-files", "--others", "--exclude-standard")
    marked = files_with_conflict_markers(project, sorted(set(changed)))
    found = [f"`{path}`: conflict markers (unmerged in git)" for path in unmerged]
    for entry in marked:
        path, line = entry.rsplit(":", 1)
        if path not in unmerged:
            found.append(f"`{path}`: conflict markers from line {line}")
    found += [
        f"`{path}`: hunks that did not apply (apply them by hand, then delete it)"
        for path in rejected
    ]
    return found


def merge_dependency_files(project: Path, old: Path, new: Path, link: Link) -> list[str]:
    """Merge the template's changes to team-owned dependency files into them; return conflicts."""
    conflicted = []
    for name in DEPENDENCY_INPUTS:
        base, theirs, ours = old / name, new / name, project / name
        if not skipped(name, link.skip) or not ours.is_file() or not theirs.is_file():
            continue
        if base.is_file() and base.read_bytes() == theirs.read_bytes():
            continue
        if not base.is_file():
            base = old / f"{name}.absent"
            base.write_text("")
        labels = ["project", f"template@{link.commit[:SHORT]}", "template (latest)"]
        command = ["git", "merge-file", *(f"-L{label}" for label in labels)]
        merged = subprocess.run(  # noqa: S603 - git merge-file on the project's own file
            [*command, str(ours), str(base), str(theirs)],
            capture_output=True,
            text=True,
            check=False,
        )
        if merged.returncode != 0:
            conflicted.append(name)
    return conflicted


@dataclass
class Applied:
    """What ``cruft update`` did: the link before and after, and the questions it met."""

    before: Link
    after: Link
    questions: Questions
    chosen: dict[str, Any]

    def report(self) -> list[str]:
        before, after = self.before, self.after
        lines = [
            f"The template moved from `{before.commit[:12]}` to `{after.commit[:12]}` "
            f"({before.template}).",
            "This is `cruft update` applied to the files the template owns; the paths under "
            f"`skip` in `{CRUFT_FILE}` are untouched, but for the template's dependency changes, "
            "merged into the team's dependency files.",
        ]
        for name in self.questions.added:
            how = "was answered" if name in self.chosen else "took its default"
            lines.append(
                f"- New question `{name}` {how}: `{after.context.get(name)}`. "
                f"To answer otherwise: `{change_answer(name)}`"
            )
        lines += [
            f"- Removed question `{name}`: its answer is dropped."
            for name in self.questions.removed
        ]
        return lines


def apply_update(
    project: Path, link: Link, template: Template, scratch: Path, ask: bool
) -> Applied:
    """Run ``cruft update`` (with the new questions' answers), then merge the template's
    dependency changes into the team-owned dependency files, which cruft left alone."""
    questions = Questions.between(link.answers, template.definitions(template.latest()))
    chosen = ask_new_questions(questions) if ask and questions.added else {}
    command = [sys.executable, "-m", *CRUFT_UPDATE]
    if chosen:
        command += ["--variables-to-update", json.dumps(chosen)]
    completed = subprocess.run(command, cwd=project, check=False)  # noqa: S603 - cruft update
    after = Link.read(project)
    if completed.returncode != 0 or after.commit == link.commit:
        raise DriftError("cruft update did not update the project (see its message above)")
    # Both rendered with the answers each side records, new questions included.
    linked_render = template.render(link.commit, scratch / "linked")
    latest_render = template.render(after.commit, scratch / "latest", after.answers)
    merge_dependency_files(project, linked_render, latest_render, link)
    return Applied(link, after, questions, chosen)


def relock(project: Path) -> str | None:
    """``make lock`` when the update changed a dependency declaration: what it re-locked, or
    None when nothing needed it. Raises DriftError when locking fails."""
    changed = git_paths(project, "diff", "--name-only", "HEAD")
    changed += git_paths(project, "ls-files", "--others", "--exclude-standard")
    if not any(path in DEPENDENCY_INPUTS for path in changed):
        return None
    lock = [os.environ.get("MAKE", "make"), "--no-print-directory", "lock"]
    if subprocess.run(lock, cwd=project, check=False).returncode != 0:  # noqa: S603 - make lock
        raise DriftError("re-locking failed (`make lock`, output above): run it again, then commit")
    status = git_paths(project, "status", "--porcelain", "--", *LOCK_FILES)
    relocked = ", ".join(f"`{line[3:]}`" for line in status)
    return f"Re-locked after the template's dependency changes: {relocked or 'nothing moved'}."


def update(project: Path, summary: Path | None, ask: bool) -> int:
    """cruft update, then fail on conflicts, else re-lock what the update made stale."""
    link = Link.read(project)
    # A conflict of an earlier update, unresolved (or committed as it was): resolve it first.
    left = conflicts(project, everywhere=True)
    if left:
        report = ["**Resolve first**: an earlier update left conflicts.", *(f"- {e}" for e in left)]
        finish(report, summary, conflicted=True)
        return 1
    with scratch_directory() as scratch:
        template = Template(link, scratch)
        if template.latest() == link.commit:
            finish(
                [f"Up to date: `{link.commit[:12]}` is the template's latest commit."],
                summary,
                False,
            )
            return 0
        report = apply_update(project, link, template, scratch, ask).report()
    problems = conflicts(project)
    if problems:
        report += [
            "",
            "**Resolve before merging**: the template's changes conflict with the project's edits.",
            *(f"- {entry}" for entry in problems),
            "The lock was not refreshed: after resolving, run `make lock` and commit.",
        ]
        finish(report, summary, conflicted=True)
        return 1
    try:
        relocked = relock(project)
    except DriftError as error:
        finish([*report, f"{error}."], summary, conflicted=False)
        return 1
    finish([*report, *([relocked] if relocked else [])], summary, conflicted=False)
    return 0


def finish(report: list[str], summary: Path | None, conflicted: bool) -> None:
    """Print the report; write it for a pull request body, and the outcome for GitHub Actions."""
    print("\n".join(report))
    if summary is not None:
        summary.write_text("\n".join(report) + "\n", encoding="utf-8")
    outputs = os.environ.get("GITHUB_OUTPUT")
    if outputs:
        with open(outputs, "a", encoding="utf-8") as handle:
            handle.write(f"conflicts={'true' if conflicted else 'false'}\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.drift", description="The template.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("drift", help="print (a) your changes, (b) the template's, (c) the merge")
    rendering = commands.add_parser("render", help="render the linked commit into DIR/<slug>")
    rendering.add_argument("directory", type=Path)
    updating = commands.add_parser("update", help="cruft update, conflicts fail, re-lock")
    updating.add_argument("--summary", type=Path, help="also write the report here (Markdown)")
    updating.add_argument(
        "--ask",
        action=argparse.BooleanOptionalAction,
        default=sys.stdin.isatty(),
        help="ask the questions the template added (default: when run in a terminal)",
    )
    arguments = parser.parse_args(argv)
    project = Path.cwd()
    try:
        if arguments.command == "drift":
            return drift(project)
        if arguments.command == "render":
            return render(project, arguments.directory)
        return update(project, arguments.summary, arguments.ask)
    except DriftError as error:
        print(f"tools.drift: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
