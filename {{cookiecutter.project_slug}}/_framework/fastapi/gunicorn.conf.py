"""Gunicorn settings, derived from the service's one settings module.

Importing the settings here validates the environment in the master process, so a bad
configuration stops the server before it binds a port, with one message.
"""

from __future__ import annotations

from {{ cookiecutter.project_slug }} import error_tracking, metrics, telemetry
from {{ cookiecutter.project_slug }}.lifecycle import Arbiter, drain_before_stop
from {{ cookiecutter.project_slug }}.logs import logging_config
from {{ cookiecutter.project_slug }}.settings import settings

wsgi_app = "{{ cookiecutter.project_slug }}.main:app"
# Gunicorn manages the processes; each runs uvicorn's event loop for the ASGI app.
worker_class = "uvicorn_worker.UvicornWorker"

# Factor VII: the platform picks the port.
bind = [f"0.0.0.0:{settings.port}"]
# Factor VIII: scale out with more processes (or more containers), set per deploy.
workers = settings.web_concurrency

# Factor IX: on SIGTERM, first drain (readiness fails, requests are still served), then stop
# accepting, let in-flight requests finish and exit 0, all within GRACEFUL_TIMEOUT.
graceful_timeout = settings.graceful_timeout - settings.drain_seconds
timeout = 30


def on_starting(server: Arbiter) -> None:
    # Before any worker is forked, so that every worker writes its counters to the same place.
    if settings.prometheus_metrics:
        metrics.prepare_directory()


def when_ready(server: Arbiter) -> None:
    drain_before_stop(server, settings.drain_seconds)


def on_exit(server: Arbiter) -> None:
    metrics.remove_directory()


# Factor XI: traces and metrics when OTEL_EXPORTER_OTLP_ENDPOINT is set, from each worker (an
# exporter's thread does not survive the fork; main.py flushes them at shutdown): the framework,
# the database driver and the reference-data client's HTTP calls. The app is loaded after
# post_fork, so its FastAPI app is created instrumented. The database is traced at psycopg, the
# driver under SQLAlchemy, whose instrumentation follows psycopg's releases, not SQLAlchemy's.
INSTRUMENTORS = (
    "opentelemetry.instrumentation.fastapi:FastAPIInstrumentor",
{%- if cookiecutter.database == "postgresql" %}
    "opentelemetry.instrumentation.psycopg:PsycopgInstrumentor",
{%- endif %}
    "opentelemetry.instrumentation.httpx:HTTPXClientInstrumentor",
)


def post_fork(server: Arbiter, worker: object) -> None:
    telemetry.start(INSTRUMENTORS)
    error_tracking.start(settings.sentry_dsn.get_secret_value())


# Factor XI: the app logs each request itself (with its request id); gunicorn's own lines go to
# stdout as JSON through the same configuration.
accesslog = None
logconfig_dict = logging_config(settings.log_level, settings.log_format)

# Factor VI: write nothing to local disk at run time (gunicorn otherwise opens a control socket
# in the home directory).
control_socket_disable = True
