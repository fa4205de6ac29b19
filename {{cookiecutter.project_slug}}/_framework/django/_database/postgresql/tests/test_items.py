from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from {{ cookiecutter.project_slug }}.items import views

from tests.reference_api import TOKEN, reference_api

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Iterator[str]:
    """The reference-data API, knowing about items named "lamp"."""
    with (
        reference_api({"/items?name=lamp": {"category": "lighting"}}) as url,
        override_settings(REFERENCE_DATA_API_URL=url, REFERENCE_DATA_API_TOKEN=TOKEN),
    ):
        views.reference_data.cache_clear()  # a client for this API, not the configured one
        yield url
    views.reference_data.cache_clear()


def test_created_items_are_listed_newest_first(client: Client) -> None:
    for name in ("first", "second"):
        response = client.post("/items", {"name": name}, content_type="application/json")
        assert response.status_code == 201

    listed = client.get("/items").json()["items"]

    assert [item["name"] for item in listed] == ["second", "first"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("not json", 400),
        ('{"name": NaN}', 400),
        ('{"name": ""}', 422),
        ('{"name": 5}', 422),
        ('{"name": "a\\u0000"}', 422),
        ("[]", 422),
    ],
)
def test_invalid_items_are_refused_as_json_errors(client: Client, body: str, status: int) -> None:
    response = client.post("/items", body, content_type="application/json")

    assert response.status_code == status
    assert set(response.json()) == {"error", "detail"}


def test_bodies_other_than_json_are_refused(client: Client) -> None:
    response = client.post("/items", "name=a", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415


def test_models_and_migrations_agree() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_an_item_is_shown_with_its_reference_data(client: Client, api: str) -> None:
    created = client.post("/items", {"name": "lamp"}, content_type="application/json").json()

    response = client.get(f"/items/{created['id']}")

    assert response.status_code == 200
    assert response.json() == {**created, "reference_data": {"category": "lighting"}}


def test_an_unknown_item_is_404(client: Client, api: str) -> None:
    response = client.get("/items/999999")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_a_failing_reference_data_api_is_503_with_retry_after(client: Client, api: str) -> None:
    created = client.post("/items", {"name": "unknown"}, content_type="application/json").json()

    response = client.get(f"/items/{created['id']}")

    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json()["error"] == "unavailable"
