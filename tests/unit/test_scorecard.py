"""The post-generation hook's glue to the project's own twelve-factor checker."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from generation import scorecard
from generation.errors import GenerationError
from support.template import DEFAULTS, TEMPLATE_DIR

CHECKER_SOURCE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / scorecard.CHECKER


def bare_project(root: Path) -> Path:
    """A project holding nothing but the checker: most factors fail on it."""
    (root / "tools").mkdir(parents=True)
    shutil.copy(CHECKER_SOURCE, root / scorecard.CHECKER)
    return root


def test_the_checker_is_loaded_from_the_project_without_side_effects(tmp_path: Path) -> None:
    first = bare_project(tmp_path / "first")
    second = bare_project(tmp_path / "second")
    path_before = list(sys.path)

    one = scorecard.load_checker(first)
    other = scorecard.load_checker(second)

    assert one.__file__ == str(first / scorecard.CHECKER)
    assert one is not other and one.__name__ != other.__name__
    assert sys.path == path_before
    assert "tools" not in sys.modules or "twelve_factor" not in vars(sys.modules["tools"])
    assert not list(tmp_path.rglob("__pycache__"))  # nothing written into the project


def test_a_project_without_the_checker_is_a_template_defect(tmp_path: Path) -> None:
    with pytest.raises(
        GenerationError, match=r"template defect: tools/twelve_factor\.py is missing"
    ):
        scorecard.run(tmp_path)


def test_a_checker_that_crashes_is_a_one_line_template_defect(tmp_path: Path) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / scorecard.CHECKER).write_text(
        "def check_project(root, waive=()):\n    raise KeyError('boom')\n"
    )

    with pytest.raises(
        GenerationError,
        match=r"tools/twelve_factor\.py failed on the new project: KeyError\('boom'\)",
    ):
        scorecard.run(tmp_path)


def test_a_failing_factor_fails_with_one_line_then_the_evidence(tmp_path: Path) -> None:
    project = bare_project(tmp_path / "bare")

    with pytest.raises(GenerationError) as raised:
        scorecard.run(project)

    first, *evidence = str(raised.value).splitlines()
    assert first.startswith("template defect: the generated project fails ")
    assert "of 12 twelve-factor checks (" in first and first.endswith("):")
    assert "III. Config" in first and "XII. Admin processes" in first
    assert evidence and all(line.startswith("  ") for line in evidence)
    assert any(line.startswith("  III: example.env: no example.env") for line in evidence)
    assert "  XII: Procfile: no Procfile, so no `release` process type" in evidence


def test_a_missing_lock_is_a_warning_at_generation(
    rendered: Callable[[dict[str, Any]], Path],
) -> None:
    project = rendered(DEFAULTS)  # rendered without locking, as TWELVE_FACTOR_LOCK=0 does
    assert not (project / "uv.lock").exists()

    printed = scorecard.run(project)

    lines = printed.splitlines()
    assert lines[0].endswith("12/12 factors")
    assert any(line.startswith("  WARN  II. Dependencies") for line in lines)
    assert "warning: uv.lock: no uv.lock" in printed and "make lock" in printed


def test_a_stale_lock_is_never_waived(
    rendered: Callable[[dict[str, Any]], Path], tmp_path: Path
) -> None:
    project = Path(shutil.copytree(rendered(DEFAULTS), tmp_path / "project"))
    (project / "uv.lock").write_text(
        'version = 1\nrequires-python = ">=3.12"\n\n[[package]]\nname = "twelve-factor-service"\n'
        'version = "0.1.0"\nsource = { virtual = "." }\n'
    )

    with pytest.raises(GenerationError, match=r"\(II\. Dependencies\)") as raised:
        scorecard.run(project)

    assert "uv.lock is stale" in str(raised.value)
