"""Lock the generated project's dependencies when the tools for it are at hand.

Locking needs uv and the package index. Generation must work offline with only cookiecutter
installed, so any missing piece turns into a one-line notice that says how to lock later.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

LOCK_TIMEOUT_SECONDS = 180
# Set to 0 to skip locking (the template's own tests do, except where they install the project).
SKIP_ENV = "TWELVE_FACTOR_LOCK"
LATER = "run `make lock` in the project when uv and the package index are available"


def lock(project: Path) -> str:
    """Create ``uv.lock`` and return a one-line message saying what happened."""
    if os.environ.get(SKIP_ENV, "1") == "0":
        return f"Skipped locking dependencies ({SKIP_ENV}=0): {LATER}."
    uv = shutil.which("uv")
    if uv is None:
        return f"Skipped locking dependencies (uv is not installed): {LATER}."
    environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_HTTP_TIMEOUT": "15"}
    try:
        completed = subprocess.run(
            [uv, "lock", "--quiet"],
            cwd=project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=LOCK_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return (
            f"Skipped locking dependencies (uv lock took over {LOCK_TIMEOUT_SECONDS} s): {LATER}."
        )
    if completed.returncode != 0:
        lines = [line for line in completed.stderr.splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else f"exit status {completed.returncode}"
        return f"Skipped locking dependencies (uv lock failed: {reason}): {LATER}."
    return "Locked dependencies in uv.lock."
