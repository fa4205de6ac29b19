"""Telemetry from the environment, on real generated services: one request's spans (the
framework's, the database's and the reference-data client's) reach a real OTLP/HTTP receiver
under the trace id its log line carries; without an endpoint nothing leaves.

The services run as in tests/test_service_contract.py: installed from their lock, started
through their Procfile under gunicorn on a real port, on a real PostgreSQL.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.faults import JSON
from support.faults import request as http_request
from support.otlp import Span, otlp_receiver
from support.reference_api import ReferenceApi, reference_api
from support.service import (
    BEHAVIOUR_VARIABLES,
    Installed,
    Server,
    deployed,
    procfile,
    service_combinations,
    start_server,
)
from support.system import free_port

pytestmark = pytest.mark.integration

SERVER, CLIENT = 2, 3  # opentelemetry.proto.trace.v1.Span.SpanKind
# The item route as each framework writes it.
ITEM_ROUTES = {"items/{item_id}", "items/<int:item_id>"}
# A query's values stay out of its text: psycopg's %s, SQLAlchemy's %(name)s.
PLACEHOLDER = re.compile(r"%s|%\(\w+\)s")


@pytest.fixture(scope="module", params=service_combinations(*BEHAVIOUR_VARIABLES))
def installed(
    request: pytest.FixtureRequest, installed_service: Callable[[dict[str, Any]], Installed]
) -> Installed:
    return installed_service(request.param)


@pytest.fixture
def environment(
    installed: Installed, postgres_url: str, request: pytest.FixtureRequest
) -> dict[str, str]:
    """A production deploy's values (the release step's deploy check refuses development ones),
    a free port, a migrated database of its own; no OTEL_* yet."""
    return deployed(
        installed,
        postgres_url,
        f"telemetry_{abs(hash(request.node.nodeid)) % 10**8}",
        PORT=str(free_port()),
    )


def one_request(installed: Installed, server: Server, headers: dict[str, str]) -> Any:
    """Where there is a database, one item read back with its reference data: a request that
    queries the database and calls the reference-data API. Elsewhere, the framework's 404."""
    if installed.database == "none":
        return http_request(server.port, "GET", "/nothing-here", None, headers)
    body = json.dumps({"name": "lamp"}).encode()
    created = http_request(server.port, "POST", "/items", body, JSON)
    assert created.status == 201, created
    item_id = json.loads(created.body)["id"]
    return http_request(server.port, "GET", f"/items/{item_id}", None, headers)


def _is_database(span: Span) -> bool:
    return any(key in span.attributes for key in ("db.system", "db.system.name"))


def _is_reference_data(span: Span) -> bool:
    return span.kind == CLIENT and "url.full" in span.attributes


def complete(installed: Installed, spans: list[Span]) -> bool:
    """The framework's span has arrived, and the database's and the client's where there is a
    database (the endpoint that reads both)."""
    kinds = {span.kind for span in spans}
    return SERVER in kinds and (
        installed.database == "none"
        or (any(map(_is_database, spans)) and any(map(_is_reference_data, spans)))
    )


def serve(installed: Installed, env: dict[str, str], log_dir: Path) -> Server:
    server = start_server(installed, procfile(installed.project)["web"], env, log_dir)
    server.wait_until_serving()
    return server


def request_log_line(server: Server, request_id: str) -> dict[str, Any]:
    lines = [event for event in server.json_lines() if event.get("request_id") == request_id]
    finished = [event for event in lines if event["message"] == "request finished"]
    assert len(finished) == 1, lines
    return finished[0]


def test_one_request_is_one_trace_from_log_line_to_spans(
    installed: Installed, environment: dict[str, str], tmp_path: Path
) -> None:
    trace_id, parent_id = secrets.token_hex(16), secrets.token_hex(8)
    with otlp_receiver() as receiver, reference_api({"category": "lighting"}) as api:
        env = {
            **environment,
            "REFERENCE_DATA_API_URL": api.url,
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_SERVICE_NAME": "telemetry-under-test",
            # Export as soon as the request ends, not after the default 5 s batch delay.
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        }
        server = serve(installed, env, tmp_path)
        try:
            # An upstream service's trace, continued here.
            answer = one_request(
                installed, server, {"traceparent": f"00-{trace_id}-{parent_id}-01"}
            )
            spans = receiver.wait_for_spans(trace_id, lambda found: complete(installed, found))
        finally:
            assert server.terminate() == 0, server.output()
        metrics = list(receiver.metrics)  # flushed by each worker as it exits

    assert answer.status in (200, 404), answer
    log_line = request_log_line(server, answer.headers["x-request-id"])
    assert log_line["trace_id"] == trace_id, log_line
    by_kind: dict[int, list[Span]] = {}
    for span in spans:
        by_kind.setdefault(span.kind, []).append(span)
    assert {span.service_name for span in spans} == {"telemetry-under-test"}, spans
    (framework,) = by_kind.get(SERVER, []) or [None]
    assert framework is not None, spans
    assert framework.parent_span_id == parent_id, framework
    assert log_line["span_id"] in {span.span_id for span in spans}, (log_line, spans)
    if installed.database != "none":
        assert json.loads(answer.body)["reference_data"] == {"category": "lighting"}
        check_database_and_client_spans(spans, api, environment["REFERENCE_DATA_API_TOKEN"])
    # Request count and duration by route and status: one histogram, in each worker.
    durations = [
        attributes for name, attributes in metrics if name == "http.server.request.duration"
    ]
    assert any(
        attributes.get("http.response.status_code") == answer.status
        and attributes.get("http.request.method") == "GET"
        and (
            installed.database == "none"
            or str(attributes.get("http.route")).strip("/") in ITEM_ROUTES
        )
        for attributes in durations
    ), metrics


def test_without_an_endpoint_nothing_is_exported(
    installed: Installed, environment: dict[str, str], tmp_path: Path
) -> None:
    """The switch is OTEL_EXPORTER_OTLP_ENDPOINT: the per-signal endpoints alone, which the SDK
    would follow if it were set up, do not turn it on."""
    with otlp_receiver() as receiver, reference_api({"category": "lighting"}) as api:
        env = {
            **environment,
            "REFERENCE_DATA_API_URL": api.url,
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{receiver.endpoint}/v1/traces",
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": f"{receiver.endpoint}/v1/metrics",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        }
        server = serve(installed, env, tmp_path)
        try:
            answer = one_request(
                installed,
                server,
                {"traceparent": f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"},
            )
        finally:
            assert server.terminate() == 0, server.output()
        received = list(receiver.paths)

    assert received == [], received
    assert answer.status in (200, 404), answer
    log_line = request_log_line(server, answer.headers["x-request-id"])
    assert "trace_id" not in log_line, log_line


def check_database_and_client_spans(spans: list[Span], api: ReferenceApi, token: str) -> None:
    """The item's query, under the request's span and without its values; the reference-data
    call, as a client span without the API token."""
    database = [span for span in spans if _is_database(span)]
    assert database and all(span.parent_span_id for span in database), spans
    assert not any("parameter" in key for span in database for key in span.attributes), spans
    queries = [
        str(span.attributes.get("db.statement") or span.attributes.get("db.query.text"))
        for span in database
    ]
    # The item's own query (a connection's first also asks for the server's version).
    item_queries = [query for query in queries if "items" in query]
    assert item_queries and all(map(PLACEHOLDER.search, item_queries)), queries
    (client,) = [span for span in spans if _is_reference_data(span)]
    assert client.parent_span_id, client
    assert client.attributes.get("http.response.status_code") == 200, client
    (path, authorization) = api.requests[-1]
    assert path.startswith("/api/v1/items?name="), api.requests
    assert authorization == f"Bearer {token}"
    assert token not in repr(spans), "the API token reached a span"
