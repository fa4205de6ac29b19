"""The matrix: render plus static validation of every combination cookiecutter.json allows.

That is exactly the template's render and static-linter tests (tests/test_render_matrix.py,
tests/test_static_linters.py), so the benchmark times them, as ``scripts/test`` would run them,
on two workers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from benchmarks import ROOT, reasons
from benchmarks.report import Section
from benchmarks.stats import Figure, Summary, Target

TARGET = Target(180, at_most=True)
TESTS = ("tests/test_render_matrix.py", "tests/test_static_linters.py")


def measure(runs: int) -> Section:
    from support.template import COMBINATIONS

    section = Section("Render and static validation of every combination")
    samples: list[float] = []
    outcomes: list[str] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-matrix-") as base:
            command = [
                sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                "--dist", "loadgroup", f"--basetemp={base}/t", "-m", "not integration", *TESTS,
            ]  # fmt: skip
            started = time.perf_counter()
            completed = subprocess.run(
                command, cwd=ROOT, env=dict(os.environ), capture_output=True, text=True
            )
            samples.append(time.perf_counter() - started)
            outcome = (completed.stdout.strip().splitlines() or ["no output"])[-1].strip("= ")
            outcomes.append(outcome)
    section.figures.append(
        Figure(
            f"{len(COMBINATIONS)} combinations, 2 workers",
            Summary.of(samples),
            target=TARGET,
            target_unit="s",
            reason=reasons.MATRIX,
        )
    )
    section.notes.append(
        f"`pytest -n 2 -m 'not integration' {' '.join(TESTS)}`: every combination rendered and "
        "checked, ruff, hadolint, actionlint, zizmor, compose config and the schemas over the "
        "variables each check depends on. No baseline: the target is absolute (3 minutes on 2 "
        "cores). A multi-minute figure, so fewer runs than the others (n in the table)."
    )
    section.notes.append(f"pytest's outcome: {'; '.join(outcomes)}.")
    return section
