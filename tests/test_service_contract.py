"""The service contract, run against real generated services: installed from their lock, started
through their Procfile on a real port, talking to a real PostgreSQL.

The project's own test suite runs in tests/test_ci_targets.py, through `make test` as its CI
runs it. The contract is framework-independent: it knows a service only by its files (Procfile,
example.env) and its HTTP and process behaviour. Where frameworks differ on purpose, the
difference is written down once, in ``SLOW_APP`` (tests/support/service.py).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.service import (
    SLOW_APP,
    Installed,
    create_database,
    http_get,
    procfile,
    service_combinations,
    start_server,
    tree_snapshot,
)
from support.system import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=service_combinations())
def installed(
    request: pytest.FixtureRequest, installed_service: Callable[[dict[str, Any]], Installed]
) -> Installed:
    return installed_service(request.param)


@pytest.fixture
def service_env(installed: Installed, postgres_url: str, request: pytest.FixtureRequest):
    """A deploy's environment: example.env values, a free port, a fresh database."""
    overrides = {"PORT": str(free_port()), "WEB_CONCURRENCY": "2"}
    if installed.database != "none":
        name = f"contract_{abs(hash(request.node.nodeid)) % 10**8}"
        overrides["DATABASE_URL"] = create_database(postgres_url, name)
    return installed.environment(**overrides)


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


def test_bad_configuration_fails_fast_with_one_message(
    installed: Installed, service_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**service_env, "DEBUG": "false", "PORT": "not-a-port"}
    del env["ALLOWED_HOSTS"]
    server = start_server(installed, procfile(installed.project)["web"], env, tmp_path)
    status = server.process.wait(timeout=30)
    output = server.output()

    assert status != 0
    assert "Traceback" not in output
    for problem in (
        "ALLOWED_HOSTS is missing",
        "PORT='not-a-port'",
        "SECRET_KEY holds a placeholder",
    ):
        assert problem in output
    assert "change-me" not in output


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
