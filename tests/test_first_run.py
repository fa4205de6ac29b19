"""A project generated without its lock (offline, or no uv at hand) still installs on the
first try: `make install` (and so `make test` and `make dev`) creates the lock and says to
commit it, instead of failing on the missing file."""

from __future__ import annotations

from typing import Any

import pytest
from generation.checker import packages
from support.service import find_python, make
from support.template import CHOICES, DEFAULTS

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("dependency_manager", CHOICES["dependency_manager"])
def test_first_install_creates_the_missing_lock(bake: Any, dependency_manager: str) -> None:
    found = [(v, find_python(v)) for v in CHOICES["python_version"] if find_python(v)]
    if not found:
        pytest.skip("no interpreter for any python_version choice")
    [(python_version, python), *_] = found
    # The smallest project installs fastest; framework and database do not change the locking.
    project = bake(
        **{
            **DEFAULTS,
            "python_version": python_version,
            "framework": "fastapi",
            "database": "none",
            "dependency_manager": dependency_manager,
        }
    )
    locks = packages.LOCK_FILES[dependency_manager]
    assert not any((project / name).exists() for name in locks), "the tests render unlocked"

    completed = make(project, str(python), "install")

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert all((project / name).is_file() for name in locks)
    [notice] = [line for line in completed.stdout.splitlines() if line.startswith("Created ")]
    assert "commit" in notice, notice
    assert (project / ".venv").is_dir()
