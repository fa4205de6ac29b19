"""`make drift` and `make render-pristine`: (a) your changes, (b) the template's, (c) what an
update would do with each file, told apart."""

from __future__ import annotations

import difflib
import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tools.drift.template import (
    CRUFT_FILE,
    SHORT,
    File,
    Link,
    Questions,
    Template,
    change_answer,
    describe_default,
    merged_skip,
    project_files,
    scratch_directory,
    skipped,
    tree,
)


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
