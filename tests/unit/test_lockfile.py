from __future__ import annotations

from pathlib import Path

import pytest
from generation import lockfile


def test_skip_switch_gives_a_one_line_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(lockfile.SKIP_ENV, "0")

    message = lockfile.lock(tmp_path)

    assert message.startswith("Skipped locking dependencies")
    assert "make install" in message and "\n" not in message


def test_missing_uv_is_a_notice_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(lockfile.SKIP_ENV, "1")
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no uv to be found

    message = lockfile.lock(tmp_path)

    assert message == f"Skipped locking dependencies (uv is not installed): {lockfile.LATER}."


def test_a_failing_lock_names_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A real uv run on a project whose pyproject.toml is invalid.
    import shutil
    import sys

    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    monkeypatch.setenv(lockfile.SKIP_ENV, "1")
    monkeypatch.setenv("PATH", str(Path(uv).parent))
    (tmp_path / "pyproject.toml").write_text("[project\n")

    message = lockfile.lock(tmp_path)

    assert message.startswith("Skipped locking dependencies (locking failed: ")
    assert "\n" not in message


def test_pip_projects_without_a_resolver_get_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(lockfile.SKIP_ENV, "1")
    monkeypatch.setenv("PATH", str(tmp_path))

    message = lockfile.lock(tmp_path, "pip")

    assert message == (
        f"Skipped locking dependencies (neither uv nor pip-tools is installed): {lockfile.LATER}."
    )
