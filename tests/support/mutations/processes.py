"""Mutations that break factor VI. Processes."""

from __future__ import annotations

from support.mutations.edits import BOTH_DATABASES, CLIENT, SETTINGS, SLUG, Mutation, append

MUTATIONS = [
    Mutation(
        "a file written at run time",
        frozenset({"processes.no-local-writes"}),
        rf"{CLIENT}:\d+: opens a file for writing \(mode 'w'\) at run time",
        lambda p, f: append(
            p,
            CLIENT,
            '\n\ndef remember(payload: str) -> None:\n    with open("last.json", "w") as file:\n'
            "        file.write(payload)\n",
        ),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "Path.write_text at run time",
        frozenset({"processes.no-local-writes"}),
        rf"{CLIENT}:\d+: writes to the local filesystem \(write_text\) at run time",
        lambda p, f: append(
            p,
            CLIENT,
            "\n\ndef remember(payload: str) -> None:\n    from pathlib import Path\n\n"
            '    Path("last.json").write_text(payload)\n',
        ),
    ),
    Mutation(
        "uploads on local disk (MEDIA_ROOT)",
        frozenset({"processes.no-local-writes"}),
        rf"{SLUG}/settings\.py:\d+: MEDIA_ROOT stores uploads on the container's disk",
        lambda p, f: append(p, SETTINGS, 'MEDIA_ROOT = BASE_DIR / "media"\n'),
        frameworks=("django",),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "a local SQLite file as a cache",
        frozenset({"processes.no-local-writes"}),
        rf"{CLIENT}:\d+: keeps state in a local database file",
        lambda p, f: append(p, CLIENT, 'import sqlite3\n\nCACHE = sqlite3.connect("cache.db")\n'),
    ),
]
