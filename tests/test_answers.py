"""Bad answers stop generation with one clear line and leave nothing behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.template import TEMPLATE_DIR

BAD_ANSWERS = [
    ("project_slug", "My-Service", "use lowercase letters"),
    ("project_slug", "1service", "use lowercase letters"),
    ("project_slug", "service_", "use lowercase letters"),
    ("project_slug", "class", "shadow a Python keyword"),
    ("project_slug", "json", "standard-library module"),
    ("project_slug", "django", "a dependency"),
    ("author_email", "not-an-email", "use an address"),
    ("github_owner", "-bad-owner", "GitHub user or organisation"),
    ("project_name", "Back\\slash", "backslashes"),
    ("author_name", "   ", "must not be empty"),
    ("description", 'says "hi"', "double quotes"),
]
# A choice outside cookiecutter.json's list never reaches the hooks: cookiecutter refuses it
# itself. The hooks' own check of choices is unit-tested in tests/unit/test_answers.py.


def generate(tmp_path: Path, **answers: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(tmp_path)]
    command += [str(TEMPLATE_DIR)] + [f"{name}={value}" for name, value in answers.items()]
    return subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    BAD_ANSWERS,
    ids=[f"{name}={value!r}" for name, value, _ in BAD_ANSWERS],
)
def test_bad_answer_is_refused_clearly(
    tmp_path: Path, variable: str, value: str, allowed: str
) -> None:
    result = generate(tmp_path, **{variable: value})

    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    [error] = [line for line in result.stderr.splitlines() if "error:" in line]
    assert f"{variable}={value!r} is not allowed" in error
    assert allowed in error
    assert list(tmp_path.iterdir()) == []


def test_a_worker_without_a_database_is_refused_clearly(tmp_path: Path) -> None:
    result = generate(tmp_path, worker="procrastinate", database="none")

    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    [error] = [line for line in result.stderr.splitlines() if "error:" in line]
    assert "worker='procrastinate' is not allowed with database='none'" in error
    assert list(tmp_path.iterdir()) == []


def test_default_answers_generate(tmp_path: Path) -> None:
    result = generate(tmp_path)

    assert result.returncode == 0, result.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["twelve_factor_service"]
