"""The post-generation hook's glue to the twelve-factor checker the project ships."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from generation import checker, scorecard
from generation.errors import GenerationError
from support.template import DEFAULTS

Rendered = Callable[[dict[str, Any]], Path]


def bare_project(root: Path) -> Path:
    """A project holding nothing but the checker: most factors fail on it."""
    shutil.copytree(checker.PACKAGE_DIR, root / checker.PROJECT_PACKAGE)
    return root


def test_the_checker_is_imported_from_the_template_without_writing_bytecode(
    tmp_path: Path,
) -> None:
    code = (
        "import sys; sys.path.insert(0, 'hooks'); from generation import checker; "
        "assert checker.twelve_factor.__file__ == str(checker.PACKAGE_DIR / '__init__.py'); "
        "assert 'tools' not in sys.modules"
    )
    template = Path(shutil.copytree(
        checker.TEMPLATE_DIR,
        tmp_path / "template",
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", ".*_cache", "tests"),
    ))  # fmt: skip

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=template, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert not list(template.rglob("__pycache__"))  # nothing for cookiecutter to copy along


def test_a_project_without_the_checker_is_a_template_defect(tmp_path: Path) -> None:
    with pytest.raises(GenerationError, match=r"template defect: tools/twelve_factor/ is missing"):
        scorecard.run(tmp_path)


def test_a_checker_that_crashes_is_a_one_line_template_defect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = bare_project(tmp_path / "bare")

    def crash(*arguments: object, **options: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(checker.twelve_factor, "check_project", crash)

    with pytest.raises(
        GenerationError,
        match=r"tools/twelve_factor failed on the new project: KeyError\('boom'\)",
    ):
        scorecard.run(project)


def test_a_failing_factor_fails_with_one_line_then_the_evidence(tmp_path: Path) -> None:
    project = bare_project(tmp_path / "bare")

    with pytest.raises(GenerationError) as raised:
        scorecard.run(project)

    first, *evidence = str(raised.value).splitlines()
    assert first.startswith("template defect: the generated project fails ")
    assert "of 12 twelve-factor checks (" in first and first.endswith("):")
    assert "III. Config" in first and "XII. Admin processes" in first
    assert evidence and all(line.startswith("  ") for line in evidence)
    # Strict at generation: a missing fact is a failure too.
    assert any(line.startswith("  III: example.env: no example env file") for line in evidence)
    assert "  XII: Procfile: no Procfile, so no `release` process type" in evidence


def test_a_missing_lock_is_waived_with_its_reason_at_generation(rendered: Rendered) -> None:
    project = rendered(DEFAULTS)  # rendered without locking, as TWELVE_FACTOR_LOCK=0 does
    assert not (project / "uv.lock").exists()

    printed = scorecard.run(project)

    lines = printed.splitlines()
    assert lines[0].endswith("12/12 factors")
    assert any(line.startswith("  WARN     II. Dependencies") for line in lines)
    assert "waived (locking was skipped at generation" in printed
    assert "uv.lock: no uv.lock" in printed and "make lock" in printed


def test_a_stale_lock_is_never_waived(rendered: Rendered, tmp_path: Path) -> None:
    project = Path(shutil.copytree(rendered(DEFAULTS), tmp_path / "project"))
    (project / "uv.lock").write_text(
        'version = 1\nrequires-python = ">=3.12"\n\n[[package]]\nname = "twelve-factor-service"\n'
        'version = "0.1.0"\nsource = { virtual = "." }\n'
    )

    with pytest.raises(GenerationError, match=r"\(II\. Dependencies\)") as raised:
        scorecard.run(project)

    assert "uv.lock is stale" in str(raised.value)
