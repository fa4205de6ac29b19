"""The service contract, run against real generated services: installed from their lock, started
through their Procfile on a real port, talking to a real PostgreSQL.

The project's own test suite runs in tests/test_ci_targets.py, through `make test` as its CI
runs it. The contract is framework-independent: it knows a service only by its files (Procfile,
example.env) and its HTTP and process behaviour. Where frameworks differ on purpose, the
difference is written down once, in ``SLOW_APP`` (tests/support/service.py).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.faults import (
    BAD_REQUESTS,
    CONTRACT_FIGURES,
    JSON,
    Answer,
    InFlight,
    error_contract_problems,
    frozen,
    latency_summary,
    start_postgres,
    stop_postgres,
    wait_for,
)
from support.faults import request as http_request
from support.reference_api import reference_api
from support.service import (
    BEHAVIOUR_VARIABLES,
    PRODUCTION,
    SLOW_APP,
    Installed,
    Server,
    create_database,
    http_get,
    procfile,
    service_combinations,
    start_server,
    tree_snapshot,
)
from support.system import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=service_combinations(*BEHAVIOUR_VARIABLES))
def installed(
    request: pytest.FixtureRequest, installed_service: Callable[[dict[str, Any]], Installed]
) -> Installed:
    return installed_service(request.param)


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}


def record(request: pytest.FixtureRequest, installed: Installed, line: str) -> None:
    """A measured figure, shown in the test output's "contract figures" section."""
    name = f"framework={installed.framework}-database={installed.database}"
    request.node.user_properties.append((CONTRACT_FIGURES, f"{name}: {line}"))


@pytest.fixture
def service_env(installed: Installed, postgres_url: str, request: pytest.FixtureRequest):
    """A production deploy's environment: example.env values with production secrets and
    DEBUG off, a free port, a fresh database."""
    overrides = {**PRODUCTION, "PORT": str(free_port())}
    if installed.database != "none":
        name = f"contract_{abs(hash(request.node.nodeid)) % 10**8}"
        overrides["DATABASE_URL"] = create_database(postgres_url, name)
    return installed.environment(**overrides)


@pytest.fixture
def serving(installed: Installed, service_env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    """The release process, then the web process, serving; stopped (exit 0) afterwards."""
    processes = procfile(installed.project)
    release = installed.run(processes["release"], service_env)
    assert release.returncode == 0, release.stdout + release.stderr
    server = start_server(installed, processes["web"], service_env, tmp_path / "web")
    try:
        server.wait_until_serving()
        yield server
    finally:
        assert server.terminate() == 0, server.output()


def test_release_then_web_answers_probes_with_json_logs(
    installed: Installed, service_env: dict[str, str], tmp_path: Path
) -> None:
    processes = procfile(installed.project)
    assert set(processes) == {"web", "release"}

    release = installed.run(processes["release"], service_env)
    assert release.returncode == 0, release.stdout + release.stderr

    before = tree_snapshot(installed.project)
    server = start_server(installed, processes["web"], service_env, tmp_path)
    try:
        server.wait_until_serving()
        status, body, headers = http_get(server.base_url + "/readyz")
        assert status == 200, body
        expected_checks = {} if installed.database == "none" else {"database": "ok"}
        assert body.replace(" ", "") == (
            '{"status":"ok","checks":'
            + str(expected_checks).replace("'", '"').replace(" ", "")
            + "}"
        )
        assert len(headers["x-request-id"]) == 32
        status, _, _ = http_get(server.base_url + "/no-such-page")
        assert status == 404
    finally:
        assert server.terminate() == 0, server.output()

    events = server.json_lines()
    requests = [event for event in events if event.get("message") == "request finished"]
    assert [(event["path"], event["status"]) for event in requests] == [("/no-such-page", 404)]
    assert requests[0]["request_id"]
    assert tree_snapshot(installed.project) == before, "the service wrote under the project"


# Each row: variables changed from a valid production environment, text the one message must
# contain, and text it must not (secrets, or a fragment of one).
BAD_CONFIGURATION = {
    "several at once": (
        {"PORT": "not-a-port", "ALLOWED_HOSTS": None, "SECRET_KEY": "change-me"},
        ["ALLOWED_HOSTS is missing", "PORT='not-a-port'", "SECRET_KEY holds a placeholder"],
        ["change-me"],
    ),
    "decorated integers": (
        {"PORT": " 8080", "WEB_CONCURRENCY": "1_0", "GRACEFUL_TIMEOUT": "\u0663\u0660"},
        ["PORT=' 8080'", "WEB_CONCURRENCY='1_0'", "GRACEFUL_TIMEOUT="],
        [],
    ),
    "short secret": (
        {"SECRET_KEY": "s3cr3t-but-only-40-characters-long-xxxxxxx"},
        ["SECRET_KEY is shorter than 50 characters"],
        ["s3cr3t"],
    ),
    "drain longer than the graceful timeout": (
        {"DRAIN_SECONDS": "30", "GRACEFUL_TIMEOUT": "25"},
        ["DRAIN_SECONDS=30 must be less than GRACEFUL_TIMEOUT=25"],
        [],
    ),
    "reference URL with an unknown scheme": (
        {"REFERENCE_DATA_API_URL": "ftp://user:hunter2pw@example.org/api"},
        ["REFERENCE_DATA_API_URL is not a URL with scheme http or https"],
        ["hunter2pw"],
    ),
}
BAD_DATABASE_URLS = {
    "unencoded / in the password": (
        "postgresql://app:pa/ss-w0rd@db.internal:5432/app",
        "reserved characters",
    ),
    "port out of range": ("postgresql://app:pa55-w0rd@db.internal:70000/app", "port"),
    "unknown scheme": ("mysql://app:pa55-w0rd@db.internal:5432/app", "scheme postgres"),
    "non-ASCII port digits": (
        "postgresql://app:pa55-w0rd@db.internal:\u0665\u0664\u0663\u0662/app",
        "percent-encoded",
    ),
}


def bad_configuration_rows(
    database: str,
) -> list[tuple[str, dict[str, str | None], list[str], list[str]]]:
    rows = [(name, *row) for name, row in BAD_CONFIGURATION.items()]
    if database != "none":
        for name, (url, expected) in BAD_DATABASE_URLS.items():
            rows.append(
                (
                    f"DATABASE_URL: {name}",
                    {"DATABASE_URL": url},
                    [expected],
                    ["pa55-w0rd", "pa/ss", "ss-w0rd"],
                )
            )
    return rows


def test_bad_configuration_fails_fast_with_one_message(
    installed: Installed, service_env: dict[str, str], tmp_path: Path
) -> None:
    """Both Procfile processes refuse each bad environment: exit status not 0, one message that
    names every problem, no traceback, no part of any secret."""
    failures = []
    for name, changes, expected, secret in bad_configuration_rows(installed.database):
        env = dict(service_env)
        for variable, value in changes.items():
            if value is None:
                env.pop(variable, None)
            else:
                env[variable] = value
        for process, command in procfile(installed.project).items():
            completed = installed.run(command, env, timeout=120)
            output = completed.stdout + completed.stderr
            problems = [
                *(["exit status 0"] if completed.returncode == 0 else []),
                *(["a traceback"] if "Traceback" in output else []),
                *(f"no {text!r}" for text in expected if text not in output),
                *(f"leaks {text!r}" for text in secret if text in output),
                *(["not one message"] if output.count("Configuration error") != 1 else []),
            ]
            if problems:
                failures.append(f"{name} ({process}): {', '.join(problems)}\n{output[-1500:]}")
    assert not failures, "\n".join(failures)


def test_sigterm_lets_the_in_flight_request_finish(
    installed: Installed, service_env: dict[str, str], tmp_path: Path
) -> None:
    source = SLOW_APP[installed.framework]
    wrapper_dir = tmp_path / "wrapper"
    wrapper_dir.mkdir()
    (wrapper_dir / "slow_app.py").write_text(source)
    env = {**service_env, "PYTHONPATH": f"{wrapper_dir}{os.pathsep}{installed.project}"}
    command = f"{procfile(installed.project)['web']} slow_app:app"
    server = start_server(installed, command, env, tmp_path / "logs")
    server.wait_until_serving()

    answers: list[tuple[int, str]] = []
    request = threading.Thread(
        target=lambda: answers.append(http_get(server.base_url + "/__slow?2", timeout=30)[:2])
    )
    request.start()
    time.sleep(0.5)  # the request is now inside the app
    started = time.monotonic()
    status = server.terminate()
    request.join(timeout=30)

    assert answers == [(200, "finished")], server.output()
    assert status == 0, server.output()
    assert time.monotonic() - started < int(env["GRACEFUL_TIMEOUT"]), "drain took the whole timeout"


def test_migrations_run_only_as_the_release_process(
    installed: Installed, service_env: dict[str, str], tmp_path: Path
) -> None:
    if installed.database == "none":
        pytest.skip("database=none has no migrations")
    import psycopg

    server = start_server(installed, procfile(installed.project)["web"], service_env, tmp_path)
    try:
        server.wait_until_serving("/readyz")
    finally:
        assert server.terminate() == 0
    with psycopg.connect(service_env["DATABASE_URL"]) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,), "starting the web process created tables"


def test_bad_requests_get_the_json_error_contract(
    installed: Installed, serving: Server, request: pytest.FixtureRequest
) -> None:
    failures = []
    for name, (method, path, headers, body, status, needs_database) in BAD_REQUESTS.items():
        if needs_database and installed.database == "none":
            continue
        answer = http_request(serving.port, method, path, body, headers)
        problems = error_contract_problems(answer, status)
        if problems:
            failures.append(f"{name}: {'; '.join(problems)}: {answer.body[:300]!r}")
    # The service still works afterwards.
    assert http_get(serving.base_url + "/readyz")[0] == 200
    assert not failures, "\n".join(failures)


def test_security_headers_hsts_and_no_schema_without_debug(serving: Server) -> None:
    for path in ("/healthz", "/", "/no-such-page"):
        answer = http_request(serving.port, "GET", path)
        missing = {
            name: value
            for name, value in SECURITY_HEADERS.items()
            if answer.headers.get(name) != value
        }
        assert not missing, f"{path}: {missing} missing or different in {answer.headers}"
        assert "strict-transport-security" not in answer.headers, "HSTS over plain http"
    over_tls = http_request(serving.port, "GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
    assert over_tls.headers.get("strict-transport-security", "").startswith("max-age=31536000")
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert http_request(serving.port, "GET", path).status == 404, (
            f"{path} served with DEBUG=false"
        )


def test_unhandled_error_is_one_json_log_line_with_the_request_id(
    installed: Installed, service_env: dict[str, str], tmp_path: Path
) -> None:
    """Without its release step the database has no tables: a real unhandled error."""
    if installed.database == "none":
        pytest.skip("database=none has no endpoint that can fail on a backing service")
    marker = "private-7f3a9c-payload"
    server = start_server(installed, procfile(installed.project)["web"], service_env, tmp_path)
    try:
        server.wait_until_serving()
        body = json.dumps({"name": marker}).encode()
        answer = http_request(server.port, "POST", "/items", body, JSON)
    finally:
        assert server.terminate() == 0, server.output()

    assert not error_contract_problems(answer, 500), answer
    events = server.json_lines()  # every line of stdout is one JSON object
    failures = [event for event in events if event.get("level") == "ERROR"]
    assert len(failures) == 1, failures
    assert failures[0]["request_id"] == answer.headers["x-request-id"]
    assert "Traceback" in str(failures[0].get("exception")), failures[0]
    output = server.output()
    assert marker not in output, "the request body reached the logs"
    assert "color_message" not in output


def test_database_stopped_frozen_and_back(
    installed: Installed,
    service_env: dict[str, str],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    """Its own PostgreSQL server, stopped (pg_ctl stop), started, then frozen (SIGSTOP on
    every process) with requests in flight: database-bound requests answer 503 JSON with
    Retry-After or wait, the probes answer within their bounds, and the service recovers."""
    if installed.database == "none":
        pytest.skip("database=none has no database to lose")
    from support.images import TcpPostgres

    database = TcpPostgres.start()
    try:
        env = {**service_env, "DATABASE_URL": create_database(database.server_url, "faults")}
        env["DATABASE_TIMEOUT"] = "3"
        release = installed.run(procfile(installed.project)["release"], env)
        assert release.returncode == 0, release.stdout + release.stderr
        server = start_server(installed, procfile(installed.project)["web"], env, tmp_path)
        try:
            server.wait_until_serving("/readyz")
            check_database_faults(server, database, lambda line: record(request, installed, line))
        finally:
            assert server.terminate() == 0, server.output()
    finally:
        database.stop()


# Requests sent while the database is frozen; more than the service's worker threads.
IN_FLIGHT = 40
PROBES = 8
# The contract's bounds: /readyz within 1 s whatever the database does; /healthz fast (the
# contract says under 100 ms; each probe gets a margin for this shared 2-core machine, the
# median does not).
READYZ_BOUND = 1.0
HEALTHZ_MEDIAN_BOUND = 0.1
HEALTHZ_BOUND = 0.5


def check_database_faults(server: Server, database: Any, figure: Callable[[str], None]) -> None:
    item = json.dumps({"name": "fault"}).encode()
    assert http_request(server.port, "POST", "/items", item, JSON).status == 201

    stop_postgres(database)
    for method, body in (("GET", None), ("POST", item)):
        answer = http_request(server.port, method, "/items", body, JSON if body else {})
        assert not error_contract_problems(answer, 503), (method, answer)
    ready = http_request(server.port, "GET", "/readyz")
    assert ready.status == 503 and ready.seconds < READYZ_BOUND, ready
    assert http_request(server.port, "GET", "/healthz").status == 200

    start_postgres(database)
    recovered = wait_for(
        lambda: http_request(server.port, "GET", "/items").status == 200, timeout=30
    )
    assert recovered is not None, "no recovery within 30 s of the database's restart"
    figure(f"database restarted: /items answered 200 again after {recovered:.2f} s")

    readyz: list[float] = []
    healthz: list[float] = []
    in_flight = InFlight()
    with frozen(database.data):
        in_flight.send(IN_FLIGHT, lambda: http_request(server.port, "GET", "/items", timeout=60))
        time.sleep(0.5)  # the requests are now waiting on the frozen database
        for _ in range(PROBES):
            ready = http_request(server.port, "GET", "/readyz", timeout=10)
            assert ready.status == 503, ready
            readyz.append(ready.seconds)
            health = http_request(server.port, "GET", "/healthz", timeout=10)
            assert health.status == 200, health
            healthz.append(health.seconds)
            time.sleep(0.25)
    in_flight.join(timeout=60)
    outcomes = in_flight.outcomes()
    figure(f"frozen database, {IN_FLIGHT} /items in flight: /readyz {latency_summary(readyz)}")
    figure(f"frozen database, {IN_FLIGHT} /items in flight: /healthz {latency_summary(healthz)}")
    figure(f"frozen database: the {IN_FLIGHT} in-flight requests ended {dict(outcomes)}")
    assert max(readyz) < READYZ_BOUND, readyz
    assert statistics.median(healthz) < HEALTHZ_MEDIAN_BOUND, healthz
    assert max(healthz) < HEALTHZ_BOUND, healthz
    # Each one answered: data, or the contract's 503; none reset, none a 500.
    assert set(outcomes) <= {"200", "503"}, outcomes
    assert sum(outcomes.values()) == IN_FLIGHT, outcomes
    for answer in in_flight.answers:
        if answer.status == 503:
            assert not error_contract_problems(answer, 503), answer

    back = wait_for(lambda: http_request(server.port, "GET", "/readyz").status == 200, timeout=30)
    assert back is not None, "/readyz did not recover after the database thawed"
    assert http_request(server.port, "GET", "/items").status == 200


# The bounded load of the drain test: threads, and requests each sends at most.
LOAD_THREADS = 6
LOAD_REQUESTS_PER_THREAD = 150
DRAIN_SECONDS = 3
# How long the simulated load balancer keeps sending after it first sees /readyz fail.
BALANCER_DELAY = 0.5


def test_sigterm_drains_under_load_without_resets(
    installed: Installed,
    service_env: dict[str, str],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    """A bounded loopback load through a simulated load balancer that polls /readyz: on
    SIGTERM the service fails readiness while it still serves, the balancer stops sending, the
    service stops and exits 0. No request that reached the socket is reset or lost."""
    env = {**service_env, "DRAIN_SECONDS": str(DRAIN_SECONDS)}
    processes = procfile(installed.project)
    release = installed.run(processes["release"], env)
    assert release.returncode == 0, release.stdout + release.stderr
    server = start_server(installed, processes["web"], env, tmp_path)
    server.wait_until_serving("/readyz")
    path = "/items" if installed.database != "none" else "/"

    balancer_sending = threading.Event()
    balancer_sending.set()
    answers: list[Answer] = []
    lock = threading.Lock()

    def load() -> None:
        for _ in range(LOAD_REQUESTS_PER_THREAD):
            if not balancer_sending.is_set():
                return
            answer = http_request(server.port, "GET", path, timeout=30)
            with lock:
                answers.append(answer)

    threads = [threading.Thread(target=load, daemon=True) for _ in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    served_before = len(answers)
    sent_at = time.monotonic()
    server.process.send_signal(signal.SIGTERM)

    not_ready_after = wait_for(
        lambda: http_request(server.port, "GET", "/readyz", timeout=5).status == 503,
        timeout=DRAIN_SECONDS,
        interval=0.1,
    )
    assert not_ready_after is not None, "/readyz did not fail during the drain"
    time.sleep(BALANCER_DELAY)
    during_drain = http_request(server.port, "GET", path)
    balancer_sending.clear()
    for thread in threads:
        thread.join(timeout=60)
    status = server.process.wait(timeout=int(env["GRACEFUL_TIMEOUT"]) + 10)
    stopped_after = time.monotonic() - sent_at

    outcomes = {}
    for answer in answers:
        key = answer.failure or str(answer.status)
        outcomes[key] = outcomes.get(key, 0) + 1
    resets = sum(count for key, count in outcomes.items() if not key.isdigit())
    record(
        request,
        installed,
        f"SIGTERM under load: {len(answers)} requests ({served_before} before the signal), "
        f"outcomes {outcomes}, resets {resets}; /readyz failed after {not_ready_after:.2f} s; "
        f"exit {status} after {stopped_after:.2f} s",
    )
    assert during_drain.status == 200, f"not served during the drain: {during_drain}"
    assert resets == 0, outcomes
    assert set(outcomes) == {"200"}, outcomes
    assert status == 0, server.output()


def test_an_item_is_read_with_its_reference_data_and_503_while_the_api_is_down(
    installed: Installed, service_env: dict[str, str], tmp_path: Path
) -> None:
    """The reference-data API is an attached resource like the database: its answer joins the
    stored item, and while it is unreachable the request gets the contract's 503."""
    if installed.database == "none":
        pytest.skip("items, and so the endpoint that reads one, need the database")
    processes = procfile(installed.project)
    server = None
    try:
        with reference_api({"category": "lighting"}) as api:
            env = {**service_env, "REFERENCE_DATA_API_URL": api.url}
            release = installed.run(processes["release"], env)
            assert release.returncode == 0, release.stdout + release.stderr
            server = start_server(installed, processes["web"], env, tmp_path / "web")
            server.wait_until_serving()
            body = json.dumps({"name": "lamp"}).encode()
            created = http_request(server.port, "POST", "/items", body, JSON)
            assert created.status == 201, created
            path = f"/items/{created.json()['id']}"
            up = http_request(server.port, "GET", path)
        # The API's port now refuses connections.
        down = http_request(server.port, "GET", path)
    finally:
        if server is not None:
            assert server.terminate() == 0, server.output()

    assert up.status == 200, up
    assert up.json() == {**created.json(), "reference_data": {"category": "lighting"}}
    assert error_contract_problems(down, 503) == [], down
