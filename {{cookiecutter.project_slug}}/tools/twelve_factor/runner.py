"""Running the checks on a project."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .options import check_waivers, read_options
from .project import Project
from .registry import FACTORS, checks
from .results import FactorResult, Scorecard


def check_project(
    root: Path | str, *, waive: Mapping[str, str] | None = None, strict: bool | None = None
) -> Scorecard:
    """Run every check on the project at ``root``.

    ``waive`` (check id -> reason) adds to the waivers of ``[tool.twelve-factor]``; ``strict``,
    when given, overrides its ``strict``.
    """
    project = Project(Path(root))
    options = read_options(project.pyproject)
    waivers = {**options.waive, **check_waivers(waive or {}, "waive")}
    strict = options.strict if strict is None else strict
    project.strict = strict
    results = {factor.number: FactorResult(factor, strict) for factor in FACTORS}
    for item in checks():
        target = results[item.factor.number]
        for finding in item.run(project):
            finding = finding.with_check(item.id, waivers.get(item.id))
            if finding not in target.findings:
                target.findings.append(finding)
    return Scorecard(project.name, project.framework, list(results.values()), strict)
