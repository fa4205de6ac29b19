"""The twelve-factor checker's scorecard as the tests read it, and the lock `make lock` would
write for a rendered project (without the network), so that a project scores with no warning."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from generation.checker import packages, twelve_factor

from support.template import DEFAULTS

LOCK_MISSING = "dependencies.lock-missing"
WAIVE_LOCK = {LOCK_MISSING: "the tests render without locking"}


def score(project: Path, waive: dict[str, str] | None = None) -> Any:
    """The strict scorecard: a generated project keeps every convention the checker reads."""
    return twelve_factor.check_project(project, waive=waive, strict=True)


def failed_factors(card: Any) -> set[str]:
    return {factor.number for factor in card.factors if factor.status == "fail"}


def failed_checks(card: Any) -> set[str]:
    return {finding.check for finding in card.failures()}


def evidence(card: Any) -> str:
    return "\n".join(
        f"{factor.number}: {finding.evidence()}"
        for factor in card.factors
        for finding in factor.failures
    )


def lock_entry(requirement: str) -> str:
    """A uv.lock ``requires-dist`` entry, as the checker reads it back, for a PEP 508 string."""
    parsed = packages.Requirement.parse(requirement)
    assert parsed, requirement
    entry = packages.lock_entry(parsed)
    fields = ", ".join(f"{key} = {json.dumps(value)}" for key, value in entry.items())
    return f"    {{ {fields} }},"


def write_lock(project: Path) -> None:
    """The lock `make lock` would write, as far as the checker reads it (no network)."""
    requirements_in = project / "requirements.in"
    if requirements_in.exists():  # dependency_manager=pip: hash-pinned, stamped requirements
        for source in sorted(project.glob("requirements*.in")):
            names = [
                parsed.name
                for line in source.read_text().splitlines()
                if line.strip()
                and not line.lstrip().startswith(("#", "-"))
                and (parsed := packages.Requirement.parse(line))
            ]
            pins = [f"{name}==1.0 \\\n    --hash=sha256:{'0' * 64}" for name in names]
            stamp = packages.stamp_line(source.name, source.read_bytes())
            source.with_suffix(".txt").write_text(stamp + "\n" + "\n".join(pins) + "\n")
        return
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    table = pyproject["project"]
    lines = [
        "version = 1",
        "revision = 3",
        f'requires-python = "{table["requires-python"]}"',
        "",
        "[[package]]",
        f'name = "{packages.normalize_name(table["name"])}"',
        'version = "0.1.0"',
        'source = { virtual = "." }',
        "",
        "[package.metadata]",
        "requires-dist = [",
        *(lock_entry(requirement) for requirement in table.get("dependencies", [])),
        "]",
        "",
        "[package.metadata.requires-dev]",
    ]
    for group, requirements in pyproject.get("dependency-groups", {}).items():
        lines += [f"{group} = [", *(lock_entry(r) for r in requirements), "]"]
    (project / "uv.lock").write_text("\n".join(lines) + "\n")


def combination(
    framework: str, database: str, manager: str = "uv", worker: str = "none", **answers: str
) -> dict[str, Any]:
    return {
        **DEFAULTS,
        "framework": framework,
        "database": database,
        "dependency_manager": manager,
        "worker": worker,
        **answers,
    }
