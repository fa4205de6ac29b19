"""Every mutation the checker must catch (tests/test_twelve_factor_mutations.py): one module here
per factor, named as the checker's module for it (``backing-services``: backing_services.py)."""

from __future__ import annotations

import importlib

from generation.checker import twelve_factor

from support.mutations.edits import Mutation

FACTORS = list(dict.fromkeys(check.factor for check in twelve_factor.REGISTRY.values()))
MUTATIONS: list[Mutation] = [
    mutation
    for factor in FACTORS
    for mutation in importlib.import_module(
        f"support.mutations.{factor.slug.replace('-', '_')}"
    ).MUTATIONS
]
