"""A project made with plain cookiecutter is linked for cruft, and renders are reproducible."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from generation import link
from support.drift import (
    CRUFT,
    SLUG,
    Run,
    Template,
    team_edits,
    tree,
    uv_stand_in,
)
from support.template import COMBINATIONS, DEFAULTS


def test_plain_cookiecutter_links_the_project_for_cruft(
    template: Template, project: Path, run: Run
) -> None:
    commit_a = run(["git", "rev-parse", "HEAD"], template.path).stdout.strip()
    text = (project / ".cruft.json").read_text()
    state = json.loads(text)

    # `.` became the template's absolute path (it has no remote); nothing else is local.
    assert state["template"] == str(template.path)
    assert state["commit"] == commit_a
    assert (state["checkout"], state["directory"]) == (None, None)
    assert state["skip"] == link.skip_list(SLUG, DEFAULTS["dependency_manager"])
    answers = state["context"]["cookiecutter"]
    assert {"_output_dir", "_repo_dir", "_checkout"}.isdisjoint(answers)
    assert (answers["_template"], answers["_commit"]) == (str(template.path), commit_a)
    assert str(project.parent) not in text
    # cruft's own render of commit A is this very project.
    assert run([CRUFT, "diff", "--exit-code"], project).stdout == ""


def test_rendering_the_same_answers_twice_is_byte_identical(
    tmp_path: Path, template: Template, generate: Callable[..., Path], run: Run
) -> None:
    # The last choice of each variable, as far as they go together.
    answers = {name: str(value) for name, value in COMBINATIONS[-1].items()}
    answers.update(project_name="Ledger Sync", project_slug="ledger_sync")

    first = generate(template, tmp_path / "first", **answers)
    # Again from elsewhere, naming the template by its absolute path instead of `.`.
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir"]
    command += [str(tmp_path / "second"), str(template.path)]
    run(command + [f"{name}={value}" for name, value in answers.items()], tmp_path)
    second = tmp_path / "second" / "ledger_sync"

    assert (first / ".cruft.json").is_file()
    assert tree(first) == tree(second)


def test_cruft_create_gives_the_same_project_and_locks(
    tmp_path: Path, template: Template, project: Path, run: Run
) -> None:
    calls = tmp_path / "uv-calls"
    locking = {"PATH": uv_stand_in(tmp_path / "bin"), "UV_CALLS": str(calls)}
    command = [CRUFT, "create", "--no-input", "--output-dir", "created", str(template.path)]

    created = run(command, tmp_path, TWELVE_FACTOR_LOCK="1", **locking)

    assert "cruft create records no skip list" in created.stdout
    # A first generation: it locks like cookiecutter (the stand-in refuses, so no uv.lock).
    assert calls.read_text().splitlines() == ["lock --quiet"]
    made = tmp_path / "created" / SLUG
    ours, theirs = tree(project), tree(made)
    assert ours.pop(".cruft.json") != theirs.pop(".cruft.json")
    assert ours == theirs
    # cruft's own .cruft.json is the hook's, byte for byte, but for the skip list.
    hook_state = json.loads((project / ".cruft.json").read_text())
    del hook_state["skip"]
    assert (made / ".cruft.json").read_text() == link.dumps(hook_state)


def test_the_pristine_render_is_the_generated_project_byte_for_byte(
    tmp_path: Path, template: Template, project: Path, run: Run
) -> None:
    generated = tree(project)
    team_edits(project, run)
    template.commit_b()  # the linked commit is rendered, not the latest

    rendered = run(["make", "render-pristine", f"DIR={tmp_path / 'pristine'}"], project)

    assert tree(tmp_path / "pristine" / SLUG) == generated
    assert "cruft create" not in rendered.stdout + rendered.stderr
    assert "Rendered template@" in rendered.stdout
    usage = run(["make", "render-pristine"], project, check=False)
    assert usage.returncode != 0
    assert "usage: make render-pristine DIR=" in usage.stderr


def test_cookiecutter_over_the_project_shows_the_difference_in_git_diff(
    template: Template, project: Path, run: Run
) -> None:
    team_edits(project, run)
    answers = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-f"]
    command += ["--output-dir", str(project.parent), str(template.path)]
    command += [f"{name}={value}" for name, value in answers.items() if not name.startswith("_")]

    regenerated = run(command, project.parent)

    assert "template defect" not in regenerated.stdout + regenerated.stderr
    # The template's version of every file the team edited; nothing else moved.
    changed = run(["git", "diff", "--name-only"], project).stdout.split()
    assert sorted(changed) == ["Makefile", "README.md", f"{SLUG}/settings.py"]
    assert run(["git", "status", "--porcelain", "--untracked-files=all"], project).stdout.split(
        "\n"
    )[:-1] == [f" M {name}" for name in sorted(changed)]
