"""The Makefile targets the generated CI workflow runs pass in a freshly installed project.

The targets are read from the rendered ``.github/workflows/ci.yml`` itself (its ``run: make X``
steps), so a check added to CI is a check run here. Each runs as CI runs it: uv on PATH,
the project installed from its lock, none of example.env's values in the environment, and
``DATABASE_URL`` pointing at a real PostgreSQL only where CI's job sets it (the test job).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.service import (
    TOOLS_BIN,
    Installed,
    create_database,
    read_env_file,
    service_combinations,
    worker_combinations,
)
from support.template import DEFAULT_SLUG

pytestmark = pytest.mark.integration

# Installing is `make install`, done by support.service.install. The image
# targets need a container engine; the container job's script is checked statically here
# (tests/test_static_linters.py) and run where an engine is.
NOT_RUN_HERE = {
    "install": "done by support.service.install, with the same `make install`",
    "docker-build": "needs a container engine",
    "smoke-test-image": "needs a container engine",
}


# The worker projects too: their own tests (`make test`) run web and worker processes for real.
@pytest.fixture(scope="module", params=service_combinations() + worker_combinations())
def installed(
    request: pytest.FixtureRequest, installed_service: Callable[[dict[str, Any]], Installed]
) -> Installed:
    return installed_service(request.param)


def ci_jobs(project: Path) -> dict[str, list[str]]:
    """Job -> the make targets its steps run, in order, from the rendered ci.yml."""
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    jobs = {}
    for name, job in workflow["jobs"].items():
        commands = [step["run"] for step in job["steps"] if "run" in step]
        assert all(re.fullmatch(r"make [a-z-]+", command) for command in commands), commands
        jobs[name] = [command.removeprefix("make ") for command in commands]
    return jobs


def ci_environment(installed: Installed) -> dict[str, str]:
    """A runner's environment: this one with the tools and the interpreter, and no variable the
    service reads (CI sets none of them; only the test job sets DATABASE_URL)."""
    env = {
        **os.environ,
        "PATH": f"{TOOLS_BIN}{os.pathsep}{os.environ['PATH']}",
        # The interpreter the project was installed with: uv keeps that .venv.
        "UV_PYTHON": installed.python,
        "UV_PYTHON_DOWNLOADS": "never",
    }
    for name in ["VIRTUAL_ENV", "DATABASE_URL", *read_env_file(installed.project / "example.env")]:
        env.pop(name, None)
    return env


def test_every_ci_target_passes(
    installed: Installed, postgres_url: str, request: pytest.FixtureRequest
) -> None:
    jobs = ci_jobs(installed.project)
    assert {"lint", "typecheck", "test", "migrations"} <= set(jobs)
    failures = []
    ran = []
    for job, targets in jobs.items():
        for target in targets:
            if target in NOT_RUN_HERE:
                continue
            env = ci_environment(installed)
            if job == "test" and installed.database != "none":
                # CI's test job points DATABASE_URL at its PostgreSQL service container.
                name = f"ci_{abs(hash(request.node.nodeid)) % 10**8}"
                env["DATABASE_URL"] = create_database(postgres_url, name)
            result = subprocess.run(
                ["make", target],
                cwd=installed.project,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            ran.append(target)
            if result.returncode != 0:
                failures.append(
                    f"== make {target} (job {job}): exit status {result.returncode}\n"
                    f"{result.stdout}{result.stderr}"
                )
    assert {"lint", "typecheck", "migrations-check", "test"} <= set(ran), ran
    assert failures == [], "\n".join(failures)


# A model change without its migration, per framework: (file, text to append).
UNRECORDED_MODEL_CHANGE = {
    "django": (
        f"{DEFAULT_SLUG}/items/models.py",
        "\n\nclass Unrecorded(models.Model):\n    name = models.CharField(max_length=10)\n",
    ),
    "fastapi": (
        f"{DEFAULT_SLUG}/models.py",
        "\n\nclass Unrecorded(Base):\n"
        '    __tablename__ = "unrecorded"\n\n'
        "    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)\n",
    ),
}


def test_migrations_check_catches_a_model_change_without_a_migration(installed: Installed) -> None:
    if installed.database == "none":
        pytest.skip("database=none has no models")
    relative, addition = UNRECORDED_MODEL_CHANGE[installed.framework]
    models = installed.project / relative
    original = models.read_text()
    models.write_text(original + addition)
    try:
        result = subprocess.run(
            ["make", "migrations-check"],
            cwd=installed.project,
            env=ci_environment(installed),
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        models.write_text(original)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    # It failed because of the change, not for some other reason.
    assert {"django": "Unrecorded", "fastapi": "New upgrade operations detected"}[
        installed.framework
    ] in output, output
