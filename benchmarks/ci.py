"""The template's own CI: the duration of a ``.ci/run`` (or any pytest run), split by test group,
read from the JUnit XML report pytest writes with ``--junitxml``.

The benchmark does not run the CI itself (an hour of the machine): it reads the report of one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

from benchmarks.report import Section


def durations_by_group(report: Path) -> tuple[float, dict[str, tuple[int, float]]]:
    """The suite's wall-clock time and, per test module, (tests, summed seconds)."""
    root = ElementTree.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    wall = sum(float(suite.get("time", 0)) for suite in suites)
    groups: dict[str, list[float]] = defaultdict(list)
    for case in root.iter("testcase"):
        module = (case.get("classname") or "?").split(".")
        name = ".".join(module[:2]) if module[0] == "tests" and len(module) > 1 else module[0]
        groups[name].append(float(case.get("time", 0)))
    return wall, {name: (len(times), sum(times)) for name, times in groups.items()}


def measure(report: Path | None, source: str = "a `.ci/run`") -> Section:
    section = Section("The template's own CI")
    if report is None or not report.is_file():
        section.skipped = (
            "no JUnit report given. Produce one with `.ci/run` after adding "
            "`--junitxml=ci.xml` to its pytest arguments (or `scripts/test --junitxml=ci.xml`), "
            "then `python -m benchmarks --only ci --junit ci.xml`."
        )
        return section
    wall, groups = durations_by_group(report)
    lines = [
        f"Source: `{report}`, the JUnit report of {source}. Wall-clock time of the run: "
        f"**{wall / 60:.1f} min**. Per test module, the sum of its tests' durations (across "
        "workers, so they add up to more than the wall-clock time on 2 workers):",
        "",
        "| test group | tests | summed duration |",
        "|---|---|---|",
    ]
    for name, (count, seconds) in sorted(groups.items(), key=lambda item: -item[1][1]):
        lines.append(f"| {name} | {count} | {seconds:.1f} s |")
    section.notes.append("\n".join(lines).replace("\n", "\n  "))
    return section
