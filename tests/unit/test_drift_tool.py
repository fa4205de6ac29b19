"""The generated project's tools/drift/ package, piece by piece, loaded from the template as it
is (its files have no Jinja in them, so the template's copy is the project's)."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types
from pathlib import Path

import pytest
from support.template import TEMPLATE_DIR

PROJECT_DIR = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
PACKAGE = PROJECT_DIR / "tools" / "drift"


def load(name: str) -> types.ModuleType:
    """``tools.drift.<name>`` as ``python -m tools.drift`` imports it in a project: with the
    project's own ``tools`` package (the checker's conflict detector) on the path, without
    writing bytecode into the template."""
    sys.path.insert(0, str(PROJECT_DIR))
    writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        return importlib.import_module(f"tools.drift.{name}")
    finally:
        sys.path.remove(str(PROJECT_DIR))
        sys.dont_write_bytecode = writes_bytecode


template, report, update = load("template"), load("report"), load("update")
cli = load("__main__")
CONFLICT = "a\n<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> theirs\nb\n"


def test_the_package_renders_as_it_is() -> None:
    for source in PACKAGE.glob("*.py"):
        text = source.read_text()
        assert not any(opener in text for opener in ("{{", "{%", "{#")), source.name


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (CONFLICT, [2]),
        (CONFLICT + CONFLICT, [2, 9]),
        ("<<<<<<<\n=======\n>>>>>>>\n", [1]),  # git's markers without labels
        # Not conflicts: a reStructuredText rule, an unfinished conflict, longer runs.
        ("Title\n=======\n", []),
        ("<<<<<<< ours\nmine\n=======\n", []),
        ("<<<<<<<< x\n=======\n>>>>>>>> y\n", []),
        ("=======\n<<<<<<< ours\n>>>>>>> theirs\n", []),
    ],
)
def test_conflict_markers_are_whole_conflicts(text: str, lines: list[int]) -> None:
    assert update.conflict_marker_lines(text) == lines


def test_files_with_conflict_markers_name_the_first_line(tmp_path: Path) -> None:
    (tmp_path / "ci.yml").write_text(CONFLICT)
    (tmp_path / "clean.txt").write_text("fine\n")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\xff\xfe")

    found = update.files_with_conflict_markers(
        tmp_path, ["ci.yml", "clean.txt", "image.png", "gone.txt"]
    )

    assert found == ["ci.yml:2"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_conflicts_after_an_update_are_unmerged_paths_rej_files_and_markers(
    tmp_path: Path,
) -> None:
    git(tmp_path, "init", "-q")
    for name in ("Makefile", "Dockerfile", "compose.yaml"):
        (tmp_path / name).write_text("line\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "A")
    (tmp_path / "Makefile").write_text(CONFLICT)  # markers a fallback left, not unmerged
    (tmp_path / "Dockerfile.rej").write_text("@@ -1 +1 @@\n-line\n+other\n")
    (tmp_path / "compose.yaml").write_text("line\nmore\n")  # a clean change

    assert update.conflicts(tmp_path) == [
        "`Makefile`: conflict markers from line 2",
        "`Dockerfile.rej`: hunks that did not apply (apply them by hand, then delete it)",
    ]


def test_file_diffs_are_labelled_and_show_additions_deletions_and_modes() -> None:
    labels = ("template@abc1234/", "project/")
    old = {"Makefile": (b"a\nb\n", False), "gone.txt": (b"x\n", False), "run.sh": (b"s\n", False)}
    new = {"Makefile": (b"a\nc\n", False), "new.txt": (b"y\n", False), "run.sh": (b"s\n", True)}

    diff = report.tree_diff(old, new, labels)

    assert diff.splitlines() == [
        "diff --git template@abc1234/Makefile project/Makefile",
        "--- template@abc1234/Makefile",
        "+++ project/Makefile",
        "@@ -1,2 +1,2 @@",
        " a",
        "-b",
        "+c",
        "diff --git template@abc1234/gone.txt project/gone.txt",
        "deleted file mode 100644",
        "--- template@abc1234/gone.txt",
        "+++ /dev/null",
        "@@ -1 +0,0 @@",
        "-x",
        "diff --git template@abc1234/new.txt project/new.txt",
        "new file mode 100644",
        "--- /dev/null",
        "+++ project/new.txt",
        "@@ -0,0 +1 @@",
        "+y",
        "diff --git template@abc1234/run.sh project/run.sh",
        "old mode 100644",
        "new mode 100755",
    ]


def test_binary_files_are_named_not_printed() -> None:
    diff = report.file_diff("logo.png", (b"\0a", False), (b"\0b", False), ("x/", "y/"))
    assert diff.splitlines()[-1] == "Binary files x/logo.png and y/logo.png differ"


F = lambda text: (text.encode(), False)  # noqa: E731 - a file, briefly


@pytest.mark.parametrize(
    ("base", "theirs", "ours", "outcome"),
    [
        (None, F("new\n"), None, "added"),
        (None, F("new\n"), F("new\n"), "already as the template has it"),
        (None, F("new\n"), F("mine\n"), "conflict: you already have a different file here"),
        (F("a\n"), None, F("a\n"), "deleted"),
        (F("a\n"), None, F("b\n"), "conflict: the template deletes it, you changed it"),
        (F("a\n"), F("b\n"), None, "left out: you deleted it"),
        (F("a\n"), F("b\n"), F("a\n"), "updated"),
        (
            F("1\n2\n3\n4\n5\n"),
            F("1\n2\n3\n4\nfive\n"),
            F("one\n2\n3\n4\n5\n"),
            "merged with your changes",
        ),
        (
            F("1\n2\n"),
            F("1\ntwo\n"),
            F("1\nTWO\n"),
            "conflict: your changes and the template's overlap",
        ),
    ],
)
def test_what_an_update_would_do_to_a_file(
    base: tuple[bytes, bool] | None,
    theirs: tuple[bytes, bool] | None,
    ours: tuple[bytes, bool] | None,
    outcome: str,
) -> None:
    assert report.merge_outcome(base, theirs, ours) == outcome


def test_questions_added_and_removed_since_the_linked_commit() -> None:
    answers = {"project_name": "Svc", "old_option": "x"}
    definitions = {"project_name": "P", "team": ["platform", "payments"], "__private": "1"}

    questions = template.Questions.between(answers, definitions)

    assert questions.added == {"team": ["platform", "payments"]}
    assert questions.removed == ["old_option"]


def test_only_the_added_questions_are_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    replies = iter(["", "payments"])
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or next(replies))
    questions = template.Questions({"region": "eu", "team": ["platform", "payments"]}, [])

    assert update.ask_new_questions(questions) == {"region": "eu", "team": "payments"}
    assert asked == [
        "region (new question) [eu]: ",
        "team (new question; one of platform, payments) [platform]: ",
    ]


def test_a_reply_outside_the_choices_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: "sales")
    questions = template.Questions({"team": ["platform", "payments"]}, [])

    with pytest.raises(template.DriftError, match="team='sales' is not one of platform, payments"):
        update.ask_new_questions(questions)


def test_skip_entries_cover_their_contents_and_dependency_files_take_template_changes() -> None:
    skip = [".cruft.json", "svc", "README.md", "requirements.in", "*.lock"]

    assert template.skipped("svc/settings.py", skip) and template.skipped("uv.lock", skip)
    assert not template.skipped("svc_other/x.py", skip)
    assert template.merged_skip(skip) == [".cruft.json", "svc", "README.md", "*.lock"]


def test_only_the_projects_copies_of_the_rendered_paths_are_read(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("all:\n")
    (tmp_path / "run.sh").write_text("#!/bin/sh\n")
    (tmp_path / "run.sh").chmod(0o755)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "big").write_bytes(b"x" * 1000)

    found = template.project_files(tmp_path, ["Makefile", "run.sh", "gone.txt"])

    assert found == {"Makefile": (b"all:\n", False), "run.sh": (b"#!/bin/sh\n", True)}


def test_a_project_without_a_link_gets_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    assert cli.main(["drift"]) == 2

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("tools.drift: no .cruft.json in ") and "cruft link" in line


def test_the_projects_lists_of_lock_and_declaration_files_agree_with_the_hooks() -> None:
    from generation import link
    from generation.checker import packages

    locks = {name for names in packages.LOCK_FILES.values() for name in names}
    assert set(template.LOCK_FILES) == locks
    team_declarations = {
        name for names in link.TEAM_OWNED_BY_MANAGER.values() for name in names if name not in locks
    }
    # Every team-owned declaration takes the template's dependency changes by merge.
    assert team_declarations <= set(template.DEPENDENCY_INPUTS)
    assert "pyproject.toml" in template.DEPENDENCY_INPUTS
