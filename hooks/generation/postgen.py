"""Everything the post-generation hook does, in order."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generation import layout, link, lockfile, output_checks
from generation.errors import GenerationError, report

SKIP_SCORECARD_ENV = "TWELVE_FACTOR_SCORECARD"


def main(project: Path, answers: Mapping[str, Any]) -> int:
    """Shape, check and lock the project; return the hook's exit status."""
    try:
        layout.apply(project, answers)
        output_checks.check_project(project, answers)
    except GenerationError as error:
        # cookiecutter removes the project directory when this hook fails.
        return report(error)
    # cruft's scratch re-renders for `cruft diff`/`cruft update` stop here: no lock (network,
    # and uv.lock is team-owned and skipped), no .cruft.json (cruft owns it then), no output
    # (cruft diff prints to stdout).
    if link.is_cruft_rerender(project, answers):
        return 0
    for notice in link.link(project, answers):
        print(notice)
    print(lockfile.lock(project, answers["dependency_manager"]))
    # The project's own twelve-factor checker on the finished, locked project. A failed factor
    # is a template defect and fails generation with the evidence; a lock missing because
    # locking was skipped just above is a warning.
    if os.environ.get(SKIP_SCORECARD_ENV) == "0":
        # The template's render tests: they run the same checker on every combination themselves.
        print(f"Skipped the twelve-factor scorecard ({SKIP_SCORECARD_ENV}=0).")
    else:
        from generation import scorecard  # imports the checker package: only when it runs

        try:
            print(scorecard.run(project))
        except GenerationError as error:
            return report(error)
    print(f"Created {project.name}/: see its README.md to run and test it.")
    return 0
