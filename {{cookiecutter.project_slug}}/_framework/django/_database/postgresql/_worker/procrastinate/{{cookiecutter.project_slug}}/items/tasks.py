"""Background jobs for items, run by the worker process (``python manage.py procrastinate worker``).

procrastinate's Django integration finds this module by its name (``tasks.py`` in an installed
app) in the web process, which defers jobs, and in the worker, which runs them.
"""

from __future__ import annotations

import logging

from django.db import transaction
from procrastinate import JobContext
from procrastinate.contrib.django import app

from {{ cookiecutter.project_slug }}.items.models import Item
from {{ cookiecutter.project_slug }}.jobs import (
    RETRY,
    STALLED_CHECK_CRON,
    job_logging,
    normalised,
    retry_stalled_jobs,
)

logger = logging.getLogger(__name__)


@app.task(name="normalise_item_name", retry=RETRY, pass_context=True)
def normalise_item_name(context: JobContext, item_id: int, request_id: str | None) -> None:
    """Collapse the whitespace in an item's name: idempotent, so a second run changes nothing."""
    with job_logging(request_id), transaction.atomic():
        # The row lock makes two workers running the same job (at-least-once) take turns.
        item = Item.objects.select_for_update().filter(pk=item_id).first()
        if item is None:
            logger.info("item deleted before its job ran", extra={"job_id": context.job.id})
            return
        item.name = normalised(item.name)
        item.save(update_fields=["name"])
        logger.info("item name normalised", extra={"job_id": context.job.id, "item_id": item_id})


@app.periodic(cron=STALLED_CHECK_CRON, periodic_id="retry_stalled_jobs")
@app.task(name="retry_stalled_jobs", pass_context=True)
async def retry_stalled(context: JobContext, timestamp: int) -> None:
    """Queue again the jobs of workers that died mid-job (at-least-once delivery)."""
    await retry_stalled_jobs(context.app.job_manager)
