"""docs/ownership.md agrees with the skip list and classifies every generated file."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from generation import link
from support.drift import (
    MANAGERS,
    SLUG,
)
from support.template import CHOICES, DEFAULTS, TEMPLATE_DIR

OWNERSHIP = (TEMPLATE_DIR / "docs" / "ownership.md").read_text()


def table_paths(heading: str) -> list[str]:
    """The backquoted paths in the first column of the table under ``heading``."""
    section = OWNERSHIP.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [path for row in rows for path in re.findall(r"`([^`]+)`", row.split("|")[1])]


def as_pattern(path: str) -> str:
    return path.replace("<slug>", "{slug}").rstrip("/")


def test_ownership_doc_lists_exactly_the_skip_list() -> None:
    by_manager = [path for paths in link.TEAM_OWNED_BY_MANAGER.values() for path in paths]
    assert set(link.TEAM_OWNED_BY_MANAGER) == set(MANAGERS)
    assert [as_pattern(path) for path in table_paths("The team owns")] == [
        *link.TEAM_OWNED,
        *by_manager,
    ]
    assert "docs/ownership.md" in (TEMPLATE_DIR / "README.md").read_text()


def owned_by(relative: str, entries: list[str]) -> bool:
    return any(
        relative == entry or relative.startswith(f"{entry}/")
        for entry in (as_pattern(path).format(slug=SLUG) for path in entries)
    )


# The variables whose answers change which files a project has.
LAYOUT_VARIABLES = ("framework", "database", "dependency_manager")


@pytest.fixture(scope="module")
def every_layout(rendered: Callable[[dict[str, Any]], Path]) -> list[Path]:
    """One project per combination of the answers that change which files exist."""
    return [
        rendered({**DEFAULTS, **dict(zip(LAYOUT_VARIABLES, values, strict=True))})
        for values in itertools.product(*(CHOICES[name] for name in LAYOUT_VARIABLES))
    ]


def test_each_project_skips_and_names_its_own_dependency_files(every_layout: list[Path]) -> None:
    for project in every_layout:
        state = json.loads((project / ".cruft.json").read_text())
        manager = state["context"]["cookiecutter"]["dependency_manager"]
        assert state["skip"] == link.skip_list(SLUG, manager)
        readme = (project / "README.md").read_text()
        ownership = readme.split("## Keeping up with the template", 1)[1]
        for other, paths in link.TEAM_OWNED_BY_MANAGER.items():
            for path in paths:
                assert (f"`{path}`" in ownership) == (other == manager), (manager, path)
        if manager != "uv":
            assert "uv.lock" not in readme


def test_ownership_doc_classifies_every_generated_file(every_layout: list[Path]) -> None:
    template_owned = table_paths("The template owns")
    team_owned = table_paths("The team owns")
    unclassified = {
        str(path.relative_to(project))
        for project in every_layout
        for path in project.rglob("*")
        if path.is_file()
        and not owned_by(str(path.relative_to(project)), [*team_owned, ".cruft.json"])
        and not owned_by(str(path.relative_to(project)), template_owned)
    }
    assert not unclassified, (
        "add these generated files to docs/ownership.md (a template-owned table row) "
        f"or to link.TEAM_OWNED: {sorted(unclassified)}"
    )
