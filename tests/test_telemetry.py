"""Telemetry from the environment, on real generated services: one request's spans reach a real
OTLP/HTTP receiver under the trace id its log line carries; without an endpoint nothing leaves.

The services run as in tests/test_service_contract.py: installed from their lock, started
through their Procfile under gunicorn on a real port, on a real PostgreSQL.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.faults import JSON
from support.faults import request as http_request
from support.otlp import Span, otlp_receiver
from support.service import (
    PRODUCTION,
    Installed,
    Server,
    create_database,
    procfile,
    service_combinations,
    start_server,
)
from support.system import free_port
from support.template import DEFAULT_SLUG

pytestmark = pytest.mark.integration

SERVER, CLIENT = 2, 3  # opentelemetry.proto.trace.v1.Span.SpanKind


@pytest.fixture(scope="module", params=service_combinations())
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
    overrides = {**PRODUCTION, "PORT": str(free_port())}
    if installed.database != "none":
        name = f"telemetry_{abs(hash(request.node.nodeid)) % 10**8}"
        overrides["DATABASE_URL"] = create_database(postgres_url, name)
    env = installed.environment(**overrides)
    release = installed.run(procfile(installed.project)["release"], env)
    assert release.returncode == 0, release.stdout + release.stderr
    return env


def one_request(installed: Installed, server: Server, headers: dict[str, str]) -> Any:
    """A request that reaches the database where there is one (its value must stay out of the
    spans), or the framework's 404 where there is none."""
    if installed.database == "none":
        return http_request(server.port, "GET", "/nothing-here", None, headers)
    body = json.dumps({"name": "private-7f3a9c-value"}).encode()
    return http_request(server.port, "POST", "/items", body, {**JSON, **headers})


def _is_database(span: Span) -> bool:
    return any(key in span.attributes for key in ("db.system", "db.system.name"))


def complete(installed: Installed, spans: list[Span]) -> bool:
    """The framework's span has arrived, and a database span where there is a database."""
    kinds = {span.kind for span in spans}
    return SERVER in kinds and (installed.database == "none" or any(map(_is_database, spans)))


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
    with otlp_receiver() as receiver:
        env = {
            **environment,
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

    assert answer.status in (201, 404), answer
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
        database = [span for span in by_kind.get(CLIENT, []) if _is_database(span)]
        assert database, spans
        assert all(span.parent_span_id for span in database)
        assert "private-7f3a9c-value" not in repr(spans), "a parameter value reached a span"
    # Request count and duration by route and status: one histogram, in each worker.
    durations = [
        attributes for name, attributes in metrics if name == "http.server.request.duration"
    ]
    assert any(
        attributes.get("http.response.status_code") == answer.status
        and attributes.get("http.request.method")
        == ("GET" if installed.database == "none" else "POST")
        and (
            installed.database == "none" or str(attributes.get("http.route")).strip("/") == "items"
        )
        for attributes in durations
    ), metrics


def test_without_an_endpoint_nothing_is_exported(
    installed: Installed, environment: dict[str, str], tmp_path: Path
) -> None:
    """The switch is OTEL_EXPORTER_OTLP_ENDPOINT: the per-signal endpoints alone, which the SDK
    would follow if it were set up, do not turn it on."""
    with otlp_receiver() as receiver:
        env = {
            **environment,
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
    log_line = request_log_line(server, answer.headers["x-request-id"])
    assert "trace_id" not in log_line, log_line


# No endpoint of the generated service calls the reference-data API yet, so its client is
# driven from a one-off process of the installed project, with the instrumentations that
# gunicorn.conf.py lists.
REFERENCE_DATA_CALL = """
import runpy
from {slug} import telemetry
from {slug}.reference_data import ReferenceDataClient, ReferenceDataError

telemetry.start(runpy.run_path("gunicorn.conf.py")["INSTRUMENTORS"])
client = ReferenceDataClient("{url}", "{token}")
try:
    client.lookup("countries", code="se")
except ReferenceDataError:
    pass  # the receiver answers GET with 501: the call is traced all the same
telemetry.shutdown()
"""


def test_reference_data_calls_are_client_spans_without_the_token(
    installed: Installed, environment: dict[str, str]
) -> None:
    token = "Tk" + secrets.token_hex(20)
    with otlp_receiver() as receiver:
        env = {**environment, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint}
        code = REFERENCE_DATA_CALL.format(slug=DEFAULT_SLUG, url=receiver.endpoint, token=token)
        result = installed.run([str(installed.bin / "python"), "-c", code], env, timeout=120)
        spans = list(receiver.spans)

    assert result.returncode == 0, result.stdout + result.stderr
    (client,) = [span for span in spans if span.kind == CLIENT]
    assert "/countries?code=se" in str(client.attributes.get("url.full")), client
    assert client.attributes.get("http.response.status_code") == 501, client
    assert token not in repr(spans), "the API token reached a span"
