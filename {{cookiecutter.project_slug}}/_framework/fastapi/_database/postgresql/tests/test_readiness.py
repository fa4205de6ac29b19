import socket

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from {{ cookiecutter.project_slug }} import readiness
from {{ cookiecutter.project_slug }}.settings import settings


def test_readiness_checks_the_database(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_readiness_fails_while_the_database_is_unreachable(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = f"postgresql://postgres@127.0.0.1:{_closed_port()}/postgres"
    monkeypatch.setattr(
        readiness,
        "settings",
        settings.model_copy(update={"database_url": SecretStr(unreachable)}),
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable"}}
