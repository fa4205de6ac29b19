import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


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
