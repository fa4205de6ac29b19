import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient

from tools.devenv import PROJECT_DIR


def test_created_items_are_listed_newest_first(client: TestClient) -> None:
    names = ["first", "second"]
    for name in names:
        response = client.post("/items", json={"name": name})
        assert response.status_code == 201

    listed = [item["name"] for item in client.get("/items").json()["items"]]

    assert listed[:2] == ["second", "first"]


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "   "}, {"name": 5}, {}, []])
def test_invalid_items_are_refused(client: TestClient, body: object) -> None:
    response = client.post("/items", json=body)

    assert response.status_code == 422


def test_models_and_migrations_agree(migrated: None) -> None:
    # Fails with the differences when a model changed without a migration.
    command.check(Config(str(PROJECT_DIR / "alembic.ini")))
