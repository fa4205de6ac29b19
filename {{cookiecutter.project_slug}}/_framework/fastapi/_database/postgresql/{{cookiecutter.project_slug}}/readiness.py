"""What ``/readyz`` answers: ready while the database answers and the process is not draining.

The database check opens its own connection, not one of the request pool's, with a short deadline:
the probe answers in under a second whatever the database does.
"""

from __future__ import annotations

import asyncio
import logging

import psycopg

from {{ cookiecutter.project_slug }}.database import connection_limits
from {{ cookiecutter.project_slug }}.lifecycle import draining
from {{ cookiecutter.project_slug }}.settings import settings

logger = logging.getLogger(__name__)

# Seconds the probe waits for the database; well under a probe's usual one-second timeout.
CHECK_DEADLINE = 0.5


async def _database_answers() -> None:
    async with await psycopg.AsyncConnection.connect(
        settings.database_url.get_secret_value(),
        **connection_limits(settings.database_timeout),
    ) as connection:
        await connection.execute("SELECT 1")


async def database_check() -> str:
    try:
        await asyncio.wait_for(_database_answers(), CHECK_DEADLINE)
    except TimeoutError:
        logger.warning("readiness check failed: database did not answer in time")
        return "timeout"
    except psycopg.Error as error:
        logger.warning(
            "readiness check failed: database unavailable", extra={"error": type(error).__name__}
        )
        return "unavailable"
    return "ok"


async def readiness() -> tuple[int, dict[str, str]]:
    """HTTP status and per-dependency results."""
    checks = {"database": await database_check()}
    if draining():
        checks["shutdown"] = "draining"
    ready = all(result == "ok" for result in checks.values())
    return (200 if ready else 503), checks
