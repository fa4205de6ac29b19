"""Install a generated project and drive its processes for real: ports, signals, stdout."""

from __future__ import annotations

import glob
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from generation.checker import packages

from support.template import CHOICES, DEFAULT_SLUG, DEFAULTS, combination_id, varying

TOOLS_BIN = str(Path(sys.executable).parent)  # uv and ruff from the template's test environment


def find_python(version: str) -> str | None:
    """An interpreter for ``version``: on PATH, or installed by pyenv."""
    found = shutil.which(f"python{version}")
    if found:
        return found
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"))
    return candidates[-1] if candidates else None


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def procfile(project: Path) -> dict[str, str]:
    """Process types and their commands."""
    entries = {}
    for line in (project / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            entries[name.strip()] = command.strip()
    return entries


def database_url(server_url: str, name: str) -> str:
    """The URL of database ``name`` on the server at ``server_url``."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_database(server_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return database_url(server_url, name)


def _lowercase(headers: Any) -> dict[str, str]:
    """Header names are case-insensitive; compare them in lower case."""
    return {name.lower(): value for name, value in headers.items()}


def http_get(url: str, timeout: float = 10) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(), _lowercase(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), _lowercase(error.headers)


@dataclass
class Installed:
    """A generated project installed from its lock into its own .venv."""

    project: Path
    python: str
    framework: str
    database: str

    @property
    def bin(self) -> Path:
        return self.project / ".venv" / "bin"

    def environment(self, **overrides: str) -> dict[str, str]:
        """example.env's values, as a deploy would set them, plus ``overrides``."""
        env = {
            "PATH": f"{self.bin}{os.pathsep}{TOOLS_BIN}{os.pathsep}{os.environ['PATH']}",
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            **read_env_file(self.project / "example.env"),
            **overrides,
        }
        return env

    def run(self, command: str | list[str], env: dict[str, str], timeout: float = 600):
        argv = shlex.split(command) if isinstance(command, str) else command
        return subprocess.run(
            argv, cwd=self.project, env=env, capture_output=True, text=True, timeout=timeout
        )


def assert_locked(project: Path, dependency_manager: str) -> None:
    """Generation with a resolver and the index at hand must have locked."""
    missing = [
        name for name in packages.LOCK_FILES[dependency_manager] if not (project / name).is_file()
    ]
    assert not missing, f"generation did not lock: {', '.join(missing)} missing"


def make(project: Path, python: str, target: str) -> subprocess.CompletedProcess[str]:
    """``make <target>`` in the project, its tools on ``python`` (uv never downloads one)."""
    env = {**os.environ, "UV_PYTHON": python, "UV_PYTHON_DOWNLOADS": "never", "PYTHON": python}
    env["PATH"] = f"{TOOLS_BIN}{os.pathsep}{env['PATH']}"
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        ["make", target], cwd=project, env=env, capture_output=True, text=True, timeout=900
    )


def install(project: Path, python: str, framework: str, database: str) -> Installed:
    """``make install``: the locked dependencies into the project's .venv, on ``python``."""
    completed = make(project, python, "install")
    if completed.returncode != 0:
        raise AssertionError(f"make install failed:\n{completed.stdout}{completed.stderr}")
    return Installed(project, python, framework, database)


@dataclass
class Server:
    """A running web process, its stdout kept for inspection."""

    process: subprocess.Popen[str]
    port: int
    stdout_path: Path
    _stdout: IO[str] = field(repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_serving(self, path: str = "/healthz", timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"server exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                if http_get(self.base_url + path, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"server did not answer {path} within {timeout} s:\n{self.output()}")

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, then wait for the exit status (never SIGKILL unless it hangs)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"server ignored SIGTERM for {timeout} s") from None

    def output(self) -> str:
        self._stdout.flush()
        return self.stdout_path.read_text()

    def json_lines(self) -> list[dict[str, object]]:
        """Every line of stdout, each of which must be one JSON object."""
        lines = [line for line in self.output().splitlines() if line.strip()]
        return [json.loads(line) for line in lines]


def start_server(installed: Installed, command: str, env: dict[str, str], log_dir: Path) -> Server:
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout_path = log_dir / "stdout.log"
    stdout = stdout_path.open("w")
    process = subprocess.Popen(
        shlex.split(command),
        cwd=installed.project,
        env=env,
        stdout=stdout,
        stderr=subprocess.STDOUT,
        text=True,
    )
    port = int(env["PORT"]) if env.get("PORT", "").isdigit() else 0
    return Server(process, port, stdout_path, stdout)


def tree_snapshot(project: Path) -> dict[str, float]:
    """Files under the project with their modification times.

    The virtual environment and bytecode caches are the interpreter's, not the service's state
    (the image compiles bytecode at build time and sets PYTHONDONTWRITEBYTECODE).
    """
    return {
        str(path.relative_to(project)): path.stat().st_mtime
        for path in project.rglob("*")
        if path.is_file() and not {".venv", "__pycache__"} & set(path.relative_to(project).parts)
    }


# The variables that change what a service is built from; the others (names, license) do not.
SERVICE_VARIABLES = ("framework", "dependency_manager", "database")
# Those that change how the running service behaves. The dependency manager only decides how the
# one dependency list (templates/dependencies.jinja) is locked and installed: the service's code
# and configuration are the same files with either. Each manager's install, the project's own
# tests on it (`make test`) and its image serving, draining and stopping are tested per manager
# (tests/test_ci_targets.py, tests/test_images.py); the running service's behaviour, over these.
BEHAVIOUR_VARIABLES = ("framework", "database")


def _python_version() -> str:
    return next(
        (version for version in CHOICES["python_version"] if find_python(version)),
        DEFAULTS["python_version"],
    )


def worker_combinations() -> list[Any]:
    """Each framework with each background worker (database and the rest at their defaults), as
    ``service_combinations`` gives them: the projects whose own tests run a worker process."""
    names = ("framework", "worker")
    params = []
    for combination in varying(*names):
        if combination["worker"] == "none":
            continue  # among service_combinations already
        combination["python_version"] = _python_version()
        name = combination_id(combination, names)
        params.append(pytest.param(combination, id=name, marks=pytest.mark.xdist_group(name)))
    return params


def service_combinations(*names: str) -> list[Any]:
    """Each choice of ``names`` (by default every variable of ``SERVICE_VARIABLES``: framework,
    dependency manager and database), other answers at their defaults, on the first
    python_version choice this machine has an interpreter for.

    Each is a ``pytest.param`` in its own xdist group. Its id names every service variable,
    whichever vary, so a combination's tests in every module share one id: tests/conftest.py
    runs them on one worker, which installs the combination once.
    """
    unknown = sorted(set(names) - set(SERVICE_VARIABLES))
    if unknown:
        raise KeyError(f"not service variables: {', '.join(unknown)}")
    python_version = _python_version()
    params = []
    for combination in varying(*(names or SERVICE_VARIABLES)):
        combination["python_version"] = python_version
        name = service_id(combination)
        params.append(pytest.param(combination, id=name, marks=pytest.mark.xdist_group(name)))
    return params


def service_id(combination: dict[str, Any]) -> str:
    return "-".join(f"{name}={combination[name]}" for name in SERVICE_VARIABLES)


# Frameworks serve different interfaces (WSGI, ASGI), so the route the drain test needs, one
# that holds a request open, is wrapped around each app differently. The server and its
# configuration are the generated ones; only the app is wrapped.
SLOW_APP = {
    # WSGI
    "django": f"""
import time
from {DEFAULT_SLUG}.wsgi import application

def app(environ, start_response):
    if environ["PATH_INFO"] == "/__slow":
        time.sleep(float(environ.get("QUERY_STRING") or 2))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"finished"]
    return application(environ, start_response)
""",
    # ASGI
    "fastapi": f"""
import asyncio
from {DEFAULT_SLUG}.main import app as service

async def app(scope, receive, send):
    if scope["type"] == "http" and scope["path"] == "/__slow":
        await asyncio.sleep(float(scope["query_string"] or 2))
        await send({{"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain")]}})
        await send({{"type": "http.response.body", "body": b"finished"}})
        return
    await service(scope, receive, send)
""",
}


# A production deploy behind a TLS-terminating proxy: what an attacker or an operator meets.
STRONG_SECRET = "Kq7vN2xR9pL4mW8tZ3cF6hJ1bD5gS0aYeU2iO7kT4nV9rX3wQ8"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": STRONG_SECRET,
    "REFERENCE_DATA_API_TOKEN": STRONG_SECRET[:40],
    "HSTS_SECONDS": "31536000",
    "SECURE_COOKIES": "true",
    "WEB_CONCURRENCY": "2",
    # Every test stops its server; only the drain test needs the full drain period.
    "DRAIN_SECONDS": "1",
}


def deployed(
    installed: Installed, postgres_url: str, database_name: str, **overrides: str
) -> dict[str, str]:
    """The environment of a deploy: production values, ``overrides``, a database of its own
    where the service has one, and the release one-off run, as a deploy runs it before the web
    process starts (its deploy check refuses development values)."""
    values = {**PRODUCTION, **overrides}
    if installed.database != "none":
        values["DATABASE_URL"] = create_database(postgres_url, database_name)
    env = installed.environment(**values)
    release = installed.run(procfile(installed.project)["release"], env)
    assert release.returncode == 0, release.stdout + release.stderr
    return env
