"""The one settings module (factors III and X): every deploy runs this file unchanged.

Development, CI, staging and production differ only in environment variables; ``example.env``
lists each of them. Start-up fails with a single message naming every missing or invalid one.
"""

from __future__ import annotations

import os
from pathlib import Path
{%- if cookiecutter.database == "postgresql" %}
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
{%- endif %}

from {{ cookiecutter.project_slug }} import configuration
from {{ cookiecutter.project_slug }}.environment import Environment
from {{ cookiecutter.project_slug }}.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = Environment(os.environ)

DEBUG = env.boolean("DEBUG", default=False)
SECRET_KEY = env.secret(
    "SECRET_KEY", allow_placeholder=DEBUG, minimum_length=configuration.SECRET_KEY_LENGTH
)
ALLOWED_HOSTS = env.csv("ALLOWED_HOSTS")

# Process model (factors VII, VIII, IX), read by gunicorn.conf.py.
PORT = env.integer("PORT", default=8000, minimum=1, maximum=65535)
WEB_CONCURRENCY = env.integer("WEB_CONCURRENCY", default=2, minimum=1, maximum=64)
GRACEFUL_TIMEOUT = env.integer("GRACEFUL_TIMEOUT", default=25, minimum=1, maximum=600)
DRAIN_SECONDS = env.integer("DRAIN_SECONDS", default=5, minimum=0, maximum=599)
env.require(
    DRAIN_SECONDS < GRACEFUL_TIMEOUT,
    f"DRAIN_SECONDS={DRAIN_SECONDS} must be less than GRACEFUL_TIMEOUT={GRACEFUL_TIMEOUT}",
)
{%- if cookiecutter.worker == "procrastinate" %}
# The background worker (Procfile `worker`): jobs it runs at once, and the seconds a running job
# gets to finish after SIGTERM before it is aborted and retried by another worker.
WORKER_CONCURRENCY = env.integer("WORKER_CONCURRENCY", default=4, minimum=1, maximum=100)
WORKER_SHUTDOWN_TIMEOUT = env.integer(
    "WORKER_SHUTDOWN_TIMEOUT", default=25, minimum=1, maximum=3600
)
PROCRASTINATE_WORKER_DEFAULTS = {
    "concurrency": WORKER_CONCURRENCY,
    "shutdown_graceful_timeout": WORKER_SHUTDOWN_TIMEOUT,
}
{%- endif %}
# Threads per worker process; one is kept free of application requests for the probes.
WORKER_THREADS = 8

# Request bodies above this size are refused (413) before they are read.
REQUEST_MAX_BYTES = env.integer(
    "REQUEST_MAX_BYTES", default=1_048_576, minimum=1024, maximum=1_073_741_824
)
# Switched on for deploys served over TLS (the proxy sets X-Forwarded-Proto).
HSTS_SECONDS = env.integer("HSTS_SECONDS", default=0, minimum=0, maximum=63_072_000)
SECURE_COOKIES = env.boolean("SECURE_COOKIES", default=False)

LOG_LEVEL = env.choice("LOG_LEVEL", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
LOG_FORMAT = env.choice("LOG_FORMAT", default="json", choices=("json", "console"))
# Optional, off unless set: a /metrics endpoint for Prometheus to scrape, and unhandled errors
# reported to Sentry. Traces and metrics over OTLP are configured by OpenTelemetry's own OTEL_*
# variables (telemetry.py).
PROMETHEUS_METRICS = env.boolean("PROMETHEUS_METRICS", default=False)
SENTRY_DSN = env.url("SENTRY_DSN", schemes=("http", "https"), default="")

# Attached resources (factor IV): swapping one is a change of URL, not of code.
{%- if cookiecutter.database == "postgresql" %}
DATABASE_URL = env.url("DATABASE_URL", schemes=("postgres", "postgresql"))
# Bounds every database operation: connecting, each statement, and a silent network.
DATABASE_TIMEOUT = env.integer("DATABASE_TIMEOUT", default=5, minimum=1, maximum=300)
{%- endif %}
REFERENCE_DATA_API_URL = env.url("REFERENCE_DATA_API_URL", schemes=("http", "https"))
REFERENCE_DATA_API_TOKEN = env.secret(
    "REFERENCE_DATA_API_TOKEN", allow_placeholder=DEBUG, minimum_length=configuration.TOKEN_LENGTH
)

env.check()

INSTALLED_APPS = [
    "django.contrib.staticfiles",
{%- if cookiecutter.database == "postgresql" %}
    "{{ cookiecutter.project_slug }}.items",
{%- endif %}
{%- if cookiecutter.worker == "procrastinate" %}
    # The job queue's models and migrations (applied by `migrate`, the release one-off).
    "procrastinate.contrib.django",
{%- endif %}
]

# No sessions, cookies or CSRF: this is a JSON API. Add them with django.contrib.auth if the
# service grows browser-facing pages.
MIDDLEWARE = [
    "{{ cookiecutter.project_slug }}.middleware.RequestLogMiddleware",
    # Every error below becomes the JSON error contract, with the security headers.
    "{{ cookiecutter.project_slug }}.middleware.ErrorContractMiddleware",
    # Probes answer before host validation: orchestrators call them by pod or container IP.
    "{{ cookiecutter.project_slug }}.health.HealthCheckMiddleware",
    # /metrics when PROMETHEUS_METRICS is on; off, it drops itself from this list.
    "{{ cookiecutter.project_slug }}.metrics_middleware.PrometheusMiddleware",
    "{{ cookiecutter.project_slug }}.middleware.BusyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "{{ cookiecutter.project_slug }}.urls"
WSGI_APPLICATION = "{{ cookiecutter.project_slug }}.wsgi.application"
{%- if cookiecutter.database == "postgresql" %}


{% include "database/postgresql/connection_limits.py.jinja" %}

def _database(url: str) -> dict[str, object]:
    """Django's DATABASES entry for a ``postgresql://user:password@host:port/name`` URL.

    A ``?host=/path`` query selects a Unix socket directory, as libpq does.
    """
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": options.pop("host", parts.hostname or ""),
        "PORT": str(parts.port or ""),
        # Reuse connections across requests, and check them before use after a database restart.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {**connection_limits(DATABASE_TIMEOUT), **options},
    }


DATABASES = {"default": _database(DATABASE_URL)}
{%- else %}

# No database: the service keeps no state of its own (factor VI).
DATABASES: dict[str, dict[str, object]] = {}
{%- endif %}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# Static files are collected into the image at build time and served by WhiteNoise, so a
# running container writes nothing to its disk (factor VI).
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Locally and in tests nothing is collected: serve straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# TLS ends at the platform's proxy, which says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
SILENCED_SYSTEM_CHECKS = [
    # CsrfViewMiddleware: no cookies or sessions authenticate a request here, and write
    # endpoints take only application/json, which a cross-site form cannot send without the
    # browser asking this service first (CORS preflight), so there is no request to forge.
    "security.W003",
    # SECURE_SSL_REDIRECT: the proxy that terminates TLS redirects plain http; behind it every
    # request reaches the app as http, so a redirect here would loop.
    "security.W008",
    # SECURE_HSTS_PRELOAD: joining browsers' preload lists binds the whole domain and is the
    # domain owner's decision, made at hstspreload.org, not one service's setting.
    "security.W021",
]

LOGGING_CONFIG = "logging.config.dictConfig"
LOGGING = logging_config(LOG_LEVEL, LOG_FORMAT)
