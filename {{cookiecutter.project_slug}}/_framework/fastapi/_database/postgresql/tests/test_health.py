import socket

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from {{ cookiecutter.project_slug }} import health
from {{ cookiecutter.project_slug }}.settings import settings


def test_liveness_answers_without_touching_dependencies(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_root_names_the_service(client: TestClient) -> None:
    assert client.get("/").json() == {"service": "{{ cookiecutter.project_slug }}"}


def test_probes_answer_whatever_the_host_header(client: TestClient) -> None:
    # Orchestrators probe by pod or container IP, which is not in ALLOWED_HOSTS.
    assert client.get("/healthz", headers={"Host": "10.1.2.3:8000"}).status_code == 200
    assert client.get("/", headers={"Host": "10.1.2.3:8000"}).status_code == 400


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
        health,
        "settings",
        settings.model_copy(update={"database_url": SecretStr(unreachable)}),
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable"}}
