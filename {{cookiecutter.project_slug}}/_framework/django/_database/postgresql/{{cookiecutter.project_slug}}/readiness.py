"""What ``/readyz`` answers: ready while the database answers and the process is not draining.

The database check opens its own connection, never one of the request threads', in a thread of
its own with a short deadline: the probe answers in under a second whatever the database does.
A check still stuck on a frozen database is not repeated; the probe answers 503 until it ends.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as CheckTimeout

from django.db import DatabaseError, connections

from {{ cookiecutter.project_slug }}.lifecycle import draining

logger = logging.getLogger(__name__)

# Seconds the probe waits for the database; well under a probe's usual one-second timeout.
CHECK_DEADLINE = 0.5


def _database_answers() -> None:
    connection = connections.create_connection("default")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


class DatabaseCheck:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readiness")
        self._running: Future[None] | None = None

    def __call__(self) -> str:
        if self._running is None or self._running.done():
            self._running = self._executor.submit(_database_answers)
        try:
            self._running.result(timeout=CHECK_DEADLINE)
        except CheckTimeout:
            logger.warning("readiness check failed: database did not answer in time")
            return "timeout"
        except DatabaseError as error:
            logger.warning(
                "readiness check failed: database unavailable",
                extra={"error": type(error).__name__},
            )
            return "unavailable"
        return "ok"


database_check = DatabaseCheck()


def readiness() -> tuple[int, dict[str, str]]:
    """HTTP status and per-dependency results."""
    checks = {"database": database_check()}
    if draining():
        checks["shutdown"] = "draining"
    ready = all(result == "ok" for result in checks.values())
    return (200 if ready else 503), checks
