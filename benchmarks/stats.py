"""Figures of a benchmark run: medians, spreads, ratios against a baseline, and targets.

Pure functions over numbers: the measuring code produces samples, the report renders these.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

TIMES = "\u00d7"  # the ratio unit, as the report prints it


@dataclass(frozen=True)
class Summary:
    """The median of repeated runs and their spread (lowest and highest)."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        if not values:
            raise ValueError("no runs to summarise")
        return cls(statistics.median(values), min(values), max(values), len(values))

    @property
    def spread(self) -> float:
        """Highest minus lowest, relative to the median (0.1 = the runs span 10 %)."""
        return (self.high - self.low) / self.median if self.median else 0.0


@dataclass(frozen=True)
class Target:
    """``value <= limit`` (``at_most``) or ``value >= limit``: of a ratio, or of a median."""

    limit: float
    at_most: bool = True

    def met(self, value: float) -> bool:
        return value <= self.limit if self.at_most else value >= self.limit

    def describe(self, unit: str = TIMES) -> str:
        sign = "≤" if self.at_most else "≥"
        if unit == "%":
            return f"{sign} {self.limit * 100:g} %"
        return f"{sign} {self.limit:g}{'' if unit == TIMES else ' '}{unit}"


@dataclass(frozen=True)
class Figure:
    """One measured thing, with its baseline from the same run (if it has one).

    ``ratio`` is subject ÷ baseline; a target applies to the ratio when there is a baseline,
    else to the subject's median. ``unit`` is the unit of the values ("s", "req/s", "MB").
    """

    name: str
    subject: Summary
    unit: str = "s"
    baseline: Summary | None = None
    baseline_name: str = ""
    target: Target | None = None
    target_unit: str = TIMES
    note: str = ""
    extra: dict[str, Summary] = field(default_factory=dict)
    # Why the target is missed when it is, from measurements beyond this run's figures
    # (benchmarks/reasons.py): the report prints it only with a MISSED verdict.
    reason: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or not self.baseline.median:
            return None
        return self.subject.median / self.baseline.median

    @property
    def judged(self) -> float:
        """The value the target is about."""
        ratio = self.ratio
        if ratio is not None and self.target_unit in (TIMES, "%"):
            return ratio
        return self.subject.median

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "met" if self.target.met(self.judged) else "MISSED"


def ratio_of_medians(subject: Sequence[float], baseline: Sequence[float]) -> float:
    return statistics.median(subject) / statistics.median(baseline)
