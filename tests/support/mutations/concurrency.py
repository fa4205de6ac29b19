"""Mutations that break factor VIII. Concurrency."""

from __future__ import annotations

from support.mutations.edits import BOTH_DATABASES, Mutation, append, edit

MUTATIONS = [
    Mutation(
        "a fixed worker count",
        frozenset({"concurrency.workers"}),
        r"gunicorn\.conf\.py:\d+: workers = 4 is fixed; read WEB_CONCURRENCY",
        lambda p, f: edit(p, "gunicorn.conf.py", r"^workers = .*$", "workers = 4", regex=True),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "no web process type",
        frozenset({"concurrency.process-types"}),
        r"Procfile: declares no `web` process type \(has: server, release\)",
        lambda p, f: edit(p, "Procfile", "web:", "server:"),
    ),
    Mutation(
        "a fixed job concurrency",
        frozenset({"concurrency.worker-concurrency"}),
        r"Procfile:2: a fixed job concurrency \(--concurrency 8\); read WORKER_CONCURRENCY",
        lambda p, f: edit(p, "Procfile", r"^(worker: .*)$", r"\1 --concurrency 8", regex=True),
        workers=("procrastinate",),
    ),
    Mutation(
        "a daemonized server",
        frozenset({"concurrency.no-daemon"}),
        r"gunicorn\.conf\.py:\d+: daemon = True",
        lambda p, f: append(p, "gunicorn.conf.py", "daemon = True\n"),
    ),
]
