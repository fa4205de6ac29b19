"""`make template-update` and the workflow that runs it: the team's edits kept, new questions
listed or asked, conflicts committed into a draft pull request, dependencies re-locked."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from generation import link
from support.drift import (
    CRUFT,
    DEPENDENCY_CHANGE,
    MAKEFILE_ADDITION,
    MANAGERS,
    NEW_VARIABLE,
    RENDERED_LINE,
    SLUG,
    Run,
    Template,
    add_conflicting_label,
    commit_generated,
    team_edits,
    tree,
    uv_stand_in,
)
from support.template import DEFAULTS, TEMPLATE_DIR


def test_template_update_keeps_the_teams_edits_and_lists_the_new_question(
    tmp_path: Path, template: Template, project: Path, generate: Callable[..., Path], run: Run
) -> None:
    edited = team_edits(project, run)
    commit_b = template.commit_b()
    calls = tmp_path / "uv-calls"
    # Locking is on: cruft's re-renders must not lock all the same, nor the update (B changes
    # no dependency); the uv stand-in refuses `uv lock`.
    tools = {"PATH": uv_stand_in(tmp_path / "bin"), "UV_CALLS": str(calls)}
    tools["TWELVE_FACTOR_LOCK"] = "1"
    summary = tmp_path / "summary.md"

    update = run(["make", "template-update", f"SUMMARY={summary}"], project, **tools)

    assert "conflict" not in (update.stdout + update.stderr).lower()
    assert not list(project.rglob("*.rej"))
    status = run(["git", "status", "--porcelain"], project).stdout.splitlines()
    assert sorted(line[3:] for line in status) == [".cruft.json", ".gitattributes", "Dockerfile"]
    assert {name: (project / name).read_text() for name in edited} == edited
    # Every template-owned file is now what B renders, but for the team's Makefile addition.
    pristine_b = tree(generate(template, tmp_path / "pristine-b"))
    updated = tree(project)
    for name in link.skip_list(SLUG, DEFAULTS["dependency_manager"]):
        for files in (pristine_b, updated):
            for path in [path for path in files if path == name or path.startswith(f"{name}/")]:
                del files[path]
    makefile = updated.pop("Makefile")[0].decode()
    assert makefile == pristine_b.pop("Makefile")[0].decode() + MAKEFILE_ADDITION
    assert updated == pristine_b

    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == commit_b
    assert state["context"]["cookiecutter"][NEW_VARIABLE[0]] == NEW_VARIABLE[1]
    assert state["skip"] == link.skip_list(SLUG, DEFAULTS["dependency_manager"])
    assert run([CRUFT, "check"], project).returncode == 0
    # The new question, the value it took and how to change it: on screen and in the summary.
    taken = "- New question `maintainer_team` took its default: `platform`. To answer otherwise: "
    taken += """`cruft update --variables-to-update '{"maintainer_team": "<answer>"}'`"""
    assert taken in update.stdout
    assert taken in summary.read_text()
    assert "Re-locked" not in update.stdout
    assert not calls.exists() or not calls.read_text().strip()


def test_template_update_asks_only_the_new_questions(
    tmp_path: Path, template: Template, project: Path, environment: dict[str, str]
) -> None:
    template.commit_b()

    completed = subprocess.run(
        [sys.executable, "-m", "tools.drift", "update", "--ask"],
        cwd=project,
        env=environment,
        input="payments\n",
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    # One prompt, for the one new question, with its default.
    assert completed.stdout.count("(new question") == 1
    assert "maintainer_team (new question) [platform]: " in completed.stdout
    assert "project_name" not in completed.stdout
    state = json.loads((project / ".cruft.json").read_text())
    assert state["context"]["cookiecutter"]["maintainer_team"] == "payments"
    assert (
        'LABEL org.opencontainers.image.vendor="payments"' in (project / "Dockerfile").read_text()
    )
    assert "- New question `maintainer_team` was answered: `payments`." in completed.stdout


def test_template_update_fails_while_a_conflict_remains(
    template: Template, project: Path, run: Run
) -> None:
    team_line = add_conflicting_label(project, run)
    template.commit_b()

    update = run(["make", "template-update"], project, check=False)

    assert update.returncode != 0
    assert "- `Dockerfile`: conflict markers (unmerged in git)" in update.stdout
    assert "The lock was not refreshed: after resolving, run `make lock`" in update.stdout
    text = (project / "Dockerfile").read_text()
    assert "<<<<<<<" in text and team_line in text and RENDERED_LINE in text
    # Committed unresolved (as the draft pull request carries it), it still fails the next run,
    # though the template is now up to date.
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-q", "-m", "Merged the draft as it was"], project)
    again = run(["make", "template-update"], project, check=False)
    assert again.returncode != 0
    assert "**Resolve first**: an earlier update left conflicts." in again.stdout
    assert "- `Dockerfile`: conflict markers from line " in again.stdout


def test_the_workflow_commits_a_conflict_into_a_draft_pull_request(
    tmp_path: Path, template: Template, project: Path, run: Run
) -> None:
    """The update with a conflict, run by the workflow's own steps, as GitHub runs them."""
    workflow = yaml.safe_load((project / ".github/workflows/template-update.yml").read_text())
    steps = {
        step["id"]: step["run"] for step in workflow["jobs"]["update"]["steps"] if "id" in step
    }
    team_line = add_conflicting_label(project, run)
    template.commit_b()
    outputs, runner_temp = tmp_path / "github-output", tmp_path / "runner-temp"
    runner_temp.mkdir()
    github = {
        "PATH": uv_stand_in(tmp_path / "bin"),
        "GITHUB_OUTPUT": str(outputs),
        "RUNNER_TEMP": str(runner_temp),
    }
    bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]

    run([*bash, steps["check"]], project, **github)
    update = run([*bash, steps["update"]], project, **github)

    # cruft passes on git's report of the conflict; make fails, the step carries on.
    assert "Applied patch to 'Dockerfile' with conflicts" in update.stderr
    assert "template-update] Error 1" in update.stderr
    # Both sides are kept and staged for the pull request's commit, nothing half-applied
    # elsewhere, no .rej file.
    text = (project / "Dockerfile").read_text()
    assert "<<<<<<<" in text and ">>>>>>>" in text
    assert team_line in text and RENDERED_LINE in text
    assert run(["git", "status", "--porcelain"], project).stdout.splitlines() == [
        " M .cruft.json",
        "A  .gitattributes",
        "M  Dockerfile",
    ]
    assert not list(project.rglob("*.rej"))
    # The pull request is a draft whose description names the file.
    assert outputs.read_text().splitlines() == ["outdated=true", "conflicts=true"]
    body = (runner_temp / "template-update.md").read_text()
    assert "- `Dockerfile`: conflict markers (unmerged in git)" in body
    assert "**Resolve before merging**" in body


def test_the_workflow_stops_first_without_a_token_that_can_push_workflows(
    rendered: Callable[[dict[str, Any]], Path], tmp_path: Path
) -> None:
    project = rendered(DEFAULTS)
    workflow = yaml.safe_load((project / ".github/workflows/template-update.yml").read_text())
    first = workflow["jobs"]["update"]["steps"][0]
    assert first["env"] == {"TEMPLATE_UPDATE_TOKEN": "${{ secrets.TEMPLATE_UPDATE_TOKEN }}"}
    bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", first["run"]]
    environment = {"PATH": os.environ["PATH"]}

    missing = subprocess.run(bash, env=environment, capture_output=True, text=True, check=False)
    present = subprocess.run(
        bash, env={**environment, "TEMPLATE_UPDATE_TOKEN": "t"}, capture_output=True, check=False
    )

    assert missing.returncode == 1 and present.returncode == 0
    [line] = missing.stdout.splitlines()
    assert line.startswith("::error::TEMPLATE_UPDATE_TOKEN is not set")
    assert "Workflows write" in line and ".github/workflows/" in line
    create = workflow["jobs"]["update"]["steps"][-1]
    assert create["with"]["token"] == "${{ secrets.TEMPLATE_UPDATE_TOKEN }}"


@pytest.mark.integration
@pytest.mark.parametrize("manager", MANAGERS, ids=lambda value: f"dependency_manager={value}")
def test_an_update_that_changes_dependencies_relocks(
    tmp_path: Path, template: Template, generate: Callable[..., Path], run: Run, manager: str
) -> None:
    locking = {"TWELVE_FACTOR_LOCK": "1", "UV_PYTHON_DOWNLOADS": "never"}
    output = tmp_path / "projects"
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(output)]
    run([*command, ".", f"dependency_manager={manager}"], template.path, **locking)
    project = commit_generated(output / SLUG, run)
    # The team declares a dependency of its own where it declares them, and locks.
    if manager == "pip":
        declaration = project / "requirements.in"
        declaration.write_text(declaration.read_text() + "idna>=3\n")
    else:
        declaration = project / "pyproject.toml"
        text = declaration.read_text()
        declaration.write_text(
            text.replace("dependencies = [\n", 'dependencies = [\n    "idna>=3",\n', 1)
        )
    run(["make", "lock"], project, **locking)
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-q", "-m", "Our own dependency"], project)
    template.change_a_dependency()
    summary = tmp_path / "summary.md"

    run(["make", "template-update", f"SUMMARY={summary}"], project, **locking)

    declared = declaration.read_text()
    assert "idna>=3" in declared and DEPENDENCY_CHANGE[1].strip('"') in declared
    # The runtime lock records the new bound (pip's dev lock changes only if a pin moved).
    relocked = summary.read_text().split("Re-locked after the template's dependency changes: ")[1]
    assert ("`uv.lock`" if manager == "uv" else "`requirements.txt`") in relocked.splitlines()[0]
    if manager == "uv":
        run(["uv", "lock", "--check"], project, **locking)
    else:
        run(["make", "lock-check"], project, **locking)
    scorecard = run([sys.executable, "-m", "tools.twelve_factor", "."], project)
    assert "12/12" in scorecard.stdout


def test_template_update_workflow_is_jinja_free_pinned_and_least_privilege(
    rendered: Callable[[dict[str, Any]], Path],
) -> None:
    source = TEMPLATE_DIR / "{{cookiecutter.project_slug}}/.github/workflows/template-update.yml"
    texts = {
        manager: (
            rendered({**DEFAULTS, "dependency_manager": manager})
            / ".github/workflows/template-update.yml"
        ).read_text()
        for manager in MANAGERS
    }
    # One file for every answer, copied as it is: it calls make targets that do the right thing.
    assert set(texts.values()) == {source.read_text()}
    assert "{%" not in source.read_text()
    text = source.read_text()
    workflow = yaml.safe_load(text)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    job = workflow["jobs"]["update"]
    steps = job["steps"]

    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    assert workflow["permissions"] == {}
    # The token secret pushes and opens the pull request; the job's own token only reads.
    assert job["permissions"] == {"contents": "read"}
    assert job["timeout-minutes"] <= 30 and workflow["concurrency"]["group"]
    uses_lines = [line for line in text.splitlines() if "uses:" in line]
    assert uses_lines and all(
        re.search(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d", line) for line in uses_lines
    )
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    assert all("${{" not in step.get("run", "") for step in steps)
    assert "make template-update" in next(s["run"] for s in steps if s.get("id") == "update")
    assert "make template-check" in next(s["run"] for s in steps if s.get("id") == "check")
