"""The one settings module (factors III and X): every deploy runs this file unchanged.

Development, CI, staging and production differ only in environment variables; ``example.env``
lists each of them. Start-up fails with a single message naming every missing or invalid one.
"""

from __future__ import annotations

import os
from pathlib import Path
{%- if cookiecutter.database == "postgresql" %}
from urllib.parse import parse_qsl, unquote, urlsplit
{%- endif %}

from {{ cookiecutter.project_slug }}.environment import Environment
from {{ cookiecutter.project_slug }}.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = Environment(os.environ)

DEBUG = env.boolean("DEBUG", default=False)
SECRET_KEY = env.secret("SECRET_KEY", allow_placeholder=DEBUG)
ALLOWED_HOSTS = env.csv("ALLOWED_HOSTS")

# Process model (factors VII, VIII, IX), read by gunicorn.conf.py.
PORT = env.integer("PORT", default=8000, minimum=1, maximum=65535)
WEB_CONCURRENCY = env.integer("WEB_CONCURRENCY", default=2, minimum=1, maximum=64)
GRACEFUL_TIMEOUT = env.integer("GRACEFUL_TIMEOUT", default=25, minimum=1, maximum=600)

LOG_LEVEL = env.choice("LOG_LEVEL", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
LOG_FORMAT = env.choice("LOG_FORMAT", default="json", choices=("json", "console"))

# Attached resources (factor IV): swapping one is a change of URL, not of code.
{%- if cookiecutter.database == "postgresql" %}
DATABASE_URL = env.url("DATABASE_URL", schemes=("postgres", "postgresql"))
{%- endif %}
REFERENCE_DATA_API_URL = env.url("REFERENCE_DATA_API_URL", schemes=("http", "https"))
REFERENCE_DATA_API_TOKEN = env.secret("REFERENCE_DATA_API_TOKEN", allow_placeholder=DEBUG)

env.check()

INSTALLED_APPS = [
    "django.contrib.staticfiles",
{%- if cookiecutter.database == "postgresql" %}
    "{{ cookiecutter.project_slug }}.items",
{%- endif %}
]

# No sessions, cookies or CSRF: this is a JSON API. Add them with django.contrib.auth if the
# service grows browser-facing pages.
MIDDLEWARE = [
    "{{ cookiecutter.project_slug }}.middleware.RequestLogMiddleware",
    # Probes answer before host validation: orchestrators call them by pod or container IP.
    "{{ cookiecutter.project_slug }}.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "{{ cookiecutter.project_slug }}.urls"
WSGI_APPLICATION = "{{ cookiecutter.project_slug }}.wsgi.application"
{%- if cookiecutter.database == "postgresql" %}


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
        # Fail a readiness probe quickly instead of hanging on an unreachable database.
        "OPTIONS": {"connect_timeout": 3, **options},
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

LOGGING_CONFIG = "logging.config.dictConfig"
LOGGING = logging_config(LOG_LEVEL, LOG_FORMAT)
