"""Telemetry is switched by OTEL_EXPORTER_OTLP_ENDPOINT alone, and costs nothing while off."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest
from opentelemetry.sdk.trace import TracerProvider

from {{ cookiecutter.project_slug }} import logs, telemetry


@pytest.mark.parametrize(
    ("environ", "on"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": " "}, False),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "True"},
            False,
        ),
    ],
)
def test_the_endpoint_switches_telemetry(environ: dict[str, str], on: bool) -> None:
    assert telemetry.enabled(environ) is on


def test_off_imports_nothing_of_opentelemetry() -> None:
    code = (
        "import sys\n"
        "from {{ cookiecutter.project_slug }} import telemetry\n"
        "assert telemetry.start(['opentelemetry.instrumentation.httpx:HTTPXClientInstrumentor'])"
        " is False\n"
        "print(sorted(name for name in sys.modules if name.startswith('opentelemetry')))\n"
    )
    environ = {"PATH": "", "PYTHONPATH": ":".join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_log_lines_in_a_span_carry_its_trace_and_span_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(logs, "trace_ids", telemetry.current_trace_ids)
    tracer = TracerProvider().get_tracer(__name__)
    record = logging.makeLogRecord({"name": "demo", "levelname": "INFO", "msg": "inside"})
    with tracer.start_as_current_span("request") as span:
        logs.RequestIdFilter().filter(record)
        context = span.get_span_context()

    event = json.loads(logs.JsonFormatter().format(record))

    assert event["trace_id"] == f"{context.trace_id:032x}"
    assert event["span_id"] == f"{context.span_id:016x}"


def test_log_lines_outside_a_span_have_no_trace_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "trace_ids", telemetry.current_trace_ids)
    record = logging.makeLogRecord({"name": "demo", "levelname": "INFO", "msg": "outside"})
    logs.RequestIdFilter().filter(record)

    assert "trace_id" not in json.loads(logs.JsonFormatter().format(record))
