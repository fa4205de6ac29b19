"""Every mutation the checker must catch, per factor (tests/test_twelve_factor_mutations.py)."""

from __future__ import annotations

from support.mutations import (
    admin,
    backing_services,
    build,
    codebase,
    concurrency,
    config,
    dependencies,
    disposability,
    logs,
    parity,
    port_binding,
    processes,
)
from support.mutations.edits import Mutation

MUTATIONS: list[Mutation] = [
    *codebase.MUTATIONS,
    *dependencies.MUTATIONS,
    *config.MUTATIONS,
    *backing_services.MUTATIONS,
    *build.MUTATIONS,
    *processes.MUTATIONS,
    *port_binding.MUTATIONS,
    *concurrency.MUTATIONS,
    *disposability.MUTATIONS,
    *parity.MUTATIONS,
    *logs.MUTATIONS,
    *admin.MUTATIONS,
]
