"""Everything the post-generation hook does, in order."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generation import layout, lockfile, output_checks
from generation.errors import GenerationError, report


def main(project: Path, answers: Mapping[str, Any]) -> int:
    """Shape, check and lock the project; return the hook's exit status."""
    try:
        layout.apply(project, answers)
        output_checks.check_project(project)
    except GenerationError as error:
        # cookiecutter removes the project directory when this hook fails.
        return report(error)
    print(lockfile.lock(project))
    print(f"Created {project.name}/: see its README.md to run and test it.")
    return 0
