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
    "the render alone (hooks off) is already about 0.7x the baseline: cookiecutter compiles a "
    "Jinja template per file and per path (cProfile: 0.38 s of a 0.69 s in-process render), "
    "and this template renders 137 files, 47 of them alternatives the post-generation hook "
    "deletes (90 kept), against cookiecutter-django's 203. The two hook processes add "
    "0.45-0.65 s (hooks on 1.22-1.46 s, off 0.77-0.82 s, quiet machine): the post-generation "
    "process spends about 0.17 s starting and importing, 0.1 s of it compiling the checker "
    "from source every time (its package is imported with bytecode writing off, so no "
    "__pycache__ lands in the template), 0.08-0.1 s in the output checks (every generated "
    "Python file compiled), 0.1 s in seven git commands (linking to the template commit) and "
    "0.03-0.05 s in the checker itself. Follow-ups: cache the checker's bytecode outside the "
    "template (sys.pycache_prefix), and keep alternatives out of the render (copy them from "
    "the hook) so they are not rendered only to be deleted."
)

MATRIX = (
    "the render test over all 144 combinations is about 60 % of the summed test time "
    "(144 bakes, 1.2-2.3 s each with hooks and checks); the next largest is "
    "test_first_commands_create_a_missing_lock_and_drift_needs_none, about 32 s per run: "
    "each `make -n` takes 2.6 s because the generated Makefile's TEMPLATE_PYTHON and UV are "
    "recursively expanded `$(shell …)` variables, run again at every reference (one "
    "`make -n install` started 8 python3 and 5 shell processes; through pyenv's shims each "
    "python3 is a chain of about 20 processes). Follow-up: expand them once (`:=`, or a "
    "lazily cached `$(eval …)` for TEMPLATE_PYTHON so targets that do not need it never "
    "start Python)."
)

COLD_START = {
    "django": (
        "a margin within this machine's noise: a check afterwards (n=3, alternating, load 6-7) "
        "gave 0.63 s against 0.75 s bare with 1 worker and 0.85 s against 0.85 s with 2, and "
        "/readyz answered no 503 before its first 200. What the generated service does more is "
        "real but small: its worker's imports take 0.60 s against the bare app's 0.39 s "
        "(settings validation, logging configuration, middlewares, models), its master "
        "imports the settings before forking (0.07 s), and each /readyz opens a fresh "
        "database connection in a thread, where the bare app reuses its persistent one."
    ),
    "fastapi": (
        "the master loads gunicorn.conf.py, which imports and validates the settings before "
        "it forks (0.50 s, 0.40 s of it the settings module: pydantic-settings 0.18 s, which "
        "the bare app never imports, and pydantic, which a forked worker then has already); "
        "the generated worker's imports take 1.56 s against the bare app's 1.29 s (the ORM, "
        "psycopg, the middlewares). A check afterwards (n=3, load 6-7) gave 1.28 s against "
        "1.24 s bare (1.03x): the margin is of the size of the noise. Loading the settings in "
        "the master is deliberate (a bad configuration stops the server before it binds)."
    ),
}

SHUTDOWN = {
    "django": (
        "the time is gunicorn's own (strace of the bare app under the same gunicorn 27): the "
        "gthread worker takes about 0.2 s from SIGTERM to its exit (closing its pool, "
        "interpreter teardown), the arbiter notices by polling every 0.1 s and sleeps 0.1 s "
        "once more after the last worker is reaped, and the master's own exit takes about "
        "0.04 s. The generated configuration adds nothing measurable beyond the drain "
        "(0.36-0.50 s beyond it, bare 0.36-0.49 s, alternating, n=6)."
    ),
    "fastapi": (
        "the bare app under the same gunicorn and UvicornWorker is above the target too: the "
        "arbiter's 0.1 s reap polling and the worker's interpreter teardown, as with Django, "
        "plus uvicorn's own shutdown (its main loop checks for the exit request every 0.1 s "
        "and then runs the lifespan shutdown). A check afterwards (n=3, alternating) gave "
        "0.42-0.45 s beyond the drain against the bare app's 0.37-0.41 s: the generated "
        "service's own share (its lifespan shutdown disposes the connection pool) is about "
        "0.05 s."
    ),
}

THROUGHPUT_HEALTHZ = {
    "fastapi": (
        "the three pure-ASGI middlewares on every request: with all three removed the "
        "generated service ran /healthz at 95 % of the bare app (wrk, alternating, n=3, load "
        "3-8); without the host check 94 %, without the error contract 88 %, without the "
        "request log 77 % (no change, as the request-logs-off row shows). Each builds its own "
        "Headers view of the request (the host check once, the error contract twice) and the "
        "error contract wraps receive and send in closures. Follow-up: one pass over "
        "scope['headers'] for Host and Content-Length, shared by the two checks."
    ),
}

DATABASE_ENDPOINT = {
    "django": (
        "/items (no target), measured: the non-2xx answers are all 503 "
        '{"error": "unavailable", "detail": "the service is busy; retry later"} (wrk script '
        "tallying status codes: 155 of about 1,450 answers in one 3 s run, none in another; the "
        "bare app none), the "
        "service shedding load on purpose when a worker's threads are all but one busy. The "
        "generated view also goes through the ORM and the middleware stack, and "
        "CONN_HEALTH_CHECKS=True makes Django check a reused connection at the start of "
        "request; switching that check off did not change the rate (n=2)."
    ),
    "fastapi": (
        "/items (no target), measured by switching parts off (wrk, alternating, n=2, load "
        "7-9): generated 41 % of the bare app, 57 % with the pool's pre-ping off (pool_pre_ping "
        "runs a round trip to PostgreSQL before every checkout), 65 % with the middlewares off. "
        "The rest is the request path the bare app skips: a sync session dependency "
        "(FastAPI runs it, its cleanup and the sync endpoint each in the thread pool), the "
        "ORM and the response model's validation."
    ),
}
