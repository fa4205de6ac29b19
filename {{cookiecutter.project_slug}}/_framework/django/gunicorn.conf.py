"""Gunicorn settings, derived from the service's one settings module.

Importing the settings here validates the environment in the master process, so a bad
configuration stops the server before it binds a port, with one message.
"""

from __future__ import annotations

import os

from {{ cookiecutter.project_slug }} import error_tracking, metrics, settings, telemetry
from {{ cookiecutter.project_slug }}.lifecycle import Arbiter, drain_before_stop

wsgi_app = "{{ cookiecutter.project_slug }}.wsgi:application"

# Factor VII: the platform picks the port.
bind = [f"0.0.0.0:{settings.PORT}"]
# Factor VIII: scale out with more processes (or more containers), set per deploy.
workers = settings.WEB_CONCURRENCY
worker_class = "gthread"
threads = settings.WORKER_THREADS

# Factor IX: on SIGTERM, first drain (readiness fails, requests are still served), then stop
# accepting, let in-flight requests finish and exit 0, all within GRACEFUL_TIMEOUT.
graceful_timeout = settings.GRACEFUL_TIMEOUT - settings.DRAIN_SECONDS
timeout = 30


def on_starting(server: Arbiter) -> None:
    # Before any worker is forked, so that every worker writes its counters to the same place.
    if settings.PROMETHEUS_METRICS:
        metrics.prepare_directory()


def when_ready(server: Arbiter) -> None:
    drain_before_stop(server, settings.DRAIN_SECONDS)


def on_exit(server: Arbiter) -> None:
    metrics.remove_directory()


# Factor XI: traces and metrics when OTEL_EXPORTER_OTLP_ENDPOINT is set, from each worker (an
# exporter's thread does not survive the fork): the framework, the database driver and the
# reference-data client's HTTP calls.
INSTRUMENTORS = (
    "opentelemetry.instrumentation.django:DjangoInstrumentor",
{%- if cookiecutter.database == "postgresql" %}
    "opentelemetry.instrumentation.psycopg:PsycopgInstrumentor",
{%- endif %}
    "opentelemetry.instrumentation.httpx:HTTPXClientInstrumentor",
)


def post_fork(server: Arbiter, worker: object) -> None:
    # The Django instrumentation reads the settings before the app is loaded (wsgi.py).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{{ cookiecutter.project_slug }}.settings")
    telemetry.start(INSTRUMENTORS)
    error_tracking.start(settings.SENTRY_DSN)


def worker_exit(server: Arbiter, worker: object) -> None:
    telemetry.shutdown()
    error_tracking.flush()


# Factor XI: the app logs each request itself (with its request id); gunicorn's own lines go to
# stdout as JSON through the same configuration.
accesslog = None
logconfig_dict = settings.LOGGING

# Factor VI: write nothing to local disk at run time (gunicorn otherwise opens a control socket
# in the home directory).
control_socket_disable = True
