"""Why a target is missed: findings from measurements made beside the benchmark run.

The benchmark run measures how long things take; these say where that time goes, measured
separately (cProfile, ``python -X importtime``, strace, the same service with one part
switched off, wrk with a script that tallies status codes), on the shared 2-core machine,
2026-12-03, runs alternating with their baseline. The report prints a reason next to a figure
only when that figure misses its target, so a rerun that meets it says nothing stale. When the
code these describe changes, measure again and update the text here.
"""

from __future__ import annotations

GENERATION = (
    "the render alone, hooks off, is about 0.8x the baseline (1.24 s against 1.57 s): "
    "cookiecutter compiles a Jinja template per file, and this template renders 137 "
    "files, 47 of them alternatives the hook then deletes. The two hook processes add about "
    "1 s. A cProfile of the default bake, with this machine's PYTHONDONTWRITEBYTECODE=1, so "
    "every hook module compiles from source: 0.17 s before generation; 0.84 s after it. Of "
    "that, the twelve-factor scorecard takes 0.40 s: 0.21 s importing the checker, whose 143 "
    "regular expressions compile at import in 0.12 s, and 0.19 s running it. The output "
    "checks take 0.23 s, nearly all of it compiling the 88 generated .py files. The hooks' "
    "package and yaml take 0.06 s to import, the layout 0.05 s and seven git commands 0.03 s. "
    "Follow-ups: copy alternatives from the hook instead of rendering them; compile the "
    "checker's patterns on first use."
)

MATRIX = (
    "every one of the 288 combinations is rendered once per session, at about 0.67 CPU-s each "
    "(0.19 s in-process and 0.48 s in the two hook processes, measured over 40 combinations "
    "with the scorecard off as in the tests), so the renders alone need about 190 CPU-s of the "
    "360 that 3 minutes give on 2 cores. `make -n` takes 0.3 s since the generated Makefile "
    "expands UV, KUBECTL and TEMPLATE_PYTHON once (it took 2.0-2.6 s); one python3 start per "
    "make run remains, as GNU make 4.3 evaluates TEMPLATE_PYTHON for every target."
)

COLD_START = {
    "django": (
        "the margin is within this machine's noise: a check afterwards (n=3, alternating, load "
        "6-7) gave 0.63 s against 0.75 s bare with 1 worker, 0.85 s against 0.85 s with 2, and "
        "no 503 from /readyz before its first 200. The generated worker's imports take 0.60 s "
        "against the bare app's 0.39 s, and each /readyz opens a fresh database connection."
    ),
    "fastapi": (
        "the master imports and validates the settings before it forks (gunicorn.conf.py "
        "0.50 s, pydantic-settings 0.18 s of it, which the bare app never imports), and the "
        "generated worker's imports take 1.56 s against 1.29 s bare. A check afterwards (n=3, "
        "load 6-7) gave 1.03x: the margin is of the size of the noise; loading the settings in "
        "the master is deliberate (a bad configuration stops the server before it binds)."
    ),
}

SHUTDOWN = {
    "django": (
        "the time is gunicorn's own (strace of the bare app): the gthread worker takes about "
        "0.2 s from SIGTERM to exit, the arbiter polls every 0.1 s and sleeps once more after "
        "reaping the last worker, and the master exits in about 0.04 s. The generated "
        "configuration adds nothing measurable beyond the drain (0.36-0.50 s, bare 0.36-0.49 s, "
        "n=6)."
    ),
    "fastapi": (
        "the bare app under the same gunicorn and UvicornWorker is above the target too (the "
        "arbiter's 0.1 s polling, uvicorn's 0.1 s exit check and lifespan shutdown, interpreter "
        "teardown). A check afterwards gave 0.42-0.45 s beyond the drain against 0.37-0.41 s "
        "bare (n=3): about 0.05 s is the generated service's (its lifespan disposes the pool)."
    ),
}

THROUGHPUT_HEALTHZ = {
    "fastapi": (
        "the three pure-ASGI middlewares: with all removed the service ran at 95 % of bare, "
        "without the host check 94 %, without the error contract 88 %, without the request "
        "log 77 % (wrk, alternating, n=3, load 3-8); the two checks each build Headers views "
        "of the request (three per request). Follow-up: one pass over scope['headers'] for "
        "Host and Content-Length, shared by both checks."
    ),
}

DATABASE_ENDPOINT = {
    "django": (
        '/items (no target): the non-2xx answers are 503 "the service is busy; retry '
        'later" (a wrk script tallying status codes: 155 of about 1,450 in one 3 s run, none '
        "in another, none from the bare app). Switching CONN_HEALTH_CHECKS off did not change "
        "the rate (n=2); the rest is the ORM and the middleware stack the bare app skips."
    ),
    "fastapi": (
        "/items (no target): 41 % of bare as generated, 57 % with the pool's pre-ping off "
        "(a round trip to PostgreSQL before every checkout), 65 % with the middlewares off "
        "(wrk, alternating, n=2, load 7-9); the rest is the sync session dependency (FastAPI "
        "runs it, its cleanup and the endpoint each in the thread pool), the ORM and the "
        "response model's validation."
    ),
}
