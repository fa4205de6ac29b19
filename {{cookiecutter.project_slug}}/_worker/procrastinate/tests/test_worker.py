"""The worker process for real: the Procfile's processes on a fresh PostgreSQL database.

The release one-off creates the schema (the queue's too), the web process defers jobs through
the endpoint and a worker process runs them. A row lock taken by the test holds a job mid-way,
so that SIGTERM and SIGKILL land while it runs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from psycopg import sql

from tools.devenv import PROJECT_DIR

# A deadline for what the processes do, not a speed requirement: generous for a busy CI runner.
WAIT_SECONDS = 90
# Platforms run Procfile lines with bash, which execs a single command: signals reach it.
BASH = shutil.which("bash") or "/bin/bash"


def procfile() -> dict[str, str]:
    lines = (PROJECT_DIR / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def wait_for(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {WAIT_SECONDS} s waiting for {what}")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Stack:
    """A database of its own, the environment every process gets, and the processes started."""

    def __init__(self, database_url: str, log_dir: Path) -> None:
        self.database_url = database_url
        self.log_dir = log_dir
        self.port = free_port()
        self.environment = {
            **os.environ,
            # The Procfile's commands, as the platform runs them: from this environment's tools.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "DATABASE_URL": database_url,
            "PORT": str(self.port),
            # The test holds row locks for seconds: longer than that, before a job gives up.
            "DATABASE_TIMEOUT": "60",
            "WORKER_SHUTDOWN_TIMEOUT": "20",
            "LOG_FORMAT": "json",
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def run(self, command: str) -> None:
        done = subprocess.run(
            [BASH, "-c", f"exec {command}"],
            cwd=PROJECT_DIR,
            env=self.environment,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"

    def start(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            [BASH, "-c", f"exec {procfile()[name]}"],
            cwd=PROJECT_DIR,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = Path(log.name)  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    def job_status(self, job_id: int) -> str | None:
        with psycopg.connect(self.database_url) as connection:
            row = connection.execute(
                "SELECT status FROM procrastinate_jobs WHERE id = %s", (job_id,)
            ).fetchone()
        return str(row[0]) if row else None

    def item_name(self, item_id: int) -> str:
        response = httpx.get(self.url("/items"), headers={"Host": "localhost"})
        [name] = [item["name"] for item in response.json()["items"] if item["id"] == item_id]
        return str(name)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    server = urlsplit(os.environ["DATABASE_URL"])
    name = f"{server.path.lstrip('/') or 'postgres'}_worker"
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    running = Stack(urlunsplit(server._replace(path=f"/{name}")), tmp_path)
    running.run(procfile()["release"])
    web = running.start("web")
    wait_for(lambda: web.poll() is not None or _answers(running.url("/healthz")), "the web process")
    assert web.poll() is None, web.log_path.read_text()  # type: ignore[attr-defined]
    try:
        yield running
    finally:
        running.stop()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def create_item(stack: Stack, name: str) -> int:
    response = httpx.post(stack.url("/items"), json={"name": name}, headers={"Host": "localhost"})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def defer(stack: Stack, item_id: int, request_id: str) -> int:
    response = httpx.post(
        stack.url(f"/items/{item_id}/normalise"),
        headers={"Host": "localhost", "X-Request-ID": request_id},
    )
    assert response.status_code == 202, response.text
    return int(response.json()["job_id"])


def log_events(process: subprocess.Popen[bytes]) -> list[dict[str, object]]:
    lines = process.log_path.read_text().splitlines()  # type: ignore[attr-defined]
    return [json.loads(line) for line in lines if line.startswith("{")]


def hold_row(stack: Stack, item_id: int) -> psycopg.Connection:
    """Lock the item's row so that a job on it waits until the connection commits."""
    connection = psycopg.connect(stack.database_url)
    # Django names the table after its app; FastAPI's model calls it items.
    table = connection.execute(
        "SELECT relname FROM pg_class WHERE relname IN ('items', 'items_item')"
    ).fetchone()
    assert table is not None
    lock = sql.SQL("SELECT 1 FROM {} WHERE id = %s FOR UPDATE").format(sql.Identifier(table[0]))
    connection.execute(lock, (item_id,))
    return connection


def test_a_deferred_job_runs_in_the_worker_with_the_request_id(stack: Stack) -> None:
    item_id = create_item(stack, "spaced   out\tname")
    worker = stack.start("worker")

    job_id = defer(stack, item_id, "request-from-the-test")

    wait_for(lambda: stack.job_status(job_id) == "succeeded", "the job to succeed")
    assert stack.item_name(item_id) == "spaced out name"
    [event] = [e for e in log_events(worker) if e["message"] == "item name normalised"]
    assert event["job_id"] == job_id
    assert event["request_id"] == "request-from-the-test"


def test_an_unknown_item_is_refused_before_anything_is_queued(stack: Stack) -> None:
    response = httpx.post(stack.url("/items/999999/normalise"), headers={"Host": "localhost"})
    assert response.status_code == 404


def test_sigterm_lets_the_running_job_finish_and_exits_0(stack: Stack) -> None:
    item_id = create_item(stack, "a  b")
    worker = stack.start("worker")
    lock = hold_row(stack, item_id)
    job_id = defer(stack, item_id, "sigterm")
    wait_for(lambda: stack.job_status(job_id) == "doing", "the worker to take the job")

    worker.send_signal(signal.SIGTERM)
    time.sleep(1)
    assert worker.poll() is None, "the worker left before its running job finished"
    lock.commit()
    lock.close()

    assert worker.wait(timeout=WAIT_SECONDS) == 0
    assert stack.job_status(job_id) == "succeeded"
    assert stack.item_name(item_id) == "a b"


def test_a_job_cut_off_by_a_killed_worker_runs_again(stack: Stack) -> None:
    item_id = create_item(stack, "c  d")
    worker = stack.start("worker")
    lock = hold_row(stack, item_id)
    job_id = defer(stack, item_id, "sigkill")
    wait_for(lambda: stack.job_status(job_id) == "doing", "the worker to take the job")

    worker.kill()
    worker.wait()
    lock.commit()
    lock.close()
    assert stack.job_status(job_id) == "doing"
    # The dead worker's heartbeat stops; age it rather than wait out STALLED_AFTER_SECONDS.
    with psycopg.connect(stack.database_url) as connection:
        connection.execute(
            "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'"
        )
    stack.start("worker")
    # The periodic check runs each minute; defer it now, as its schedule would.
    defer_command = procfile()["worker"].removesuffix("worker") + "defer"
    arguments = json.dumps({"timestamp": 0})
    stack.run(f"{defer_command} retry_stalled_jobs '{arguments}'")

    wait_for(lambda: stack.job_status(job_id) == "succeeded", "the job to run again")
    assert stack.item_name(item_id) == "c d"
