"""What the background jobs share, whatever the framework: their retry policy and their rules.

The worker (Procfile ``worker``, factor VIII) runs jobs that the web process defers into
procrastinate's queue, which lives in the service's own PostgreSQL. Delivery is at least once: a
job whose worker dies mid-way (killed, out of memory, host lost) runs again, so every job here
must be idempotent, safe to run twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from procrastinate import RetryStrategy
from procrastinate.manager import JobManager

from {{ cookiecutter.project_slug }} import logs

logger = logging.getLogger(__name__)

# A failing job runs five times in all, 2, 4, 8 and 16 s apart: long enough to ride out a
# database restart or a flaky upstream, short enough that a real bug shows up in minutes.
RETRY = RetryStrategy(max_attempts=5, exponential_wait=2)

# A worker refreshes its heartbeat every 10 s; one silent for this long has died, and the jobs
# it was running are handed to another worker.
STALLED_AFTER_SECONDS = 30
# How often a worker looks for such jobs (cron syntax, every minute).
STALLED_CHECK_CRON = "* * * * *"


def normalised(name: str) -> str:
    """A name with each run of whitespace made one space: the same result however often applied."""
    return " ".join(name.split())


@contextmanager
def job_logging(request_id: str | None) -> Iterator[None]:
    """Log lines written during a job carry the id of the request that deferred it."""
    token = logs.request_id.set(request_id)
    try:
        yield
    finally:
        logs.request_id.reset(token)


async def retry_stalled_jobs(job_manager: JobManager) -> int:
    """Put the jobs of dead workers back in the queue; return how many there were."""
    stalled = list(
        await job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS)
    )
    for job in stalled:
        logger.warning(
            "job left unfinished by a dead worker, queued again",
            extra={"job_id": job.id, "task": job.task_name, "attempts": job.attempts},
        )
        await job_manager.retry_job(job)
    return len(stalled)
