"""GitHub Actions expressions are allowed in .github/ YAML files, and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest
from generation import output_checks
from generation.errors import GenerationError

WORKFLOW = """\
jobs:
  a:
    if: ${{ github.ref == 'refs/heads/main' }}
    env:
      A: ${{ x }}-${{ y }}
"""


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize(
    "relative", [".github/workflows/ci.yml", ".github/workflows/ci.yaml", ".github/dependabot.yml"]
)
def test_github_expressions_pass_in_github_yaml(tmp_path: Path, relative: str) -> None:
    write(tmp_path, relative, WORKFLOW)

    output_checks.check_project(tmp_path)


@pytest.mark.parametrize(
    "relative", ["compose.yaml", "docs/.github/x.yml", ".github/README.md", "ci.yml"]
)
def test_github_expressions_are_leftovers_elsewhere(tmp_path: Path, relative: str) -> None:
    write(tmp_path, relative, WORKFLOW)

    with pytest.raises(GenerationError, match="unrendered template syntax on line 3"):
        output_checks.check_project(tmp_path)


@pytest.mark.parametrize(
    "line",
    [
        "name: {{ cookiecutter.project_slug }}",
        "run: ${{ github.ref }} {% if x %}",
        "if: ${{ {{ cookiecutter.x }} }}",
        "a: ${{ '{{' }}version}}",
        "a: ${{ unclosed",
        "{# comment #}",
    ],
)
def test_jinja_left_in_a_workflow_is_still_caught(tmp_path: Path, line: str) -> None:
    write(tmp_path, ".github/workflows/ci.yml", f"on: push\n{line}\n")

    with pytest.raises(GenerationError, match=r"ci.yml unrendered template syntax on line 2"):
        output_checks.check_project(tmp_path)
