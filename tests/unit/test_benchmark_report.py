"""The benchmark report's pure parts: summaries, ratios, verdicts, the Markdown and the chart.

The measurements themselves are not tests (they assert nothing about time); what the report
makes of given numbers is.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from benchmarks import ci
from benchmarks.report import Run, Section, markdown, svg_chart, why
from benchmarks.stats import TIMES, Figure, Summary, Target

RUN = Run("python -m benchmarks", "2026-01-01 00:00 UTC", "2 cores", shared=True, runs=5)


def test_a_summary_is_the_median_and_the_extremes() -> None:
    summary = Summary.of([3.0, 1.0, 2.0, 10.0, 2.5])

    assert (summary.median, summary.low, summary.high, summary.runs) == (2.5, 1.0, 10.0, 5)
    assert summary.spread == pytest.approx(9.0 / 2.5)


def test_no_runs_is_an_error_not_a_zero() -> None:
    with pytest.raises(ValueError, match="no runs"):
        Summary.of([])


@pytest.mark.parametrize(
    ("subject", "target", "verdict"),
    [
        ([1.0], Target(1.1), "met"),
        ([1.2], Target(1.1), "MISSED"),
        ([0.95], Target(0.9, at_most=False), "met"),
        ([0.85], Target(0.9, at_most=False), "MISSED"),
    ],
    ids=["at-most-met", "at-most-missed", "at-least-met", "at-least-missed"],
)
def test_a_ratio_target_judges_subject_over_baseline(
    subject: list[float], target: Target, verdict: str
) -> None:
    figure = Figure("x", Summary.of(subject), baseline=Summary.of([1.0]), target=target)

    assert figure.verdict == verdict


def test_an_absolute_target_judges_the_median_not_the_ratio() -> None:
    # 0.25 s beyond the drain is within 0.3 s, although 5x the bare app's 0.05 s.
    figure = Figure(
        "idle", Summary.of([0.25]), baseline=Summary.of([0.05]), target=Target(0.3), target_unit="s"
    )

    assert figure.ratio == pytest.approx(5.0)
    assert figure.verdict == "met"


def test_the_report_states_run_facts_and_every_missed_target() -> None:
    sections = [
        Section(
            "Cold start",
            [
                Figure("django", Summary.of([1.3, 1.2, 1.4]), baseline=Summary.of([1.0, 1.0, 1.0]),
                       baseline_name="bare app", target=Target(1.1)),
            ],
            notes=["why it is slower"],
        ),
        Section("CI", skipped="no JUnit report given"),
    ]  # fmt: skip

    text = markdown(RUN, sections, "benchmarks.svg")

    assert "`python -m benchmarks`" in text and "2026-01-01" in text and "2 cores" in text
    assert "shared with other jobs" in text
    assert f"| Cold start | django | ≤ 1.1{TIMES} | 1.30{TIMES} | MISSED |" in text
    assert "1 target(s) missed" in text
    assert "bare app: 1.000 s (1.000 s\u20131.000 s, n=3)" in text
    assert "Not measured in this run: no JUnit report given" in text
    assert "![Ratios to baseline](benchmarks.svg)" in text


def test_the_chart_has_a_bar_and_a_target_mark_per_ratio_with_a_target() -> None:
    figures = [
        Figure("a", Summary.of([2.0]), baseline=Summary.of([1.0]), target=Target(1.1)),
        Figure(
            "b", Summary.of([0.5]), baseline=Summary.of([1.0]), target=Target(0.9, at_most=False)
        ),
        Figure("no target", Summary.of([20.0]), baseline=Summary.of([1.0])),
        Figure("no baseline", Summary.of([3.0]), target=Target(5), target_unit="s"),
    ]

    chart = svg_chart([Section("s", figures)])

    assert chart is not None
    root = ElementTree.fromstring(chart)
    namespace = "{http://www.w3.org/2000/svg}"
    bars = [rect for rect in root.iter(f"{namespace}rect") if rect.get("fill") != "white"]
    assert len(bars) == 2
    texts = [text.text for text in root.iter(f"{namespace}text")]
    assert f"2.00{TIMES}" in texts and f"0.50{TIMES}" in texts
    targets = [line for line in root.iter(f"{namespace}line") if line.get("stroke") == "black"]
    assert len(targets) == 2


def test_no_ratios_no_chart() -> None:
    assert svg_chart([Section("s", [Figure("x", Summary.of([1.0]))])]) is None


def test_ci_durations_are_grouped_by_test_module(tmp_path: Path) -> None:
    report = tmp_path / "ci.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest" time="100.5">'
        '<testcase classname="tests.test_images" name="a" time="30"/>'
        '<testcase classname="tests.test_images" name="b" time="20"/>'
        '<testcase classname="tests.unit.test_link" name="c" time="0.5"/>'
        "</testsuite></testsuites>"
    )

    wall, groups = ci.durations_by_group(report)

    assert wall == 100.5
    assert groups == {"tests.test_images": (2, 50.0), "tests.unit": (1, 0.5)}


def test_a_missed_absolute_target_the_baseline_misses_too_is_explained() -> None:
    both = Figure(
        "idle", Summary.of([0.4]), baseline=Summary.of([0.5]), target=Target(0.3), target_unit="s"
    )
    only_subject = Figure(
        "idle", Summary.of([0.4]), baseline=Summary.of([0.1]), target=Target(0.3), target_unit="s"
    )

    assert "The baseline misses this target too (0.500 s)" in why(both)
    assert why(only_subject) == "idle: missed; no reason measured yet."


def test_a_measured_reason_is_printed_only_when_its_target_is_missed() -> None:
    def figure(median: float) -> Figure:
        return Figure(
            "bake", Summary.of([median]), baseline=Summary.of([1.0]), target=Target(0.6),
            reason="two hook processes.",
        )  # fmt: skip

    missed = markdown(RUN, [Section("Generation", [figure(1.3)])], None)
    met = markdown(RUN, [Section("Generation", [figure(0.5)])], None)

    assert "- bake: missed. Two hook processes." in missed
    assert "two hook processes" not in met


def test_every_measured_reason_is_a_sentence() -> None:
    from benchmarks import reasons

    texts = [
        reasons.GENERATION, reasons.MATRIX, *reasons.COLD_START.values(),
        *reasons.SHUTDOWN.values(), *reasons.THROUGHPUT_HEALTHZ.values(),
        *reasons.DATABASE_ENDPOINT.values(),
    ]  # fmt: skip

    assert all(text.strip() and text.endswith(".") for text in texts)
