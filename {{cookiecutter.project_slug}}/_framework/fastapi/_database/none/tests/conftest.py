"""Test set-up: example.env's values."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tools.devenv import PROJECT_DIR, read_env_file


def pytest_configure(config: pytest.Config) -> None:
    for name, value in read_env_file(PROJECT_DIR / "example.env").items():
        os.environ.setdefault(name, value)


@pytest.fixture
def client() -> Iterator[TestClient]:
    from {{ cookiecutter.project_slug }}.main import app

    with TestClient(app, base_url="http://localhost") as test_client:
        yield test_client
