"""Lock the generated project's dependencies when the tools for it are at hand.

Locking needs a resolver and the package index. Generation must work offline with only
cookiecutter installed, so any missing piece turns into a one-line notice that says how to lock
later. uv projects run ``uv lock``; pip projects run their own ``tools/lock.py`` (uv's
``pip compile`` or pip-tools), the same code as their ``make lock``.

Offline, a resolver only gives up after its own name-resolution retries (seconds each), so the
index is probed first: one name lookup and TCP connect, within a short bound.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

LOCK_TIMEOUT_SECONDS = 180
# Set to 0 to skip locking (the template's own tests do, except where they install the project).
SKIP_ENV = "TWELVE_FACTOR_LOCK"
LATER = "the first `make install`, `make test` or `make dev` in the project creates the lock"
# Long enough for a lookup and a handshake on a slow link, short beside a resolver's retries.
INDEX_PROBE_SECONDS = 2.0
DEFAULT_INDEX = "https://pypi.org/simple"
# The variables uv and pip read for the index, in uv's order of precedence.
INDEX_VARIABLES = ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL")
TRUE = {"1", "true", "yes", "on"}


def index_url(environ: Mapping[str, str]) -> str:
    """The package index the resolver will ask: the environment's choice, else PyPI."""
    for name in INDEX_VARIABLES:
        if environ.get(name, "").strip():
            return environ[name].split()[0]
    return DEFAULT_INDEX


def _connect(host: str, port: int, timeout: float, outcome: list[str]) -> None:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        outcome.append("")
    except TimeoutError:
        pass  # reported as no answer within the bound, as when the lookup itself hangs
    except OSError as error:
        outcome.append(error.strerror or str(error))


def index_unreachable(
    environ: Mapping[str, str] = os.environ, timeout: float = INDEX_PROBE_SECONDS
) -> str | None:
    """Why the package index cannot be reached now, or None if it (or the proxy) accepts a
    connection. UV_OFFLINE asks the resolver to use its cache only: nothing to probe then."""
    if environ.get("UV_OFFLINE", "").strip().lower() in TRUE:
        return None
    parts = urlsplit(index_url(environ))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None  # a local index (file://, a path) needs no network
    proxy = environ.get(f"{parts.scheme}_proxy") or environ.get(f"{parts.scheme.upper()}_PROXY")
    target = urlsplit(proxy) if proxy else parts
    host = target.hostname or parts.hostname
    port = target.port or (443 if target.scheme == "https" else 80)
    # getaddrinfo has no timeout of its own: the probe runs in a thread that may be left behind.
    outcome: list[str] = []
    probe = threading.Thread(target=_connect, args=(host, port, timeout, outcome), daemon=True)
    probe.start()
    probe.join(timeout)
    if not outcome:  # still waiting, or timed out
        return f"{host} did not answer within {timeout:g} s"
    return f"{host}: {outcome[0]}" if outcome[0] else None


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
    unreachable = index_unreachable()
    if unreachable is not None:
        return f"Skipped locking dependencies (package index unreachable: {unreachable}): {LATER}."
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
    # Imported only here: the checker package is most of the hook's start-up, and a generation
    # that skips locking and the scorecard (every render of the template's tests) needs none of it.
    from generation.checker import packages

    return f"Locked dependencies in {' and '.join(packages.LOCK_FILES[manager])}."
