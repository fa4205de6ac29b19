"""`make drift` tells the team's changes, the template's and an update's outcome apart."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support.drift import (
    ADDED_FILE,
    MAKEFILE_ADDITION,
    MANAGERS,
    RENDERED_LINE,
    Run,
    Template,
    changed_lines,
    commit_generated,
    sections,
    short,
    team_edits,
)


@pytest.mark.parametrize("manager", MANAGERS, ids=lambda value: f"dependency_manager={value}")
def test_make_drift_tells_the_three_stories_apart(
    tmp_path: Path, template: Template, generate: Callable[..., Path], run: Run, manager: str
) -> None:
    project = commit_generated(
        generate(template, tmp_path / "projects", dependency_manager=manager), run
    )
    commit_a = json.loads((project / ".cruft.json").read_text())["commit"]
    team_edits(project, run)
    # The team deletes a template file and, with pip, declares a dependency of its own.
    (project / ".hadolint.yaml").unlink()
    if manager == "pip":
        requirements = project / "requirements.in"
        requirements.write_text(requirements.read_text() + "idna>=3\n")
    run(["git", "commit", "-q", "-am", "More of the team's work"], project)
    commit_b = template.commit_b()

    drift = run(["make", "drift"], project, check=False)

    assert drift.returncode != 0, "make drift passes while the template is ahead"
    parts = sections(drift.stdout)
    assert list(parts) == ["(a)", "(b)", "(c)"]
    linked, latest = f"template@{short(commit_a)}/", f"template@{short(commit_b)}/"
    assert parts["(a)"][0].endswith(f"{linked} -> project/")
    assert parts["(b)"][0].endswith(f"{linked} -> {latest}")
    # (a) the team's changes to template-owned files, its deletion included; nothing of B, and
    # nothing team-owned (README, the package, pip's requirements.in).
    yours = parts["(a)"][1]
    hadolint = (template.path / "{{cookiecutter.project_slug}}" / ".hadolint.yaml").read_text()
    assert changed_lines(yours) == {
        ".hadolint.yaml": [f"-{line}" for line in hadolint.splitlines()],
        "Makefile": [f"+{line}" for line in MAKEFILE_ADDITION.splitlines()],
    }
    assert f"diff --git {linked}Makefile project/Makefile" in yours
    assert "Template files you deleted: .hadolint.yaml" in yours
    # (b) exactly B: the Dockerfile line and the added file, with the new question's default.
    template_side = parts["(b)"][1]
    assert changed_lines(template_side) == {
        ".gitattributes": [f"+{line}" for line in ADDED_FILE[1].splitlines()],
        "Dockerfile": [f"+{RENDERED_LINE}"],
    }
    assert f"diff --git {linked}Dockerfile {latest}Dockerfile" in template_side
    assert "Files the template added: .gitattributes" in template_side
    assert "New question maintainer_team: takes 'platform' (default 'platform')" in template_side
    # (c) what an update would do with each of B's files.
    assert parts["(c)"][1].splitlines() == [".gitattributes: added", "Dockerfile: updated"]


def test_make_drift_forecasts_a_conflict(template: Template, project: Path, run: Run) -> None:
    dockerfile = project / "Dockerfile"
    lines = dockerfile.read_text().splitlines(keepends=True)
    # One edit next to B's new last line (a conflict), none elsewhere in it.
    dockerfile.write_text("".join(lines) + 'LABEL org.opencontainers.image.vendor="payments"\n')
    run(["git", "commit", "-q", "-am", "Our own label"], project)
    template.commit_b()

    forecast = sections(run(["make", "drift"], project, check=False).stdout)["(c)"][1]

    assert "Dockerfile: conflict: your changes and the template's overlap" in forecast
    assert ".gitattributes: added" in forecast
