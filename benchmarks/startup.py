"""Time to first response: a generated service against a bare app of the same framework.

Factor IX asks for fast start-up. For each framework this renders the template (database=none,
so no database start-up is timed), installs it from its lock, and measures how long its real
`web` process (the Procfile command: gunicorn with the generated configuration) takes from spawn
to the first 200 from /healthz. Beside it, in the same virtual environment and under the same
gunicorn, a bare app of the same framework is timed the same way. Runs alternate between the
two so that machine noise hits both alike; the report gives medians and the ratio. The
generated service is also timed with telemetry on (``OTEL_EXPORTER_OTLP_ENDPOINT`` set, to a
port nobody listens on: exports fail quietly), which is what importing OpenTelemetry costs;
off, it imports none of it.

Usage: .venv/bin/python benchmarks/startup.py [--runs N]   (needs the package index once)
Results: printed, and appended as JSON lines to benchmarks/results/startup.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "hooks")]

from support.service import find_python, free_port, http_get, install  # noqa: E402
from support.template import CHOICES, DEFAULTS, TEMPLATE_DIR  # noqa: E402

BARE_APPS = {
    # One settings-free Django view: the least a Django WSGI app can be.
    "django": (
        "bare_app:application",
        """
from django.conf import settings
settings.configure(DEBUG=False, ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, SECRET_KEY="x" * 50)
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path
urlpatterns = [path("healthz", lambda request: JsonResponse({"status": "ok"}))]
application = get_wsgi_application()
""",
        [],
    ),
    "fastapi": (
        "bare_app:app",
        """
from fastapi import FastAPI
app = FastAPI()
@app.get("/healthz")
def healthz():
    return {"status": "ok"}
""",
        ["--worker-class", "uvicorn_worker.UvicornWorker"],
    ),
}


def first_response_seconds(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{env['PORT']}/healthz"
    try:
        while time.perf_counter() - started < 60:
            if process.poll() is not None:
                raise SystemExit(f"{' '.join(command)} exited with {process.returncode}")
            try:
                if http_get(url, timeout=1)[0] == 200:
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.01)
        raise SystemExit(f"{' '.join(command)}: no answer within 60 s")
    finally:
        process.terminate()
        process.wait(timeout=30)


def render(framework: str, output: Path) -> Path:
    from cookiecutter.main import cookiecutter

    python_version = next(v for v in CHOICES["python_version"] if find_python(v))
    answers = {
        **DEFAULTS,
        "framework": framework,
        "database": "none",
        "python_version": python_version,
    }
    os.environ["TWELVE_FACTOR_LOCK"] = "1"
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR), no_input=True, extra_context=answers, output_dir=str(output)
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    results_dir = ROOT / "benchmarks" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for framework in CHOICES["framework"]:
            project = render(framework, Path(scratch) / framework)
            python_version = (project / ".python-version").read_text().strip()
            installed = install(
                project, find_python(python_version) or sys.executable, framework, "none"
            )
            bare_dir = Path(scratch) / f"bare-{framework}"
            bare_dir.mkdir()
            app, source, extra = BARE_APPS[framework]
            (bare_dir / "bare_app.py").write_text(source)
            gunicorn = str(installed.bin / "gunicorn")
            timings: dict[str, list[float]] = {"generated": [], "telemetry_on": [], "bare": []}
            for _ in range(runs):
                env = installed.environment(PORT=str(free_port()), WEB_CONCURRENCY="1")
                generated = [gunicorn, "--config", "gunicorn.conf.py"]
                timings["generated"].append(first_response_seconds(generated, project, env))
                env = installed.environment(
                    PORT=str(free_port()),
                    WEB_CONCURRENCY="1",
                    OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{free_port()}",
                )
                timings["telemetry_on"].append(first_response_seconds(generated, project, env))
                env = {**installed.environment(), "PORT": str(free_port())}
                bare = [
                    gunicorn,
                    "--bind",
                    f"127.0.0.1:{env['PORT']}",
                    "--workers",
                    "1",
                    *extra,
                    app,
                ]
                timings["bare"].append(first_response_seconds(bare, bare_dir, env))
            medians = {name: statistics.median(values) for name, values in timings.items()}
            record = {
                "benchmark": "startup",
                "framework": framework,
                "runs": runs,
                "median_generated_s": round(medians["generated"], 3),
                "median_telemetry_on_s": round(medians["telemetry_on"], 3),
                "median_bare_s": round(medians["bare"], 3),
                "ratio": round(medians["generated"] / medians["bare"], 2),
            }
            print(json.dumps(record))
            with (results_dir / "startup.jsonl").open("a") as results:
                results.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
