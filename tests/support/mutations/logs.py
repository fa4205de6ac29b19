"""Mutations that break factor XI. Logs."""

from __future__ import annotations

from support.mutations.edits import BOTH_DATABASES, SLUG, Mutation, edit

MUTATIONS = [
    Mutation(
        "a log file handler",
        frozenset({"logs.stdout"}),
        rf"{SLUG}/logs\.py:\d+: logging\.FileHandler writes logs to a file",
        lambda p, f: edit(
            p,
            f"{SLUG}/logs.py",
            '"handlers": {\n',
            '"handlers": {\n'
            '            "file": {"class": "logging.FileHandler", "filename": "service.log"},\n',
        ),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "logs to stderr",
        frozenset({"logs.stdout"}),
        rf"{SLUG}/logs\.py:\d+: a StreamHandler to ext://sys\.stderr",
        lambda p, f: edit(p, f"{SLUG}/logs.py", "ext://sys.stdout", "ext://sys.stderr"),
    ),
    Mutation(
        "an access log file",
        frozenset({"logs.stdout"}),
        r"gunicorn\.conf\.py:\d+: accesslog = 'access\.log' writes to a file",
        lambda p, f: edit(p, "gunicorn.conf.py", "accesslog = None", 'accesslog = "access.log"'),
    ),
]
