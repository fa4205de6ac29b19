from __future__ import annotations

from pathlib import Path

import pytest
from generation import lockfile


def test_skip_switch_gives_a_one_line_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(lockfile.SKIP_ENV, "0")

    message = lockfile.lock(tmp_path)

    assert message.startswith("Skipped locking dependencies")
    assert "make install" in message and "\n" not in message


def test_missing_uv_is_a_notice_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(lockfile.SKIP_ENV, "1")
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no uv to be found

    message = lockfile.lock(tmp_path)

    assert message == f"Skipped locking dependencies (uv is not installed): {lockfile.LATER}."


def test_a_failing_lock_names_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A real uv run on a project whose pyproject.toml is invalid.
    import shutil
    import sys

    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    monkeypatch.setenv(lockfile.SKIP_ENV, "1")
    monkeypatch.setenv("PATH", str(Path(uv).parent))
    (tmp_path / "pyproject.toml").write_text("[project\n")

    message = lockfile.lock(tmp_path)

    assert message.startswith("Skipped locking dependencies (locking failed: ")
    assert "\n" not in message


def test_pip_projects_without_a_resolver_get_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(lockfile.SKIP_ENV, "1")
    monkeypatch.setenv("PATH", str(tmp_path))

    message = lockfile.lock(tmp_path, "pip")

    assert message == (
        f"Skipped locking dependencies (neither uv nor pip-tools is installed): {lockfile.LATER}."
    )


def _real_uv_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import sys

    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    monkeypatch.setenv(lockfile.SKIP_ENV, "1")
    monkeypatch.setenv("PATH", str(Path(uv).parent))
    for name in ("UV_OFFLINE", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nobody listens once the socket closes


def test_an_unreachable_index_skips_locking_without_running_the_resolver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An invalid pyproject.toml: had uv run, the notice would say "locking failed".
    _real_uv_on_path(monkeypatch)
    monkeypatch.setenv("UV_INDEX_URL", f"http://127.0.0.1:{_closed_port()}/simple")
    (tmp_path / "pyproject.toml").write_text("[project\n")

    message = lockfile.lock(tmp_path)

    assert message.startswith("Skipped locking dependencies (package index unreachable: 127.0.0.1")
    assert message.endswith(f"{lockfile.LATER}.") and "\n" not in message


def test_a_reachable_index_lets_the_resolver_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    _real_uv_on_path(monkeypatch)
    with socket.socket() as index:
        index.bind(("127.0.0.1", 0))
        index.listen()
        monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{index.getsockname()[1]}/simple")
        (tmp_path / "pyproject.toml").write_text("[project\n")

        message = lockfile.lock(tmp_path)

    assert message.startswith("Skipped locking dependencies (locking failed: ")


@pytest.mark.parametrize(
    ("environ", "expected_host"),
    [
        ({}, "pypi.org"),
        ({"PIP_INDEX_URL": "http://mirror.internal/simple"}, "mirror.internal"),
        ({"UV_INDEX_URL": "http://uv.internal", "PIP_INDEX_URL": "http://pip"}, "uv.internal"),
        (
            {"UV_DEFAULT_INDEX": "https://main.internal", "UV_INDEX_URL": "http://x"},
            "main.internal",
        ),
    ],
    ids=["pypi", "pip-index-url", "uv-index-url-first", "uv-default-index-first"],
)
def test_the_probed_index_is_the_one_the_resolver_will_use(
    environ: dict[str, str], expected_host: str
) -> None:
    from urllib.parse import urlsplit

    assert urlsplit(lockfile.index_url(environ)).hostname == expected_host


def test_uv_offline_and_local_indexes_need_no_probe() -> None:
    closed = f"http://127.0.0.1:{_closed_port()}/simple"

    assert lockfile.index_unreachable({"UV_INDEX_URL": closed, "UV_OFFLINE": "1"}) is None
    assert lockfile.index_unreachable({"UV_INDEX_URL": "file:///srv/simple"}) is None
    assert lockfile.index_unreachable({"UV_INDEX_URL": closed}) is not None


def test_a_proxy_is_probed_instead_of_the_index() -> None:
    closed = f"http://127.0.0.1:{_closed_port()}"
    environ = {"UV_INDEX_URL": "https://pypi.org/simple", "HTTPS_PROXY": closed}

    assert (lockfile.index_unreachable(environ) or "").startswith("127.0.0.1:")


def test_a_silent_index_is_given_up_on_after_the_bound() -> None:
    import socket

    # A listening socket whose backlog is full: the kernel drops further handshakes unanswered.
    with socket.socket() as index:
        index.bind(("127.0.0.1", 0))
        index.listen(0)
        port = index.getsockname()[1]
        held = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            held.append(filler)
        try:
            reason = lockfile.index_unreachable(
                {"UV_INDEX_URL": f"http://127.0.0.1:{port}/"}, timeout=0.2
            )
        finally:
            for connection in held:
                connection.close()

    assert reason == "127.0.0.1 did not answer within 0.2 s"
