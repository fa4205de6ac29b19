"""Build and run container images for real from tests: Docker when a daemon answers, else Podman.

Stdlib only, Python 3.11+. Typical use::

    engine = detect_engine()                      # None -> skip (or fail when required)
    print(ensure_python_base_image(engine, "3.12"))
    result = engine.build(project_dir, "myapp:test", {"PYTHON_VERSION": "3.12"})
    cid = engine.start("myapp:test", network="host", env={"PORT": "8000"})
    wait_http("http://127.0.0.1:8000/", timeout=30, alive=lambda: engine.inspect(cid).running)
    engine.stop(cid, timeout=10)
    info = engine.inspect(cid)                    # exit_code, oom_killed, user, cmd, entrypoint
    engine.rm(cid)

Engine selection (``detect_engine``/``probe_engines``)
    Docker is used when ``docker info`` answers (a daemon is reachable and the client is not the
    podman-docker shim), else Podman when the ``podman`` binary is installed and ``podman info``
    works with the configuration below, else ``None``. ``TWELVE_FACTOR_ENGINE=docker|podman|none``
    forces the choice.

Podman configuration (written by this module, measured on Debian 12, podman 4.3.1, root, no systemd)
    Files live in ``$TWELVE_FACTOR_ENGINE_CACHE`` or ``~/.cache/cookiecutter-twelve-factor/podman/``
    and every podman call gets ``CONTAINERS_CONF`` and ``CONTAINERS_STORAGE_CONF`` pointing at them.

    * ``default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]`` is REQUIRED: without it every
      ``podman run`` and every ``RUN`` step fails with ``error setting rlimits ... operation not
      permitted`` (podman raises the limits above the sandbox's hard limits; both nofile and nproc
      fail independently). ``podman build`` honours the same setting.
    * ``runtime = "runc"``: not strictly needed (podman 4.3 picks runc on this cgroup v1/hybrid
      host even when crun is installed, which a fresh ``apt-get install podman`` does), but crun
      fails here ("cgroups in hybrid mode not supported"), so runc is pinned.
    * storage.conf with ``driver = "overlay"`` and the graphroot in the cache dir: overlay is
      also podman's default as root here; the file isolates the tests' images from the system
      store, and podman refuses a storage.conf without ``driver`` (vfs would be ~20x slower).
      The runroot is NOT in the cache dir but ``/run/tf-podman-<uid>-<hash>``: a runroot path of
      51+ characters makes every foreground ``podman run`` hang 20 s after the container exited
      (measured; "Exceeded conmon timeout waiting for container to exit"). Podman stores the
      runroot in its database at the first call and ignores later storage.conf changes.
    * Builds use ``--format docker`` (the OCI format silently drops HEALTHCHECK, SHELL,
      STOPSIGNAL...) and ``--pull=never`` (no registry is reachable).
    * Logs use podman's default ``k8s-file`` driver and events the ``file`` logger: both work
      without journald, so ``logs`` is readable after the container stopped.

Health checks
    Podman runs HEALTHCHECKs from systemd timers. Without systemd they never fire (podman logs
    ``unable to get systemd connection to add healthchecks`` and the container stays ``starting``),
    so ``docker compose`` ``depends_on: condition: service_healthy`` waits forever. Poll the service
    with :func:`wait_http` instead, or trigger one probe with :meth:`Engine.healthcheck`.

Stand-in ``python:X.Y-slim`` images (``ensure_python_base_image``)
    With Docker and a reachable registry the real image is used (pulled when missing). Otherwise a
    local stand-in is built and tagged ``python:X.Y-slim`` and ``python:X.Y-slim-bookworm`` (as
    ``docker.io/library/...``, which short-name ``FROM python:X.Y-slim`` resolves to locally):

    1. ``debootstrap --variant=minbase bookworm`` with the runtime libraries CPython links against
       (libssl3, libsqlite3-0, libreadline8, libncursesw6, libnsl2) plus ca-certificates, netbase,
       tzdata. ``passwd`` (useradd/groupadd) is part of minbase. Trimmed like debian:bookworm-slim
       (no docs/man/locales, dpkg path-excludes, empty apt lists, deb822 sources with
       bookworm-updates and bookworm-security). The rootfs tarball is cached (~90 MB), imported as
       ``localhost/cookiecutter-twelve-factor/bookworm-minbase:<key>``.
    2. CPython X.Y is the host's pyenv build copied to ``/usr/local`` (newest ``X.Y.*`` under
       ``$(pyenv root)/versions``). Chosen because it is the fastest robust way (seconds, offline):
       building from source takes minutes on 2 cores and Debian bookworm only packages 3.11 (under
       /usr). The pyenv builds are relocatable: ``--enable-shared`` with RUNPATH pointing at the old
       prefix, which simply does not exist in the image, so ``ldconfig`` on ``/usr/local/lib`` (in
       Debian's default search path, as in the official image) resolves ``libpython3.X.so.1.0``;
       ``sys.prefix`` is computed from the executable location; the build prefix left in text files
       (``_sysconfigdata*.py``, ``config-*/Makefile``, ``*.pc``, ``python3.X-config``, shebangs) is
       rewritten to ``/usr/local``. Like the official image, the copy has no ``test`` packages,
       ``*.pyc`` or ``libpython*.a``; tkinter/idlelib are left out too (they need X11 libraries).
       The host's site-packages are NOT copied; ``python -m ensurepip`` installs the bundled pip
       (3.11 also gets setuptools), then ``pip``, ``python``, ``pydoc``, ``python-config`` links are
       created, ``python -m venv`` is smoke-tested during the build.
    3. Local CA certificates of the host (``/usr/local/share/ca-certificates/*.crt``, e.g. the
       TLS-intercepting egress proxy of a sandbox) are added to the image's trust store, with
       ``/etc/pip.conf`` ``cert=`` and ``ENV SSL_CERT_FILE`` pointing at the system bundle so pip
       (vendored certifi) and uv (webpki roots) reach PyPI through such a proxy. Without them
       ``pip install`` in a RUN step fails with CERTIFICATE_VERIFY_FAILED here. Nothing is added
       when the host has no local CAs.

    The image carries the label ``org.cookiecutter-twelve-factor.stand-in=<key>``; the key covers
    the recipe, the CPython version and the CA files, and a stale stand-in is rebuilt. Builds are
    serialised across processes (pytest-xdist workers) with ``fcntl`` file locks. Needs root (for
    debootstrap) and Debian's mirror. Measured here: first build ~45 s (debootstrap ~30 s), cached
    call ~0.1 s, later X.Y versions ~10 s each (cached rootfs).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import http.client
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from support.system import file_lock

__all__ = [
    "STAND_IN_LABEL",
    "BuildResult",
    "ContainerInfo",
    "Engine",
    "EngineError",
    "HttpResponse",
    "ImageInfo",
    "Logs",
    "RunResult",
    "cache_dir",
    "detect_engine",
    "ensure_python_base_image",
    "is_shell_form",
    "podman_engine",
    "probe_engines",
    "wait_http",
]

EngineName = Literal["docker", "podman"]

STAND_IN_LABEL = "org.cookiecutter-twelve-factor.stand-in"
_RECIPE_VERSION = "1"
_DEBIAN_SUITE = "bookworm"
_DEBIAN_INCLUDES = (
    "ca-certificates",
    "netbase",
    "tzdata",
    "libsqlite3-0",
    "libssl3",
    "libreadline8",
    "libncursesw6",
    "libnsl2",
)
_DEFAULT_MIRROR = "http://deb.debian.org/debian"
_LOCAL_CA_DIR = Path("/usr/local/share/ca-certificates")
_PODMAN_ULIMITS = ("nofile=1024:1024", "nproc=4096:4096")
_ERR_TAIL = 6000


class EngineError(RuntimeError):
    """A container engine command failed; the message includes its stderr."""

    def __init__(
        self,
        message: str,
        *,
        cmd: Sequence[str] = (),
        returncode: int | None = None,
        stdout: str = "",
        stderr: str = "",
    ) -> None:
        super().__init__(message)
        self.cmd = list(cmd)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


# --------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BuildResult:
    tag: str
    image_id: str
    duration_s: float
    size_bytes: int
    output: str  # stdout + stderr of the build


@dataclasses.dataclass(frozen=True)
class RunResult:
    returncode: int
    stdout: str
    stderr: str
    duration_s: float


@dataclasses.dataclass(frozen=True)
class Logs:
    stdout: str
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout + self.stderr


def is_shell_form(argv: Sequence[str] | None) -> bool:
    """True when a Cmd/Entrypoint is Docker's shell form (``["/bin/sh", "-c", "..."]``)."""
    if not argv or len(argv) < 2:
        return False
    return argv[0] in ("/bin/sh", "sh", "/bin/bash", "bash") and argv[1] == "-c"


def _argv(value: Any) -> list[str] | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):  # podman 4 reports a container's Entrypoint as one string
        return shlex.split(value)
    return [str(v) for v in value]


@dataclasses.dataclass(frozen=True)
class ImageInfo:
    id: str
    size_bytes: int
    user: str
    entrypoint: list[str] | None
    cmd: list[str] | None
    env: dict[str, str]
    labels: dict[str, str]
    exposed_ports: list[str]
    workdir: str
    healthcheck: list[str] | None
    stop_signal: str
    raw: dict[str, Any]

    @property
    def cmd_is_exec_form(self) -> bool:
        return self.cmd is not None and not is_shell_form(self.cmd)

    @property
    def entrypoint_is_exec_form(self) -> bool:
        return self.entrypoint is not None and not is_shell_form(self.entrypoint)


@dataclasses.dataclass(frozen=True)
class ContainerInfo:
    id: str
    name: str
    image: str
    user: str
    entrypoint: list[str] | None
    cmd: list[str] | None
    status: str
    running: bool
    exit_code: int
    oom_killed: bool
    health: str | None
    raw: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str]
    elapsed_s: float  # since wait_http was called

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


# --------------------------------------------------------------------------------------------
# Engine
# --------------------------------------------------------------------------------------------


def _tail(text: str, limit: int = _ERR_TAIL) -> str:
    text = text.strip()
    return text if len(text) <= limit else "...\n" + text[-limit:]


@dataclasses.dataclass(frozen=True)
class Engine:
    """A container engine CLI (docker or podman) with the environment its calls need."""

    name: EngineName
    executable: str
    env: Mapping[str, str] = dataclasses.field(default_factory=dict)
    cache: Path | None = None

    # -- raw access ------------------------------------------------------------------------

    def cli(
        self,
        *args: str,
        check: bool = True,
        timeout: float | None = 600,
        input: str | None = None,
        capture: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``<engine> args...``; raise :class:`EngineError` (with stderr) on failure."""
        cmd = [self.executable, *args]
        try:
            proc = subprocess.run(
                cmd,
                env={**os.environ, **self.env},
                input=input,
                stdin=None if input is not None else subprocess.DEVNULL,
                capture_output=capture,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
            err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
            raise EngineError(
                f"`{shlex.join(cmd)}` timed out after {timeout} s\nstderr:\n{_tail(err)}",
                cmd=cmd,
                stdout=out,
                stderr=err,
            ) from None
        except OSError as exc:
            raise EngineError(f"cannot run `{shlex.join(cmd)}`: {exc}", cmd=cmd) from exc
        if check and proc.returncode != 0:
            detail = proc.stderr or ""
            if not detail.strip():
                detail = proc.stdout or ""
            raise EngineError(
                f"`{shlex.join(cmd)}` failed with exit code {proc.returncode}\n"
                f"stderr:\n{_tail(detail)}",
                cmd=cmd,
                returncode=proc.returncode,
                stdout=proc.stdout or "",
                stderr=proc.stderr or "",
            )
        return proc

    # -- images ----------------------------------------------------------------------------

    def build(
        self,
        context_dir: str | os.PathLike[str],
        tag: str,
        build_args: Mapping[str, str] | None = None,
        *,
        dockerfile: str | os.PathLike[str] | None = None,
        target: str | None = None,
        pull: bool = False,
        no_cache: bool = False,
        labels: Mapping[str, str] | None = None,
        extra_args: Sequence[str] = (),
        timeout: float = 1800,
    ) -> BuildResult:
        """Build ``context_dir`` into ``tag``. Base images must exist locally unless ``pull``."""
        args = ["build", "-t", tag]
        if self.name == "podman":
            args += ["--format", "docker", f"--pull={'always' if pull else 'never'}"]
        elif pull:
            args.append("--pull")
        if dockerfile is not None:
            args += ["-f", os.fspath(dockerfile)]
        if target:
            args += ["--target", target]
        if no_cache:
            args.append("--no-cache")
        for key, value in (build_args or {}).items():
            args += ["--build-arg", f"{key}={value}"]
        for key, value in (labels or {}).items():
            args += ["--label", f"{key}={value}"]
        with tempfile.TemporaryDirectory(prefix="tf-iid-") as tmp:
            iidfile = Path(tmp, "iid")
            args += ["--iidfile", str(iidfile), *extra_args, os.fspath(context_dir)]
            start = time.monotonic()
            proc = self.cli(*args, timeout=timeout)
            duration = time.monotonic() - start
            image_id = iidfile.read_text().strip() if iidfile.exists() else ""
        info = self.inspect_image(tag)
        return BuildResult(
            tag=tag,
            image_id=image_id or info.id,
            duration_s=duration,
            size_bytes=info.size_bytes,
            output=(proc.stdout or "") + (proc.stderr or ""),
        )

    def image_exists(self, image: str) -> bool:
        if self.name == "podman":
            return self.cli("image", "exists", image, check=False).returncode == 0
        return self.cli("image", "inspect", image, check=False).returncode == 0

    def inspect_image(self, image: str) -> ImageInfo:
        data = json.loads(self.cli("image", "inspect", image).stdout)[0]
        cfg = data.get("Config") or {}
        env = dict(item.split("=", 1) for item in cfg.get("Env") or [] if "=" in item)
        # docker: Config.Healthcheck; podman: top-level Healthcheck
        health = (cfg.get("Healthcheck") or data.get("Healthcheck") or {}).get("Test")
        return ImageInfo(
            id=data.get("Id", ""),
            size_bytes=int(data.get("Size") or 0),
            user=cfg.get("User") or "",
            entrypoint=_argv(cfg.get("Entrypoint")),
            cmd=_argv(cfg.get("Cmd")),
            env=env,
            labels=dict(cfg.get("Labels") or data.get("Labels") or {}),
            exposed_ports=sorted(cfg.get("ExposedPorts") or {}),
            workdir=cfg.get("WorkingDir") or "",
            healthcheck=_argv(health),
            stop_signal=cfg.get("StopSignal") or "",
            raw=data,
        )

    def remove_image(self, image: str, *, force: bool = False, missing_ok: bool = True) -> None:
        if missing_ok and not self.image_exists(image):
            return
        self.cli("rmi", *(["--force"] if force else []), image)

    def tag(self, source: str, target: str) -> None:
        self.cli("tag", source, target)

    def pull(self, image: str, *, timeout: float = 600) -> None:
        self.cli("pull", image, timeout=timeout)

    def import_tarball(
        self, tarball: str | os.PathLike[str], tag: str, changes: Sequence[str] = ()
    ) -> None:
        """``import`` a root filesystem tarball as ``tag`` (``changes``: Dockerfile lines)."""
        args = ["import"]
        for change in changes:
            args += ["--change", change]
        self.cli(*args, os.fspath(tarball), tag, timeout=900)

    # -- containers --------------------------------------------------------------------------

    def _run_args(
        self,
        image: str,
        command: Sequence[str],
        *,
        name: str | None,
        env: Mapping[str, str] | None,
        env_file: str | os.PathLike[str] | None,
        user: str | None,
        network: str | None,
        publish: Sequence[str],
        read_only: bool,
        tmpfs: Sequence[str],
        volumes: Sequence[str],
        workdir: str | None,
        entrypoint: str | None,
        init: bool,
        memory: str | None,
        stop_signal: str | None,
        extra_args: Sequence[str],
    ) -> list[str]:
        args: list[str] = []
        if name:
            args += ["--name", name]
        for key, value in (env or {}).items():
            args += ["-e", f"{key}={value}"]
        if env_file is not None:
            args += ["--env-file", os.fspath(env_file)]
        if user is not None:
            args += ["--user", user]
        if network:
            args += ["--network", network]
        for spec in publish:
            args += ["-p", spec]
        if read_only:
            args.append("--read-only")
        for spec in tmpfs:
            args += ["--tmpfs", spec]
        for spec in volumes:
            args += ["-v", spec]
        if workdir:
            args += ["-w", workdir]
        if entrypoint is not None:
            args += ["--entrypoint", entrypoint]
        if init:
            args.append("--init")
        if memory:
            args += ["--memory", memory]
        if stop_signal:
            args += ["--stop-signal", stop_signal]
        return [*args, *extra_args, image, *command]

    def run(
        self,
        image: str,
        command: Sequence[str] = (),
        *,
        name: str | None = None,
        remove: bool = True,
        env: Mapping[str, str] | None = None,
        env_file: str | os.PathLike[str] | None = None,
        user: str | None = None,
        network: str | None = None,
        publish: Sequence[str] = (),
        read_only: bool = False,
        tmpfs: Sequence[str] = (),
        volumes: Sequence[str] = (),
        workdir: str | None = None,
        entrypoint: str | None = None,
        init: bool = False,
        memory: str | None = None,
        stop_signal: str | None = None,
        extra_args: Sequence[str] = (),
        check: bool = True,
        timeout: float | None = 600,
    ) -> RunResult:
        """Run a container in the foreground and return its exit status and output."""
        args = self._run_args(
            image, command, name=name, env=env, env_file=env_file, user=user, network=network,
            publish=publish, read_only=read_only, tmpfs=tmpfs, volumes=volumes, workdir=workdir,
            entrypoint=entrypoint, init=init, memory=memory, stop_signal=stop_signal,
            extra_args=extra_args,
        )  # fmt: skip
        start = time.monotonic()
        proc = self.cli("run", *(["--rm"] if remove else []), *args, check=check, timeout=timeout)
        return RunResult(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)

    def start(
        self,
        image: str,
        command: Sequence[str] = (),
        *,
        name: str | None = None,
        env: Mapping[str, str] | None = None,
        env_file: str | os.PathLike[str] | None = None,
        user: str | None = None,
        network: str | None = None,
        publish: Sequence[str] = (),
        read_only: bool = False,
        tmpfs: Sequence[str] = (),
        volumes: Sequence[str] = (),
        workdir: str | None = None,
        entrypoint: str | None = None,
        init: bool = False,
        memory: str | None = None,
        stop_signal: str | None = None,
        extra_args: Sequence[str] = (),
    ) -> str:
        """Start a detached container (not auto-removed: call :meth:`rm`); return its id."""
        args = self._run_args(
            image, command, name=name, env=env, env_file=env_file, user=user, network=network,
            publish=publish, read_only=read_only, tmpfs=tmpfs, volumes=volumes, workdir=workdir,
            entrypoint=entrypoint, init=init, memory=memory, stop_signal=stop_signal,
            extra_args=extra_args,
        )  # fmt: skip
        proc = self.cli("run", "-d", *args, timeout=120)
        lines = proc.stdout.strip().splitlines()
        if not lines:
            raise EngineError(f"`run -d {image}` printed no container id\nstderr:\n{proc.stderr}")
        return lines[-1]

    def stop(self, container: str, timeout: int = 10) -> float:
        """``stop -t timeout`` (SIGTERM, SIGKILL after ``timeout`` s); return seconds it took."""
        start = time.monotonic()
        self.cli("stop", "-t", str(timeout), container, timeout=timeout + 60)
        return time.monotonic() - start

    def kill(self, container: str, signal: str = "KILL") -> None:
        self.cli("kill", "-s", signal, container)

    def wait(self, container: str, timeout: float | None = None) -> int:
        """Wait until the container exits; return its exit code."""
        out = self.cli("wait", container, timeout=timeout).stdout.strip().splitlines()
        return int(out[-1]) if out else self.inspect(container).exit_code

    def logs(self, container: str, *, tail: int | None = None) -> Logs:
        args = ["logs", *(["--tail", str(tail)] if tail is not None else []), container]
        proc = self.cli(*args, timeout=60)
        return Logs(proc.stdout, proc.stderr)

    def inspect(self, container: str) -> ContainerInfo:
        """State and config of a container. Podman 4 reports a container's Entrypoint as one
        space-joined string (split here with shlex); use :meth:`inspect_image` for exact forms."""
        data = json.loads(self.cli("container", "inspect", container).stdout)[0]
        cfg = data.get("Config") or {}
        state = data.get("State") or {}
        health = state.get("Health") or state.get("Healthcheck") or {}
        return ContainerInfo(
            id=data.get("Id", ""),
            name=str(data.get("Name", "")).lstrip("/"),
            image=cfg.get("Image") or data.get("ImageName") or data.get("Image", ""),
            user=cfg.get("User") or "",
            entrypoint=_argv(cfg.get("Entrypoint")),
            cmd=_argv(cfg.get("Cmd")),
            status=state.get("Status", ""),
            running=bool(state.get("Running")),
            exit_code=int(state.get("ExitCode") or 0),
            oom_killed=bool(state.get("OOMKilled")),
            health=health.get("Status") or None,
            raw=data,
        )

    def exec(
        self,
        container: str,
        command: Sequence[str],
        *,
        user: str | None = None,
        env: Mapping[str, str] | None = None,
        workdir: str | None = None,
        check: bool = True,
        timeout: float | None = 120,
    ) -> RunResult:
        args = ["exec"]
        if user is not None:
            args += ["--user", user]
        for key, value in (env or {}).items():
            args += ["-e", f"{key}={value}"]
        if workdir:
            args += ["-w", workdir]
        start = time.monotonic()
        proc = self.cli(*args, container, *command, check=check, timeout=timeout)
        return RunResult(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)

    def rm(self, container: str, *, force: bool = True, missing_ok: bool = True) -> None:
        proc = self.cli("rm", *(["--force"] if force else []), container, check=not missing_ok)
        if proc.returncode != 0 and not re.search(r"no such container", proc.stderr, re.I):
            raise EngineError(
                f"`{self.executable} rm {container}` failed\nstderr:\n{_tail(proc.stderr)}",
                cmd=[self.executable, "rm", container],
                returncode=proc.returncode,
                stdout=proc.stdout,
                stderr=proc.stderr,
            )

    def healthcheck(self, container: str, timeout: float = 60) -> bool:
        """Podman: run the image's HEALTHCHECK once now (no systemd timers fire it), True when it
        passes. Docker: wait up to ``timeout`` s for the daemon's verdict, True when healthy."""
        if self.name == "podman":
            return self.cli("healthcheck", "run", container, check=False).returncode == 0
        deadline = time.monotonic() + timeout
        while True:
            health = self.inspect(container).health
            if health != "starting" or time.monotonic() > deadline:
                return health == "healthy"
            time.sleep(0.5)

    @contextlib.contextmanager
    def docker_api(self) -> Iterator[str]:
        """Yield a ``DOCKER_HOST`` value for the Docker CLI/compose (podman: a temporary
        ``podman system service``, stopped on exit). Compose builds then need
        ``COMPOSE_BAKE=false DOCKER_BUILDKIT=0`` or ``up --no-build`` after :meth:`build`."""
        if self.name == "docker":
            yield os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
            return
        with tempfile.TemporaryDirectory(prefix="tf-podman-api-") as tmp:
            sock = Path(tmp, "podman.sock")
            proc = subprocess.Popen(
                [self.executable, "system", "service", "--time=0", f"unix://{sock}"],
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            try:
                deadline = time.monotonic() + 30
                while not sock.exists():
                    if proc.poll() is not None or time.monotonic() > deadline:
                        err = proc.stderr.read().decode() if proc.stderr else ""
                        raise EngineError(f"podman system service did not start:\n{_tail(err)}")
                    time.sleep(0.05)
                yield f"unix://{sock}"
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                if proc.stderr:
                    proc.stderr.close()


# --------------------------------------------------------------------------------------------
# Detection and podman configuration
# --------------------------------------------------------------------------------------------


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
    """A runroot path under 51 characters, unique per cache dir.

    With podman 4.3.1/conmon 2.1.6 a runroot of 51 characters or more makes every foreground
    ``podman run`` wait 20 s for the exit code ("Exceeded conmon timeout waiting for container to
    exit"); ``~/.cache/.../storage/run`` is longer than that. Runtime state belongs on /run anyway.
    """
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
    ulimits = ", ".join(f'"{u}"' for u in _PODMAN_ULIMITS)
    containers_conf = root / "containers.conf"
    storage_conf = root / "storage.conf"
    _write_if_changed(
        containers_conf,
        "# written by tests/container_engine.py\n"
        f"[containers]\ndefault_ulimits = [{ulimits}]\n\n"
        '[engine]\nruntime = "runc"\n',
    )
    _write_if_changed(
        storage_conf,
        "# written by tests/container_engine.py\n"
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


# --------------------------------------------------------------------------------------------
# Locks, HTTP, ports
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# python:X.Y-slim stand-in
# --------------------------------------------------------------------------------------------


def _local_cas() -> list[Path]:
    if not _LOCAL_CA_DIR.is_dir():
        return []
    return sorted(p for p in _LOCAL_CA_DIR.rglob("*.crt") if p.is_file())


def _pyenv_root() -> Path:
    env = os.environ.get("PYENV_ROOT")
    if env:
        return Path(env)
    exe = shutil.which("pyenv")
    if exe:
        proc = subprocess.run([exe, "root"], capture_output=True, text=True, check=False)
        if proc.returncode == 0 and proc.stdout.strip():
            return Path(proc.stdout.strip())
    return Path.home() / ".pyenv"


def _find_cpython(python_version: str) -> tuple[Path, str]:
    """Newest ``X.Y.Z`` pyenv build for ``X.Y``: (prefix, full version)."""
    versions = _pyenv_root() / "versions"
    found: list[tuple[tuple[int, ...], Path]] = []
    if versions.is_dir():
        for entry in versions.iterdir():
            match = re.fullmatch(re.escape(python_version) + r"\.(\d+)", entry.name)
            if match and (entry / "bin" / f"python{python_version}").exists():
                found.append(((int(match.group(1)),), entry))
    if not found:
        raise EngineError(
            f"no CPython {python_version}.* under {versions} to build the python:"
            f"{python_version}-slim stand-in (install one with pyenv)"
        )
    prefix = max(found)[1]
    return prefix, prefix.name


_COPY_SKIP_DIRS = {"__pycache__", "test", "tests", "idle_test", "tkinter", "idlelib", "turtledemo"}


def _copy_ignore(prefix_name: str) -> Callable[[str, list[str]], set[str]]:
    def ignore(directory: str, names: list[str]) -> set[str]:
        path = Path(directory)
        skip = {n for n in names if n in _COPY_SKIP_DIRS and (path / n).is_dir()}
        skip |= {n for n in names if n.endswith((".pyc", ".pyo"))}
        skip |= {n for n in names if n.startswith("libpython") and n.endswith(".a")}
        skip |= {n for n in names if n.startswith("_tkinter")}
        if path.name == "site-packages":
            skip |= {n for n in names if n != "README.txt"}
        if path.name == "bin":
            skip |= {n for n in names if n.startswith(("pip", "idle")) or n.endswith("-gdb.py")}
        if path.name == "share" and path.parent.name == prefix_name:
            skip |= set(names)  # man pages
        return skip

    return ignore


def _relocate(tree: Path, old_prefix: str, new_prefix: str = "/usr/local") -> int:
    """Rewrite the build prefix in text files (sysconfig data, Makefile, .pc, shebangs)."""
    old, new = old_prefix.encode(), new_prefix.encode()
    changed = 0
    for path in tree.rglob("*"):
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 8 * 1024 * 1024:
            continue
        data = path.read_bytes()
        if old not in data or b"\0" in data:
            continue
        mode = path.stat().st_mode
        path.write_bytes(data.replace(old, new))
        path.chmod(mode)
        changed += 1
    return changed


def _umount_below(root: Path) -> None:
    """Unmount anything debootstrap may have left mounted below ``root`` (before deleting it)."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return
    prefix = str(root.resolve()) + "/"
    points = [line.split()[1] for line in mounts if len(line.split()) > 1]
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], check=False, capture_output=True)


def _remove_tree(path: Path) -> None:
    if path.exists():
        _umount_below(path)
        shutil.rmtree(path, ignore_errors=True)


_DEBIAN_SOURCES = """\
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""

_DPKG_EXCLUDES = """\
# like debian:bookworm-slim
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
"""


def _rootfs_key() -> str:
    material = "|".join([_RECIPE_VERSION, _DEBIAN_SUITE, *_DEBIAN_INCLUDES])
    return hashlib.sha256(material.encode()).hexdigest()[:12]


def _ensure_rootfs_tarball(cache: Path) -> Path:
    """Cached ``debootstrap --variant=minbase bookworm`` rootfs, trimmed like bookworm-slim."""
    key = _rootfs_key()
    tarball = cache / "rootfs" / f"{_DEBIAN_SUITE}-minbase-{key}.tar"
    if tarball.exists():
        return tarball
    with file_lock(cache / "locks" / "rootfs.lock"):
        if tarball.exists():
            return tarball
        debootstrap = shutil.which("debootstrap") or (
            "/usr/sbin/debootstrap" if Path("/usr/sbin/debootstrap").exists() else None
        )
        if debootstrap is None:
            raise EngineError("debootstrap is missing: run .ci/install-container-engine.sh")
        if os.geteuid() != 0:
            raise EngineError("building the python stand-in image needs root (debootstrap)")
        tarball.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="rootfs-", dir=tarball.parent))
        rootfs = work / "rootfs"
        try:
            mirror = os.environ.get("TWELVE_FACTOR_DEBIAN_MIRROR", _DEFAULT_MIRROR)
            cmd = [
                debootstrap,
                "--variant=minbase",
                f"--include={','.join(_DEBIAN_INCLUDES)}",
                _DEBIAN_SUITE,
                str(rootfs),
                mirror,
            ]
            proc = subprocess.run(
                cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
            )
            if proc.returncode != 0:
                log = rootfs / "debootstrap" / "debootstrap.log"
                detail = log.read_text(errors="replace") if log.exists() else ""
                raise EngineError(
                    f"`{shlex.join(cmd)}` failed with exit code {proc.returncode}\nstderr:\n"
                    f"{_tail(proc.stderr + proc.stdout + detail)}",
                    cmd=cmd,
                    returncode=proc.returncode,
                    stdout=proc.stdout,
                    stderr=proc.stderr,
                )
            _umount_below(rootfs)
            for rel in ("var/cache/apt", "var/lib/apt/lists", "usr/share/man", "usr/share/locale",
                        "usr/share/info", "tmp", "var/tmp"):  # fmt: skip
                for child in (rootfs / rel).glob("*"):
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
            for doc in (rootfs / "usr/share/doc").rglob("*"):
                if (doc.is_file() or doc.is_symlink()) and doc.name != "copyright":
                    doc.unlink()
            for rel in ("etc/resolv.conf", "etc/hostname", "etc/apt/sources.list"):
                (rootfs / rel).unlink(missing_ok=True)
            (rootfs / "etc/apt/sources.list.d/debian.sources").write_text(_DEBIAN_SOURCES)
            (rootfs / "etc/dpkg/dpkg.cfg.d/docker").write_text(_DPKG_EXCLUDES)
            partial = tarball.with_suffix(".partial")
            subprocess.run(
                ["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(partial),
                 "--exclude=./dev/*", "--exclude=./proc/*", "--exclude=./sys/*", "."],
                check=True, capture_output=True,
            )  # fmt: skip
            partial.replace(tarball)
        finally:
            _remove_tree(work)
    return tarball


def _ensure_base_image(engine: Engine, cache: Path) -> str:
    tag = f"localhost/cookiecutter-twelve-factor/{_DEBIAN_SUITE}-minbase:{_rootfs_key()}"
    if engine.image_exists(tag):
        return tag
    tarball = _ensure_rootfs_tarball(cache)
    with file_lock(cache / "locks" / "base-image.lock"):
        if not engine.image_exists(tag):
            engine.import_tarball(
                tarball,
                tag,
                [
                    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    'CMD ["bash"]',
                ],
            )
    return tag


def _stand_in_key(full_version: str, cas: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for part in (_RECIPE_VERSION, _rootfs_key(), full_version):
        digest.update(part.encode() + b"\0")
    for ca in cas:
        digest.update(ca.name.encode() + b"\0" + ca.read_bytes())
    return digest.hexdigest()[:16]


def _stand_in_dockerfile(base: str, python_version: str, full_version: str, has_cas: bool) -> str:
    ca_steps = ""
    if has_cas:
        ca_steps = (
            "COPY ca/ /usr/local/share/ca-certificates/\n"
            "RUN update-ca-certificates >/dev/null \\\n"
            " && printf '[global]\\ncert = /etc/ssl/certs/ca-certificates.crt\\n' > /etc/pip.conf\n"
            "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\n"
        )
    return f"""\
# Local stand-in for python:{python_version}-slim, generated by tests/container_engine.py
FROM {base}
ENV PATH=/usr/local/bin:$PATH LANG=C.UTF-8 PYTHON_VERSION={full_version}
{ca_steps}COPY python/ /usr/local/
RUN set -eux; \\
    ldconfig; \\
    python{python_version} -m ensurepip --default-pip >/dev/null; \\
    for src in pip3 pydoc3 python3 python3-config; do \\
        dst="$(echo "$src" | tr -d 3)"; \\
        if [ -e "/usr/local/bin/$src" ] && [ ! -e "/usr/local/bin/$dst" ]; then \\
            ln -sT "$src" "/usr/local/bin/$dst"; fi; \\
    done; \\
    python3 -c 'import ssl, sqlite3, ctypes, zlib, bz2, lzma, readline, uuid, decimal, venv'; \\
    python -m venv /tmp/venv-check; /tmp/venv-check/bin/pip --version; rm -rf /tmp/venv-check; \\
    python --version; pip --version; python{python_version} -c 'import sys; print(sys.prefix)'; \\
    find /usr/local -depth -type d -name __pycache__ -exec rm -rf '{{}}' +
CMD ["python3"]
"""


def _stand_in_notice(tag: str, info: ImageInfo) -> str:
    source = info.labels.get(f"{STAND_IN_LABEL}.source", "host CPython")
    return (
        f"NOTE: {tag} is a LOCAL STAND-IN, not the official Docker Hub image: Debian bookworm "
        f"minbase + {source} (built by tests/container_engine.py)"
    )


def ensure_python_base_image(
    engine: Engine, python_version: str, *, allow_pull: bool = True
) -> str:
    """Make sure ``python:<X.Y>-slim`` exists locally; return a one-line notice for test output.

    Docker: an existing image is used, else it is pulled (``allow_pull``), else a stand-in is built.
    Podman: a stand-in is built (see the module docstring) unless a non-stand-in image with that
    tag already exists. Cached: a second call only inspects the image. Safe across processes.
    """
    if not re.fullmatch(r"3\.\d{1,2}", python_version):
        raise ValueError(f"python_version must look like '3.12', got {python_version!r}")
    tag = f"python:{python_version}-slim"
    qualified = f"docker.io/library/{tag}"

    def existing() -> str | None:
        if not engine.image_exists(tag):
            return None
        info = engine.inspect_image(tag)
        key = info.labels.get(STAND_IN_LABEL)
        if key is None:
            return f"{tag}: using the existing local image {info.id[:19]} (not a stand-in)"
        try:
            current = _stand_in_key(_find_cpython(python_version)[1], _local_cas())
        except EngineError:
            current = key  # no source interpreter any more: keep what is there
        if key != current:
            return None  # stale stand-in (other CPython patch release or CA files): rebuild
        return _stand_in_notice(tag, info)

    found = existing()
    if found:
        return found
    pull_error = ""
    if engine.name == "docker" and allow_pull:
        try:
            engine.pull(qualified, timeout=300)
            return f"{tag}: pulled the official image"
        except EngineError as exc:
            pull_error = f" (pull failed: {str(exc).splitlines()[-1][:200]})"

    cache = engine.cache or cache_dir()
    with file_lock(cache / "locks" / f"python-{python_version}.lock"):
        found = existing()
        if found:
            return found
        stale = (
            engine.inspect_image(tag).labels.get(STAND_IN_LABEL)
            if engine.image_exists(tag)
            else None
        )
        prefix, full = _find_cpython(python_version)
        cas = _local_cas()
        key = _stand_in_key(full, cas)
        base = _ensure_base_image(engine, cache)
        tmp_root = cache / "tmp"
        tmp_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f"python-{python_version}-", dir=tmp_root) as tmp:
            ctx = Path(tmp)
            shutil.copytree(prefix, ctx / "python", symlinks=True, ignore=_copy_ignore(prefix.name))
            _relocate(ctx / "python", str(prefix))
            if cas:
                (ctx / "ca").mkdir()
                for i, ca in enumerate(cas):
                    shutil.copyfile(ca, ctx / "ca" / f"host-{i:02d}-{ca.name}")
            (ctx / "Dockerfile").write_text(
                _stand_in_dockerfile(base, python_version, full, bool(cas))
            )
            source = f"CPython {full} copied to /usr/local from {prefix}"
            if cas:
                source += f", {len(cas)} host CA certificate(s) trusted"
            tmp_tag = f"localhost/cookiecutter-twelve-factor/python-stand-in:{key}"
            engine.build(
                ctx, tmp_tag, labels={STAND_IN_LABEL: key, f"{STAND_IN_LABEL}.source": source}
            )
        for alias in (qualified, f"{qualified}-bookworm"):
            engine.tag(tmp_tag, alias)
        if stale and stale != key:  # best effort: drop the outdated stand-in's own tag
            engine.cli(
                "rmi", f"localhost/cookiecutter-twelve-factor/python-stand-in:{stale}", check=False
            )
        return _stand_in_notice(tag, engine.inspect_image(tag)) + pull_error
