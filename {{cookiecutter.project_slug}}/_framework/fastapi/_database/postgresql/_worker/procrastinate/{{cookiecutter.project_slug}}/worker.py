"""The background worker (Procfile ``worker``, factor VIII): procrastinate's app and its jobs.

``python -m procrastinate --app={{ cookiecutter.project_slug }}.worker.app worker`` runs them; the web
process imports the same app to defer jobs. The queue lives in the service's PostgreSQL
(``DATABASE_URL``), its schema created by the release one-off (migration 0002).
"""

from __future__ import annotations

import logging.config

import psycopg
from procrastinate import App, JobContext, PsycopgConnector

from {{ cookiecutter.project_slug }}.database import connection_limits
from {{ cookiecutter.project_slug }}.jobs import (
    RETRY,
    STALLED_CHECK_CRON,
    job_logging,
    normalised,
    retry_stalled_jobs,
)
from {{ cookiecutter.project_slug }}.logs import logging_config
from {{ cookiecutter.project_slug }}.settings import settings

logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))
logger = logging.getLogger(__name__)

app = App(
    connector=PsycopgConnector(
        conninfo=settings.database_url.get_secret_value(),
        kwargs=connection_limits(settings.database_timeout),
    ),
    # What `procrastinate worker` runs with unless its command line says otherwise.
    worker_defaults={
        "concurrency": settings.worker_concurrency,
        "shutdown_graceful_timeout": settings.worker_shutdown_timeout,
    },
)


@app.task(name="normalise_item_name", retry=RETRY, pass_context=True)
async def normalise_item_name(context: JobContext, item_id: int, request_id: str | None) -> None:
    """Collapse the whitespace in an item's name: idempotent, so a second run changes nothing."""
    with job_logging(request_id):
        async with await psycopg.AsyncConnection.connect(
            settings.database_url.get_secret_value(), **connection_limits(settings.database_timeout)
        ) as connection:
            # The row lock makes two workers running the same job (at-least-once) take turns.
            cursor = await connection.execute(
                "SELECT name FROM items WHERE id = %s FOR UPDATE", (item_id,)
            )
            row = await cursor.fetchone()
            if row is None:
                logger.info("item deleted before its job ran", extra={"job_id": context.job.id})
                return
            await connection.execute(
                "UPDATE items SET name = %s WHERE id = %s", (normalised(row[0]), item_id)
            )
        logger.info("item name normalised", extra={"job_id": context.job.id, "item_id": item_id})


@app.periodic(cron=STALLED_CHECK_CRON, periodic_id="retry_stalled_jobs")
@app.task(name="retry_stalled_jobs", pass_context=True)
async def retry_stalled(context: JobContext, timestamp: int) -> None:
    """Queue again the jobs of workers that died mid-job (at-least-once delivery)."""
    await retry_stalled_jobs(context.app.job_manager)
