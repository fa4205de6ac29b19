"""Running things repeatedly, subject and baseline interleaved."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path


def interleaved(runs: int, measures: Mapping[str, Callable[[], float]]) -> dict[str, list[float]]:
    """Each measure ``runs`` times, in turns (a, b, a, b, …): noise hits every one alike."""
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            samples[name].append(measure())
    return samples


def timed(
    command: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 900
) -> float:
    """Seconds ``command`` took; it must succeed."""
    started = time.perf_counter()
    completed = subprocess.run(
        list(command), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({completed.returncode}):\n"
            f"{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
        )
    return elapsed
