"""Prometheus metrics and error tracking: switched by the environment, nothing loaded while off."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }} import error_tracking, logs, metrics

from tools.devenv import PROJECT_DIR

# Starts as a gunicorn worker does (post_fork, then the app), and lists the optional libraries
# that were imported.
START_A_WORKER = """
import importlib, runpy, sys
config = runpy.run_path("gunicorn.conf.py")
config["post_fork"](None, None)
importlib.import_module(config["wsgi_app"].partition(":")[0])
optional = {"prometheus_client", "sentry_sdk"}
print(sorted({name.partition(".")[0] for name in sys.modules} & optional))
"""
SWITCHES = ("PROMETHEUS_METRICS", "SENTRY_DSN")


@pytest.mark.parametrize(
    ("switches", "imported"),
    [
        ({}, "[]"),
        ({"PROMETHEUS_METRICS": "true"}, "['prometheus_client']"),
        # Nothing listens there: starting the SDK sends nothing until there is an error.
        ({"SENTRY_DSN": "http://public-key@127.0.0.1:9/1"}, "['sentry_sdk']"),
    ],
)
def test_optional_libraries_are_imported_only_when_switched_on(
    switches: dict[str, str], imported: str
) -> None:
    environ = {
        **{name: value for name, value in os.environ.items() if name not in SWITCHES},
        **switches,
    }
    result = subprocess.run(
        [sys.executable, "-c", START_A_WORKER],
        cwd=PROJECT_DIR,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == imported


@pytest.fixture
def temporary_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMPDIR as gunicorn's master would find it, and no directory chosen by the operator."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() caches its answer
    monkeypatch.setenv(metrics.DIRECTORY_VARIABLE, "")
    return tmp_path


def test_the_master_prepares_a_temporary_directory_and_removes_it(
    temporary_directory: Path,
) -> None:
    directory = metrics.prepare_directory()

    assert directory.parent == temporary_directory
    assert os.environ[metrics.DIRECTORY_VARIABLE] == str(directory)
    metrics.remove_directory()
    assert not directory.exists()


def test_a_given_directory_is_emptied_of_the_last_runs_counters_and_kept(
    temporary_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = temporary_directory / "volume"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"stale")
    monkeypatch.setenv(metrics.DIRECTORY_VARIABLE, str(given))

    assert metrics.prepare_directory() == given
    assert list(given.iterdir()) == []
    metrics.remove_directory()
    assert given.is_dir()


def test_a_missing_given_directory_stops_the_server_with_one_line(
    temporary_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(metrics.DIRECTORY_VARIABLE, str(temporary_directory / "missing"))

    with pytest.raises(SystemExit, match=r"PROMETHEUS_MULTIPROC_DIR=.* is not a directory"):
        metrics.prepare_directory()


def test_error_tracking_is_off_without_a_dsn() -> None:
    assert error_tracking.start("") is False


def test_error_events_carry_the_request_id() -> None:
    token = logs.request_id.set("req-42")
    try:
        event = error_tracking.with_request_ids({"tags": {"kept": "yes"}}, {})
    finally:
        logs.request_id.reset(token)

    assert event["tags"] == {"kept": "yes", "request_id": "req-42"}
