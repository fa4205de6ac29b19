"""The attached-API client against a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from {{ cookiecutter.project_slug }}.reference_data import ReferenceDataClient, ReferenceDataError


class FakeReferenceApi(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.headers.get("Authorization") != "Bearer test-token":
            self.send_response(401)
            self.end_headers()
            return
        if self.path.startswith("/areas?postcode=SW1A"):
            body = json.dumps({"postcode": "SW1A", "deprivation_decile": 7}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(500)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@pytest.fixture
def api_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), FakeReferenceApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_lookup_sends_the_token_and_returns_the_json(api_url: str) -> None:
    client = ReferenceDataClient(api_url, "test-token")

    assert client.lookup("areas", postcode="SW1A") == {"postcode": "SW1A", "deprivation_decile": 7}
    client.close()


@pytest.mark.parametrize(
    ("token", "resource", "status"), [("wrong", "areas", 401), ("test-token", "broken", 500)]
)
def test_error_answers_become_reference_data_errors(
    api_url: str, token: str, resource: str, status: int
) -> None:
    client = ReferenceDataClient(api_url, token)

    with pytest.raises(ReferenceDataError, match=str(status)):
        client.lookup(resource)
    client.close()
