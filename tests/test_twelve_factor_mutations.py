"""The twelve-factor checker each project ships (tools/twelve_factor/), proven by mutation.

* Every combination passes all twelve factors as generated (no false positives), strictly (every
  convention the checker reads is there), with only the missing lock waived, since the tests
  render without locking. The project's copy of the checker is the template's, byte for byte.
* Each mutation (tests/support/mutations/, one module per factor) breaks exactly one check (a few
  break two, where one mistake is both, such as a .dockerignore that lets .env into a
  `COPY . .`) in a copy of a generated project with a lock that matches it; the checker must
  fail that check's factor, and only that one, with evidence that names the file, the line and
  the reason. Every check id has a mutation.
* A template defect that breaks a factor fails generation, with the evidence, and leaves nothing.
"""

from __future__ import annotations

import filecmp
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from generation.checker import PACKAGE_DIR, PROJECT_PACKAGE, twelve_factor
from support.mutations import MUTATIONS
from support.mutations.edits import API_KEY, MANAGERS, SLUG, Mutation, append
from support.scorecards import (
    LOCK_MISSING,
    WAIVE_LOCK,
    evidence,
    failed_checks,
    failed_factors,
    score,
    write_lock,
)
from support.scorecards import combination as answers_for
from support.template import TEMPLATE_DIR, Rendered, every_combination, vary

# --- no false positives -------------------------------------------------------------------


@every_combination
def test_every_generated_combination_passes_every_factor(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)

    card = score(project, WAIVE_LOCK)

    assert card.ok, card.render()
    assert {finding.check for finding in card.warnings()} == {LOCK_MISSING}
    copy = filecmp.dircmp(project / PROJECT_PACKAGE, PACKAGE_DIR, ignore=["__pycache__"])
    assert not (copy.diff_files or copy.left_only or copy.right_only), "copied, not rendered"


# --- a project with a lock, to mutate -----------------------------------------------------


@pytest.fixture
def project_copy(rendered: Rendered, tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    def copy(answers: dict[str, Any]) -> Path:
        project = Path(shutil.copytree(rendered(answers), tmp_path / SLUG))
        write_lock(project)
        return project

    return copy


@vary("framework", "database", "dependency_manager")
def test_the_unmutated_project_with_its_lock_passes_with_no_warning(
    project_copy: Callable[[dict[str, Any]], Path], combination: dict[str, Any]
) -> None:
    project = project_copy(combination)

    card = score(project)

    assert card.ok and not card.warnings(), card.render()
    assert card.headline().endswith("12/12 factors")


# --- mutations ----------------------------------------------------------------------------


def _cases() -> list[Any]:
    return [
        pytest.param(
            mutation,
            answers_for(framework, database, manager, worker, **dict(mutation.answers)),
            id="-".join(
                [
                    mutation.name,
                    framework,
                    database,
                    *([manager] if manager != "uv" else []),
                    *([worker] if worker != "none" else []),
                    *(value for _, value in mutation.answers),
                ]
            ),
        )
        for mutation in MUTATIONS
        for framework in mutation.frameworks
        for database in mutation.databases
        for manager in mutation.managers
        for worker in mutation.workers
        if manager in MANAGERS
    ]


@pytest.mark.parametrize(("mutation", "answers"), _cases())
def test_a_mutation_fails_its_factor_with_evidence(
    project_copy: Callable[[dict[str, Any]], Path], mutation: Mutation, answers: dict[str, Any]
) -> None:
    project = project_copy(answers)
    framework = answers["framework"]

    mutation.apply(project, framework)
    if mutation.relock:
        write_lock(project)
    card = score(project)

    assert failed_factors(card) == mutation.factors, card.render()
    assert failed_checks(card) == mutation.checks, card.render()
    assert re.search(mutation.evidence, evidence(card)), card.render()


def test_every_check_id_has_a_mutation() -> None:
    covered = set().union(*(mutation.checks for mutation in MUTATIONS))
    missing = sorted(set(twelve_factor.REGISTRY) - covered)
    assert not missing, f"check ids no mutation breaks: {', '.join(missing)}"
    assert not covered - set(twelve_factor.REGISTRY), "a mutation names an unknown check id"


def test_obviously_fake_tokens_in_tests_are_not_secrets(
    project_copy: Callable[[dict[str, Any]], Path],
) -> None:
    project = project_copy(answers_for("fastapi", "postgresql"))
    fakes = [
        "ghp_" + "x" * 36,
        "AKIAIOSFODNN7EXAMPLE",
        "sk_live_" + "0" * 24,
        "xoxb-test-token-123",
    ]
    append(
        project,
        "tests/test_reference_data.py",
        "".join(f'FAKE_{i} = "{t}"\n' for i, t in enumerate(fakes)),
    )
    append(
        project,
        "tests/test_reference_data.py",
        f'PASSWORD = "{API_KEY}"  # tests may hold literal secrets\n',
    )

    card = score(project)

    assert card.ok, card.render()


# --- the command line, as `make twelve-factor` runs it ------------------------------------


def test_the_command_line_prints_the_scorecard_and_fails_on_a_failure(
    project_copy: Callable[[dict[str, Any]], Path],
) -> None:
    project = project_copy(answers_for("django", "postgresql"))

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-B", "-m", "tools.twelve_factor", *arguments],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )

    passing = run("--strict")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert passing.stdout.splitlines()[0].endswith("12/12 factors")
    assert len(passing.stdout.splitlines()) == 13

    (project / "uv.lock").unlink()
    failing = run(".", "--json")
    assert failing.returncode == 1
    result = json.loads(failing.stdout)
    assert (result["schema"], result["passed"], result["total"], result["ok"]) == (1, 11, 12, False)
    dependencies = result["factors"][1]
    assert dependencies["status"] == "fail"
    [finding] = dependencies["findings"]
    assert (finding["check"], finding["kind"], finding["path"]) == (
        LOCK_MISSING,
        "violation",
        "uv.lock",
    )
    assert "make lock" in finding["message"]

    annotations = run(".", "--format", "github")
    assert annotations.returncode == 1
    assert annotations.stdout.splitlines()[0].startswith(
        "::error file=uv.lock,title=II. Dependencies%3A dependencies.lock-missing::no uv.lock"
    )

    waived = run(".", "--waive", f"{LOCK_MISSING}=locked in the next commit")
    assert waived.returncode == 0
    assert "WARN     II. Dependencies" in waived.stdout
    assert "waived (locked in the next commit): uv.lock: no uv.lock" in waived.stdout

    no_reason = run(".", "--waive", LOCK_MISSING)
    assert no_reason.returncode == 2
    assert "give the reason too, as CHECK=REASON" in no_reason.stderr


# --- generation ---------------------------------------------------------------------------


def test_a_template_defect_that_breaks_a_factor_fails_generation(tmp_path: Path) -> None:
    template = Path(
        shutil.copytree(
            TEMPLATE_DIR,
            tmp_path / "template",
            ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", ".*_cache"),
        )
    )
    logs = template / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}" / "logs.py"
    logs.write_text(logs.read_text().replace("ext://sys.stdout", "ext://sys.stderr"))
    output = tmp_path / "output"

    result = subprocess.run(
        [
            *(sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(output)),
            *(str(template), "project_slug=defective"),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )

    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    [summary] = [line for line in result.stderr.splitlines() if "error:" in line]
    assert summary.endswith("the generated project fails 1 of 12 twelve-factor checks (XI. Logs):")
    assert re.search(
        r"^  XI: defective/logs\.py:\d+: a StreamHandler to ext://sys\.stderr", result.stderr, re.M
    )
    assert not output.exists() or list(output.iterdir()) == []
