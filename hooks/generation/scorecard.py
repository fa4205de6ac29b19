"""Score the new project against the twelve factors with the checker it ships.

The checker is the project's own ``tools/twelve_factor.py`` (the same file in every project, so
there is no second copy here): it is loaded from the project by path, under a private module
name, without touching ``sys.path`` or writing bytecode into the project. A factor that fails
on a freshly generated project is a template defect, so generation fails with the evidence.

One finding is expected at generation and is only a warning: a missing lock. Locking needs uv
and the package index, and when either is missing (or ``TWELVE_FACTOR_LOCK=0``) the lock step
has already printed how to lock later. A lock that exists but does not match the declaration
is never waived. In the project itself, ``make twelve-factor`` and ``tests/test_twelve_factor.py``
waive nothing: there a missing lock fails with "run `make lock`".
"""

from __future__ import annotations

import hashlib
import sys
import types
from pathlib import Path
from typing import Any

from generation.errors import GenerationError

CHECKER = "tools/twelve_factor.py"
WAIVED_AT_GENERATION = frozenset({"dependencies.lock-missing"})


def load_checker(project: Path) -> types.ModuleType:
    """The project's checker module, loaded from its file."""
    path = project / CHECKER
    if not path.is_file():
        raise GenerationError(f"template defect: {CHECKER} is missing from the project")
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    module = types.ModuleType(f"_twelve_factor_{digest}")
    module.__file__ = str(path)
    # Dataclasses look their module up in sys.modules while the class is created.
    sys.modules[module.__name__] = module
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    except BaseException:
        del sys.modules[module.__name__]
        raise
    return module


def evaluate(project: Path) -> Any:
    """The project's scorecard, with the findings expected at generation as warnings."""
    return load_checker(project).check_project(project, waive=WAIVED_AT_GENERATION)


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
            f"template defect: {CHECKER} failed on the new project: {error!r}"
        ) from error
    if not scorecard.ok:
        raise GenerationError(failure_message(scorecard))
    return str(scorecard.render())
