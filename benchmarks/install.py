"""Install: ``make install`` from the lock into a fresh .venv, the package cache warm.

A uv project (``uv sync`` from uv.lock) and a pip project (``pip install --require-hashes`` from
requirements-dev.txt), otherwise the default answers. Each is installed once to warm the caches
(not counted), then its .venv is removed before every timed run; runs alternate between them.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from benchmarks.projects import installed
from benchmarks.report import Section
from benchmarks.runs import interleaved
from benchmarks.stats import Figure, Summary


def measure(runs: int) -> Section:
    from support.service import make

    section = Section("Install from the lock (warm cache)")
    with tempfile.TemporaryDirectory(prefix="bench-install-") as scratch:
        projects = {
            manager: installed(Path(scratch) / manager, dependency_manager=manager)
            for manager in ("uv", "pip")
        }

        def fresh_install(manager: str) -> float:
            import time

            project = projects[manager]
            shutil.rmtree(project.project / ".venv", ignore_errors=True)
            started = time.perf_counter()
            completed = make(project.project, project.python, "install")
            elapsed = time.perf_counter() - started
            if completed.returncode != 0:
                raise RuntimeError(f"make install failed:\n{completed.stdout}{completed.stderr}")
            return elapsed

        samples = interleaved(
            runs, {manager: (lambda m=manager: fresh_install(m)) for manager in projects}
        )
    section.figures.append(Figure("uv project: `make install`", Summary.of(samples["uv"])))
    section.figures.append(
        Figure(
            "pip project: `make install`",
            Summary.of(samples["pip"]),
            baseline=Summary.of(samples["uv"]),
            baseline_name="uv project",
        )
    )
    section.notes.append(
        "Default answers otherwise (Django, PostgreSQL), runtime and development dependencies. "
        "The ratio compares the two dependency managers; there is no target."
    )
    return section
