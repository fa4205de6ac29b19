"""Mutations that break factor IX. Disposability."""

from __future__ import annotations

from support.mutations.edits import BOTH_DATABASES, CMD, SLUG, Mutation, drop_lines, edit

MUTATIONS = [
    Mutation(
        "shell-form CMD",
        frozenset({"disposability.exec-form"}),
        r"Dockerfile:\d+: shell-form CMD: /bin/sh becomes PID 1",
        lambda p, f: edit(p, "Dockerfile", CMD, "CMD gunicorn --config gunicorn.conf.py"),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "a shell without exec in an exec-form CMD",
        frozenset({"disposability.exec-form"}),
        r"Dockerfile:\d+: CMD runs the server under a shell without `exec`",
        lambda p, f: edit(
            p, "Dockerfile", CMD, 'CMD ["sh", "-c", "gunicorn --config gunicorn.conf.py"]'
        ),
    ),
    Mutation(
        "no /readyz",
        frozenset({"disposability.probes"}),
        rf"{SLUG}/: no /readyz route",
        lambda p, f: edit(p, f"{SLUG}/health.py", '"/readyz"', '"/version"'),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "no /healthz",
        frozenset({"disposability.probes"}),
        rf"{SLUG}/: no /healthz route",
        lambda p, f: edit(p, f"{SLUG}/health.py", '"/healthz"', '"/about"'),
    ),
    Mutation(
        "no graceful timeout",
        frozenset({"disposability.graceful-timeout"}),
        r"gunicorn\.conf\.py: no graceful_timeout",
        lambda p, f: drop_lines(p, "gunicorn.conf.py", "graceful_timeout ="),
    ),
]
