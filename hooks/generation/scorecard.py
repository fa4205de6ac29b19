"""Score the new project against the twelve factors with the checker it ships.

The checker is the template's ``tools/twelve_factor/`` package, which every project receives
unrendered (so the project's copy and this one are the same code); the hook imports it from the
template (:mod:`generation.checker`). A factor that fails on a freshly generated project is a
template defect, so generation fails with the evidence. The project is of the template's shape,
so the check is strict: a missing fact (no Procfile, no example.env) fails too.

One finding is expected at generation and is only waived: a missing lock. Locking needs uv and
the package index, and when either is missing (or ``TWELVE_FACTOR_LOCK=0``) the lock step has
already printed how to lock later. A lock that exists but does not match the declaration is
never waived. In the project itself, ``make twelve-factor`` and ``tests/test_twelve_factor.py``
waive nothing: there a missing lock fails with "run `make lock`".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generation.checker import PROJECT_PACKAGE, twelve_factor
from generation.errors import GenerationError

WAIVED_AT_GENERATION = {
    "dependencies.lock-missing": "locking was skipped at generation; `make lock` creates it"
}


def evaluate(project: Path) -> Any:
    """The project's scorecard, with the findings expected at generation waived."""
    if not (project / PROJECT_PACKAGE / "__init__.py").is_file():
        raise GenerationError(f"template defect: {PROJECT_PACKAGE}/ is missing from the project")
    return twelve_factor.check_project(project, waive=WAIVED_AT_GENERATION, strict=True)


def failure_message(scorecard: Any) -> str:
    """One line naming the failed factors, then each piece of evidence on its own line."""
    failed = [factor for factor in scorecard.factors if factor.status == "fail"]
    names = ", ".join(f"{factor.number}. {factor.name}" for factor in failed)
    evidence = [
        f"  {factor.number}: {finding.evidence()}"
        for factor in failed
        for finding in factor.failures
    ]
    return (
        f"template defect: the generated project fails {len(failed)} of "
        f"{len(scorecard.factors)} twelve-factor checks ({names}):\n" + "\n".join(evidence)
    )


def run(project: Path) -> str:
    """The scorecard to print; raise :class:`GenerationError` if any factor fails."""
    try:
        scorecard = evaluate(project)
    except GenerationError:
        raise
    except Exception as error:  # a bug in the checker is a template defect too: one line
        raise GenerationError(
            f"template defect: {PROJECT_PACKAGE} failed on the new project: {error!r}"
        ) from error
    if not scorecard.ok:
        raise GenerationError(failure_message(scorecard))
    return str(scorecard.render())
