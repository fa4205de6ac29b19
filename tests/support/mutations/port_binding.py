"""Mutations that break factor VII. Port binding."""

from __future__ import annotations

from support.mutations.edits import BOTH_DATABASES, CMD, WEB, Mutation, edit

MUTATIONS = [
    Mutation(
        "gunicorn binds a fixed port",
        frozenset({"port-binding.env-port"}),
        r"gunicorn\.conf\.py:\d+: bind does not come from the PORT setting "
        r"\(\['0\.0\.0\.0:8000'\]\)",
        lambda p, f: edit(
            p, "gunicorn.conf.py", r"^bind = .*$", 'bind = ["0.0.0.0:8000"]', regex=True
        ),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "the Procfile binds a fixed port",
        frozenset({"port-binding.env-port"}),
        r"Procfile:1: binds a fixed port \(--bind 0\.0\.0\.0:8000\)",
        lambda p, f: edit(p, "Procfile", WEB, f"{WEB} --bind 0.0.0.0:8000"),
    ),
    Mutation(
        "the image's CMD binds a fixed port",
        frozenset({"port-binding.env-port"}),
        r"Dockerfile:\d+: binds a fixed port",
        lambda p, f: edit(p, "Dockerfile", CMD, CMD[:-1] + ', "--bind", "0.0.0.0:8000"]'),
    ),
]
