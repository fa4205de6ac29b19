"""Request count and duration by route and status, for Prometheus to scrape at ``/metrics``.

Imported only when ``PROMETHEUS_METRICS`` is on. Under gunicorn, every worker writes its values to
the directory the master prepared (metrics.py), and a scrape reads all of them: the counts are
the whole server's, whichever worker answers. Without that directory (a single development
process) the process's own values are shown.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from {{ cookiecutter.project_slug }}.metrics import DIRECTORY_VARIABLE

METRICS_PATH = "/metrics"
# A route's pattern, never the raw path: ids in paths (and scanners' made-up paths) would make
# a new series for every request.
UNMATCHED_ROUTE = "unmatched"
LABELS = ("method", "route", "status")

REQUESTS = Counter("http_requests", "HTTP requests answered.", LABELS)
DURATION = Histogram(
    "http_request_duration_seconds", "Seconds from receiving a request to answering it.", LABELS
)


def observe(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request and its duration."""
    labels = (method, route, str(status))
    REQUESTS.labels(*labels).inc()
    DURATION.labels(*labels).observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The scrape's body and content type: every worker's values, summed."""
    if os.environ.get(DIRECTORY_VARIABLE):
        registry = CollectorRegistry()
        # Registers itself with the registry; prometheus_client leaves it unannotated.
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
