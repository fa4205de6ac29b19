"""Lock the generated project's dependencies when the tools for it are at hand.

Locking needs a resolver and the package index. Generation must work offline with only
cookiecutter installed, so any missing piece turns into a one-line notice that says how to lock
later. uv projects run ``uv lock``; pip projects run their own ``tools/lock.py`` (uv's
``pip compile`` or pip-tools), the same code as their ``make lock``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from generation.checker import packages

LOCK_TIMEOUT_SECONDS = 180
# Set to 0 to skip locking (the template's own tests do, except where they install the project).
SKIP_ENV = "TWELVE_FACTOR_LOCK"
LATER = "the first `make install`, `make test` or `make dev` in the project creates the lock"
LOCK_FILES = packages.LOCK_FILES


def lock_command(manager: str) -> tuple[list[str] | None, str]:
    """The command that locks, or None and why it cannot run here."""
    uv = shutil.which("uv")
    if manager == "uv":
        return ([uv, "lock", "--quiet"], "") if uv else (None, "uv is not installed")
    if uv or shutil.which("pip-compile"):
        return [sys.executable, "-m", "tools.lock"], ""
    return None, "neither uv nor pip-tools is installed"


def lock(project: Path, manager: str = "uv") -> str:
    """Create the lock files and return a one-line message saying what happened."""
    if os.environ.get(SKIP_ENV, "1") == "0":
        return f"Skipped locking dependencies ({SKIP_ENV}=0): {LATER}."
    command, reason = lock_command(manager)
    if command is None:
        return f"Skipped locking dependencies ({reason}): {LATER}."
    environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_HTTP_TIMEOUT": "15"}
    try:
        completed = subprocess.run(
            command,
            cwd=project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=LOCK_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"Skipped locking dependencies (took over {LOCK_TIMEOUT_SECONDS} s): {LATER}."
    if completed.returncode != 0:
        lines = [line for line in completed.stderr.splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else f"exit status {completed.returncode}"
        return f"Skipped locking dependencies (locking failed: {reason}): {LATER}."
    return f"Locked dependencies in {' and '.join(LOCK_FILES[manager])}."
