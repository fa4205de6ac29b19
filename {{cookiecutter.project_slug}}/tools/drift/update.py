"""`make template-update`: cruft update, the template's dependency changes merged into the
team's dependency files, conflicts reported (and failed on), the lock refreshed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.drift.template import (
    CRUFT_FILE,
    CRUFT_UPDATE,
    DEPENDENCY_INPUTS,
    LOCK_FILES,
    SHORT,
    DriftError,
    Link,
    Questions,
    Template,
    change_answer,
    git,
    scratch_directory,
    skipped,
)
from tools.twelve_factor.parsers import conflict_marker_lines


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
