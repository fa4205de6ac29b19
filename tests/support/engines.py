"""Which container engine the tests use, and the configuration that makes Podman work here.

Docker when a daemon answers, else Podman when ``podman info`` works with the containers.conf
and storage.conf written below, else none; ``TWELVE_FACTOR_ENGINE=docker|podman|none`` forces
the choice. Why each Podman setting is there: docs/container-engines.md.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from container_engine import Engine, EngineError

# Without these, every `podman run` and `RUN` step fails to set rlimits in this sandbox.
PODMAN_ULIMITS = ("nofile=1024:1024", "nproc=4096:4096")


def cache_dir() -> Path:
    """``$TWELVE_FACTOR_ENGINE_CACHE`` or ``~/.cache/cookiecutter-twelve-factor/podman``."""
    override = os.environ.get("TWELVE_FACTOR_ENGINE_CACHE")
    if override:
        return Path(override).expanduser().resolve()
    return Path.home() / ".cache" / "cookiecutter-twelve-factor" / "podman"


def _write_if_changed(path: Path, text: str) -> None:
    if path.exists() and path.read_text() == text:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _short_runroot(root: Path) -> Path:
    """A runroot path under 51 characters (a longer one stalls every foreground ``podman run``
    20 s), unique per cache dir."""
    suffix = hashlib.sha256(str(root).encode()).hexdigest()[:10]
    candidates = [Path("/run"), Path(os.environ.get("XDG_RUNTIME_DIR") or "/nonexistent")]
    for base in [*candidates, Path(tempfile.gettempdir())]:
        path = base / f"tf-podman-{os.getuid()}-{suffix}"
        if len(str(path)) < 51 and os.access(base, os.W_OK):
            return path
    raise EngineError(f"no writable directory for a short podman runroot (cache: {root})")


def podman_engine(executable: str = "podman", cache: Path | None = None) -> Engine:
    """An :class:`Engine` for podman with containers.conf/storage.conf written into ``cache``."""
    root = cache or cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    ulimits = ", ".join(f'"{u}"' for u in PODMAN_ULIMITS)
    containers_conf = root / "containers.conf"
    storage_conf = root / "storage.conf"
    _write_if_changed(
        containers_conf,
        "# written by tests/support/engines.py\n"
        f"[containers]\ndefault_ulimits = [{ulimits}]\n\n"
        '[engine]\nruntime = "runc"\n',
    )
    _write_if_changed(
        storage_conf,
        "# written by tests/support/engines.py\n"
        '[storage]\ndriver = "overlay"\n'
        f'runroot = "{_short_runroot(root)}"\n'
        f'graphroot = "{root / "graph"}"\n',
    )
    env = {"CONTAINERS_CONF": str(containers_conf), "CONTAINERS_STORAGE_CONF": str(storage_conf)}
    return Engine("podman", executable, env, root)


def _docker_engine() -> tuple[Engine | None, str]:
    exe = shutil.which("docker")
    if exe is None:
        return None, "docker: not installed"
    engine = Engine("docker", exe, {}, cache_dir())
    try:
        version = engine.cli("--version", timeout=20).stdout
        if "podman" in version.lower():
            return None, "docker: is the podman-docker shim"
        engine.cli("info", timeout=30)
    except EngineError as exc:
        return None, f"docker: no daemon ({str(exc).splitlines()[-1].strip()})"
    return engine, "docker: daemon answers"


def _podman_engine() -> tuple[Engine | None, str]:
    exe = shutil.which("podman")
    if exe is None:
        return None, "podman: not installed (run .ci/install-container-engine.sh)"
    try:
        engine = podman_engine(exe)
        engine.cli("info", "--format", "{{.Host.OCIRuntime.Name}}", timeout=60)
    except (EngineError, OSError) as exc:
        return None, f"podman: installed but not working: {exc}"
    return engine, "podman: configured"


def probe_engines() -> tuple[Engine | None, str]:
    """Return ``(engine or None, human-readable reason)``; see the module docstring."""
    forced = os.environ.get("TWELVE_FACTOR_ENGINE", "").strip().lower()
    if forced == "none":
        return None, "TWELVE_FACTOR_ENGINE=none"
    if forced in ("docker", "podman"):
        return _docker_engine() if forced == "docker" else _podman_engine()
    docker, docker_reason = _docker_engine()
    if docker is not None:
        return docker, docker_reason
    podman, podman_reason = _podman_engine()
    return podman, f"{docker_reason}; {podman_reason}"


def detect_engine() -> Engine | None:
    """Docker when a daemon answers, else configured Podman when installed, else None."""
    return probe_engines()[0]
