"""Build and run container images for real from tests: Docker when a daemon answers, else Podman.

Stdlib only, Python 3.11+. Typical use::

    engine = detect_engine()   # support/engines.py; None -> skip (or fail when required)
    print(ensure_python_base_image(engine, "3.12"))  # support/stand_in_images.py
    result = engine.build(project_dir, "myapp:test", {"PYTHON_VERSION": "3.12"})
    cid = engine.start("myapp:test", network="host", env={"PORT": "8000"})
    wait_http("http://127.0.0.1:8000/", timeout=30, alive=lambda: engine.inspect(cid).running)
    engine.stop(cid, timeout=10)
    info = engine.inspect(cid)                    # exit_code, oom_killed, user, cmd, entrypoint
    engine.rm(cid)

Docker is used when ``docker info`` answers, else Podman when ``podman info`` works with the
configuration this module writes, else ``None``; ``TWELVE_FACTOR_ENGINE=docker|podman|none``
forces the choice. Stand-in base images: tests/support/stand_in_images.py; ``wait_http``:
tests/support/system.py. What each engine setting works around, and how it was found:
docs/container-engines.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shlex
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "BuildResult",
    "ContainerInfo",
    "Engine",
    "EngineError",
    "ImageInfo",
    "Logs",
    "RunResult",
    "is_shell_form",
]

EngineName = Literal["docker", "podman"]

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


# --------------------------------------------------------------------------------------------
# Engine
# --------------------------------------------------------------------------------------------


def output_tail(text: str, limit: int = _ERR_TAIL) -> str:
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
                f"`{shlex.join(cmd)}` timed out after {timeout} s\nstderr:\n{output_tail(err)}",
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
                f"stderr:\n{output_tail(detail)}",
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
                f"`{self.executable} rm {container}` failed\nstderr:\n{output_tail(proc.stderr)}",
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
                        raise EngineError(
                            f"podman system service did not start:\n{output_tail(err)}"
                        )
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
