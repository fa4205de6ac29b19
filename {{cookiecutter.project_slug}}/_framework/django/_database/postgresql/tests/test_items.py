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


@pytest.mark.parametrize("body", ["not json", '{"name": ""}', '{"name": 5}', "[]"])
def test_invalid_items_are_refused(client: Client, body: str) -> None:
    response = client.post("/items", body, content_type="application/json")

    assert response.status_code == 400


def test_models_and_migrations_agree() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
