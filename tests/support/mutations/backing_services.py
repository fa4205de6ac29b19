"""Mutations that break factor IV. Backing services."""

from __future__ import annotations

from support.mutations.edits import CLIENT, Mutation, append

MUTATIONS = [
    Mutation(
        "a backing service's address in the code",
        frozenset({"backing-services.attached"}),
        rf"{CLIENT}:\d+: a redis address in the code \(redis://cache\.internal:6379/0\)",
        lambda p, f: append(p, CLIENT, 'CACHE_URL = "redis://cache.internal:6379/0"\n'),
    ),
]
