"""The attached-API client against a real HTTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from {{ cookiecutter.project_slug }}.reference_data import ReferenceDataClient, ReferenceDataError

from tests.reference_api import TOKEN, reference_api

AREA = {"postcode": "SW1A", "deprivation_decile": 7}


@pytest.fixture
def api_url() -> Iterator[str]:
    with reference_api({"/areas?postcode=SW1A": AREA}) as url:
        yield url


def test_lookup_sends_the_token_and_returns_the_json(api_url: str) -> None:
    client = ReferenceDataClient(api_url, TOKEN)

    assert client.lookup("areas", postcode="SW1A") == AREA
    client.close()


@pytest.mark.parametrize(
    ("token", "resource", "status"), [("wrong", "areas", 401), (TOKEN, "broken", 500)]
)
def test_error_answers_become_reference_data_errors(
    api_url: str, token: str, resource: str, status: int
) -> None:
    client = ReferenceDataClient(api_url, token)

    with pytest.raises(ReferenceDataError, match=str(status)):
        client.lookup(resource)
    client.close()
