"""The directory behind Prometheus's ``/metrics`` under gunicorn, kept by the master process.

Each gunicorn worker is a process with its own counters, so a scrape answered from one worker's
memory would show only the requests that worker served. prometheus_client's multi-process mode
has every worker write its values to memory-mapped files in one directory, and ``/metrics``
(request_metrics.py) sums them, whichever worker answers the scrape.

The master creates that directory before it forks any worker: the workers inherit
``PROMETHEUS_MULTIPROC_DIR``, which prometheus_client reads when it is first imported. The files
describe one run of the server, so the master removes them when it exits, and the next run starts
from zero as Prometheus expects of a restarted process. Standard library only: prometheus_client
must not be imported here, before the variable is set.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

# Directories this process created, removed by remove_directory().
_created: list[Path] = []


def prepare_directory() -> Path:
    """Create the shared directory (or empty the one given) and name it to the workers."""
    given = os.environ.get(DIRECTORY_VARIABLE, "").strip()
    if given:
        # An operator's choice (a volume of its own, say). Emptied of the last run's files, which
        # would otherwise be added into this run's totals.
        directory = Path(given)
        if not directory.is_dir():
            raise SystemExit(
                f"{DIRECTORY_VARIABLE}={given!r} is not a directory: create it, or leave the "
                "variable unset for a temporary one"
            )
        for stale in directory.glob("*.db"):
            stale.unlink()
        return directory
    # Under the temporary directory (TMPDIR, else /tmp): the one place a container with a
    # read-only root filesystem can write, and gone with the container.
    directory = Path(tempfile.mkdtemp(prefix="prometheus-"))
    _created.append(directory)
    os.environ[DIRECTORY_VARIABLE] = str(directory)
    return directory


def remove_directory() -> None:
    """Remove the directory prepare_directory() created; one given by the operator stays."""
    while _created:
        shutil.rmtree(_created.pop(), ignore_errors=True)
