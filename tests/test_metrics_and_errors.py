"""The two observability switches besides OpenTelemetry, on real generated services under
gunicorn: Prometheus's /metrics (counts summed over every worker, 404 while off) and error
tracking (an unhandled error reaches a real Sentry-protocol receiver, without personal data).

The services run as in tests/test_telemetry.py: installed from their lock, started through their
Procfile on a real port, on a real PostgreSQL where they have one.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from support.faults import request as http_request
from support.otlp import otlp_receiver
from support.sentry import sentry_receiver
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
from support.template import DEFAULT_SLUG

pytestmark = pytest.mark.integration

# Requests are sent in rounds until both workers have answered some: which worker accepts a
# connection is the kernel's choice. A few at a time: a Django worker keeps one of its threads
# free for the probes and answers 503 beyond the rest.
ROUND = 20
CONCURRENT = 4
MAX_ROUNDS = 20
SCRAPES = 6
REQUESTS_LINE = re.compile(
    r'^http_requests_total\{method="GET",route="/",status="200"\} (?P<count>[0-9.e+]+)$',
    re.MULTILINE,
)
DURATION_COUNT_LINE = re.compile(
    r'^http_request_duration_seconds_count\{method="GET",route="/",status="200"\} '
    r"(?P<count>[0-9.e+]+)$",
    re.MULTILINE,
)

# A route that fails, added to each framework's app the way a bug in a view would fail. The
# server, its configuration and the rest of the app are the generated ones.
FAILING_APP = {
    "django": f"""
from django.urls import path

from {DEFAULT_SLUG}.wsgi import application as app
from {DEFAULT_SLUG} import urls


def fail(request):
    raise RuntimeError("deliberate failure")


urls.urlpatterns.append(path("__fail", fail))
""",
    "fastapi": f"""
from {DEFAULT_SLUG}.main import app


@app.get("/__fail")
def fail():
    raise RuntimeError("deliberate failure")
""",
}


@pytest.fixture(scope="module", params=service_combinations(*BEHAVIOUR_VARIABLES))
def installed(
    request: pytest.FixtureRequest, installed_service: Callable[[dict[str, Any]], Installed]
) -> Installed:
    return installed_service(request.param)


@pytest.fixture
def environment(
    installed: Installed, postgres_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> dict[str, str]:
    """A production deploy's values, two workers, a free port, a migrated database of its own,
    and a temporary directory of its own (TMPDIR) to look into."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    return deployed(
        installed,
        postgres_url,
        f"observability_{abs(hash(request.node.nodeid)) % 10**8}",
        PORT=str(free_port()),
        WEB_CONCURRENCY="2",
        TMPDIR=str(scratch),
    )


def serve(installed: Installed, env: dict[str, str], log_dir: Path, app: str = "") -> Server:
    command = procfile(installed.project)["web"] + (f" {app}" if app else "")
    server = start_server(installed, command, env, log_dir)
    server.wait_until_serving()
    return server


def _workers_with_counters(scratch: Path) -> set[str]:
    """The processes that have written request counters (prometheus_client's counter_<pid>.db)."""
    return {path.stem.rpartition("_")[2] for path in scratch.glob("prometheus-*/counter_*.db")}


def test_metrics_sum_the_requests_of_every_worker(
    installed: Installed, environment: dict[str, str], tmp_path: Path
) -> None:
    scratch = Path(environment["TMPDIR"])
    server = serve(installed, {**environment, "PROMETHEUS_METRICS": "true"}, tmp_path / "logs")
    sent = 0
    try:
        with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
            for _ in range(MAX_ROUNDS):
                answers = list(
                    pool.map(lambda _: http_request(server.port, "GET", "/"), range(ROUND))
                )
                assert {answer.status for answer in answers} == {200}, answers
                sent += ROUND
                if len(_workers_with_counters(scratch)) >= 2:
                    break
        workers = _workers_with_counters(scratch)
        scrapes = [http_request(server.port, "GET", "/metrics") for _ in range(SCRAPES)]
    finally:
        assert server.terminate() == 0, server.output()

    assert len(workers) == 2, f"after {sent} requests, counters from {workers}"
    for scrape in scrapes:
        assert scrape.status == 200, scrape
        assert scrape.headers["content-type"].startswith("text/plain"), scrape.headers
        text = scrape.body.decode()
        # Whichever worker answered the scrape, it counts every worker's requests.
        requests = REQUESTS_LINE.search(text)
        durations = DURATION_COUNT_LINE.search(text)
        assert requests and float(requests["count"]) == sent, text
        assert durations and float(durations["count"]) == sent, text
        assert 'route="/metrics"' not in text and 'route="/healthz"' not in text, text
    assert list(scratch.glob("prometheus-*")) == [], "the counters' directory outlived the server"


def test_metrics_are_off_by_default(
    installed: Installed, environment: dict[str, str], tmp_path: Path
) -> None:
    server = serve(installed, environment, tmp_path / "logs")
    try:
        answer = http_request(server.port, "GET", "/metrics")
    finally:
        assert server.terminate() == 0, server.output()

    assert answer.status == 404, answer
    assert list(Path(environment["TMPDIR"]).glob("prometheus-*")) == []


def test_an_unhandled_error_reaches_the_error_tracker_without_personal_data(
    installed: Installed, environment: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "failing_app.py").write_text(FAILING_APP[installed.framework])
    trace_id = secrets.token_hex(16)
    private = {
        "Cookie": "session=private-cookie-5d1c",
        "Authorization": "Bearer private-token-8e2a",
        "X-Forwarded-For": "203.0.113.77",
    }
    with sentry_receiver() as sentry, otlp_receiver() as collector:
        env = {
            **environment,
            "SENTRY_DSN": sentry.dsn,
            # With tracing on, the event also names the trace of the failed request.
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
            "PYTHONPATH": f"{tmp_path}{os.pathsep}{installed.project}",
        }
        server = serve(installed, env, tmp_path / "logs", app="failing_app:app")
        try:
            headers = {**private, "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"}
            answer = http_request(server.port, "GET", "/__fail", None, headers)
            events = sentry.wait_for_event()
        finally:
            assert server.terminate() == 0, server.output()
        sent = b"".join(sentry.raw)

    assert answer.status == 500, answer
    assert events, f"no event arrived; the server said:\n{server.output()}"
    failures = [
        event
        for event in events
        if any(
            value.get("type") == "RuntimeError"
            for value in event.get("exception", {}).get("values", [])
        )
    ]
    assert failures, events
    for event in failures:
        assert event["tags"]["request_id"] == answer.headers["x-request-id"], event
        assert event["tags"]["trace_id"] == trace_id, event
        assert "ip_address" not in event.get("user", {}), event
    for value in private.values():
        secret = value.split("=")[-1].split()[-1].encode()
        assert secret not in sent, f"{secret!r} reached the error tracker"
