"""Checks on the finished project, run before the user sees it.

They catch template defects (a leftover Jinja tag, a file that does not parse) at generation
time, so that a broken combination never reaches a user's disk looking healthy.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from generation import layout
from generation.errors import GenerationError

JINJA_MARKERS = ("{{", "{%", "{#")
SKIPPED_DIRS = {".git", ".venv", "__pycache__", "node_modules"}
# A GitHub Actions expression, ``${{ github.ref }}``: GitHub evaluates it, not Jinja.
GITHUB_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")


def project_files(project: Path) -> Iterator[Path]:
    """Every file of the project, outside version-control and environment folders."""
    for path in sorted(project.rglob("*")):
        if path.is_file() and not SKIPPED_DIRS.intersection(path.relative_to(project).parts):
            yield path


def allows_github_expressions(relative: Path) -> bool:
    """Whether the file at ``relative`` (to the project) may hold ``${{ ... }}`` expressions.

    Only GitHub's own YAML files do: workflows and the like under ``.github/``.
    """
    return relative.parts[:1] == (".github",) and relative.suffix in {".yml", ".yaml"}


def leftover_markers(text: str, *, github_expressions: bool = False) -> list[int]:
    """Line numbers that still hold a Jinja marker.

    With ``github_expressions``, a complete ``${{ ... }}`` on one line is GitHub's and not a
    leftover, unless a Jinja marker is nested inside it.
    """
    if not any(marker in text for marker in JINJA_MARKERS):
        return []  # most files: no line can hold one (``${{`` holds ``{{`` too)
    numbers = []
    for number, line in enumerate(text.splitlines(), start=1):
        if github_expressions:
            inner = GITHUB_EXPRESSION.findall(line)
            line = GITHUB_EXPRESSION.sub("", line) + " ".join(inner)
        if any(marker in line for marker in JINJA_MARKERS):
            numbers.append(number)
    return numbers


def check_file(path: Path, project: Path | None = None) -> str | None:
    """Why ``path`` (a file of ``project``) is broken, or None."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None  # binary files are copied, not rendered
    relative = path.relative_to(project) if project else Path(path.name)
    lines = leftover_markers(text, github_expressions=allows_github_expressions(relative))
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

            # libyaml's loader, where PyYAML was built with it, parses ~10x faster.
            yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (SyntaxError, ValueError) as error:  # tomllib/json/yaml errors are ValueErrors
        return f"does not parse: {str(error).splitlines()[0]}"
    except Exception as error:  # yaml.YAMLError is not a ValueError
        return f"does not parse: {str(error).splitlines()[0]}"
    return None


def check_project(project: Path, answers: Mapping[str, Any] | None = None) -> None:
    """Raise :class:`GenerationError` naming the first broken file (or, given the answers, the
    first alternative directory the layout left behind)."""
    for leftover in layout.leftovers(project, answers or {}):
        raise GenerationError(f"template defect: {leftover}/ was left in the project")
    for path in project_files(project):
        problem = check_file(path, project)
        if problem:
            raise GenerationError(f"generated file {path.relative_to(project)} {problem}")
