"""Checks on the finished project, run before the user sees it.

They catch template defects (a leftover Jinja tag, a file that does not parse) at generation
time, so that a broken combination never reaches a user's disk looking healthy.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

from generation.errors import GenerationError
from generation.layout import FRAMEWORKS_DIR, LICENSES_DIR

JINJA_MARKERS = ("{{", "{%", "{#")
SKIPPED_DIRS = {".git", ".venv", "__pycache__", "node_modules"}


def project_files(project: Path) -> Iterator[Path]:
    """Every file of the project, outside version-control and environment folders."""
    for path in sorted(project.rglob("*")):
        if path.is_file() and not SKIPPED_DIRS.intersection(path.relative_to(project).parts):
            yield path


def leftover_markers(text: str) -> list[int]:
    """Line numbers that still hold a Jinja marker."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if any(marker in line for marker in JINJA_MARKERS)
    ]


def check_file(path: Path) -> str | None:
    """Why ``path`` is broken, or None."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None  # binary files are copied, not rendered
    lines = leftover_markers(text)
    if lines:
        return f"unrendered template syntax on line {lines[0]}"
    try:
        if path.suffix == ".py":
            compile(text, str(path), "exec")
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix in {".yml", ".yaml"}:
            import yaml  # cookiecutter depends on PyYAML

            yaml.safe_load(text)
    except (SyntaxError, ValueError) as error:  # tomllib/json/yaml errors are ValueErrors
        return f"does not parse: {str(error).splitlines()[0]}"
    except Exception as error:  # yaml.YAMLError is not a ValueError
        return f"does not parse: {str(error).splitlines()[0]}"
    return None


def check_project(project: Path) -> None:
    """Raise :class:`GenerationError` naming the first broken file."""
    for leftover in (FRAMEWORKS_DIR, LICENSES_DIR):
        if (project / leftover).exists():
            raise GenerationError(f"template defect: {leftover}/ was left in the project")
    for path in project_files(project):
        problem = check_file(path)
        if problem:
            raise GenerationError(f"generated file {path.relative_to(project)} {problem}")
