"""How the template's own tests are scheduled (tests/conftest.py): a generated project that a
test installs is installed once per combination, not once per module that uses it."""

from __future__ import annotations

from pathlib import Path

from conftest import GROUPED_BY_PARAMETRIZATION

TESTS = Path(__file__).resolve().parents[1]


def test_every_module_that_installs_a_service_is_grouped_by_combination() -> None:
    installing = {
        path.relative_to(TESTS.parent).as_posix()
        for path in TESTS.rglob("test_*.py")
        if path != Path(__file__).resolve() and "installed_service" in path.read_text()
    }
    assert installing, "no module uses installed_service: the check below would pass vacuously"
    assert sorted(installing - set(GROUPED_BY_PARAMETRIZATION)) == []
