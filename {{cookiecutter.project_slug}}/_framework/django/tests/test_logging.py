import logging

import pytest
from django.test import Client

REQUEST_LOGGER = "{{ cookiecutter.project_slug }}.requests"


def test_each_request_gets_an_id_and_one_log_event(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=REQUEST_LOGGER):
        response = client.get("/no-such-page")

    assert response.status_code == 404
    assert len(response["X-Request-ID"]) == 32
    [event] = [vars(record) for record in caplog.records if record.name == REQUEST_LOGGER]
    assert (event["method"], event["path"], event["status"]) == ("GET", "/no-such-page", 404)


def test_an_upstream_request_id_is_kept_and_a_malformed_one_replaced(client: Client) -> None:
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="edge-42")
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")

    assert kept["X-Request-ID"] == "edge-42"
    assert replaced["X-Request-ID"] != "bad id\nwith newline"
