from collections.abc import Iterator

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.items import reference_data
from {{ cookiecutter.project_slug }}.main import app
from {{ cookiecutter.project_slug }}.reference_data import ReferenceDataClient

from tests.reference_api import TOKEN, reference_api
from tools.devenv import PROJECT_DIR


@pytest.fixture
def api() -> Iterator[str]:
    """The reference-data API, knowing about items named "lamp"."""
    with reference_api({"/items?name=lamp": {"category": "lighting"}}) as url:
        client = ReferenceDataClient(url, TOKEN)
        app.dependency_overrides[reference_data] = lambda: client
        yield url
        del app.dependency_overrides[reference_data]
        client.close()


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


def test_an_item_is_shown_with_its_reference_data(client: TestClient, api: str) -> None:
    created = client.post("/items", json={"name": "lamp"}).json()

    response = client.get(f"/items/{created['id']}")

    assert response.status_code == 200
    assert response.json() == {**created, "reference_data": {"category": "lighting"}}


# A number beyond the id column's range is refused before it reaches the database.
@pytest.mark.parametrize(("item_id", "status"), [(999_999, 404), (2**63, 422), (0, 422)])
def test_an_item_that_does_not_exist_is_refused(
    client: TestClient, api: str, item_id: int, status: int
) -> None:
    response = client.get(f"/items/{item_id}")

    assert response.status_code == status
    assert set(response.json()) == {"error", "detail"}


def test_a_failing_reference_data_api_is_503_with_retry_after(client: TestClient, api: str) -> None:
    created = client.post("/items", json={"name": "unknown"}).json()

    response = client.get(f"/items/{created['id']}")

    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.json()["error"] == "unavailable"
