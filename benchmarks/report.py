"""The committed report: docs/benchmarks.md and its chart, rendered from the run's figures.

Pure rendering (no measuring, no clock): the same figures always give the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from benchmarks.stats import TIMES, Figure, Summary

DASH = "\u2013"  # between the lowest and the highest run


@dataclass
class Section:
    """One benchmark's figures, or why it was not measured (``skipped``)."""

    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str = ""


@dataclass(frozen=True)
class Run:
    """What a reader needs to weigh the figures: when, where, how."""

    command: str
    date: str
    machine: str
    shared: bool
    runs: int


def value(amount: float, unit: str) -> str:
    if unit == "s":
        return f"{amount:.3f} s" if amount < 10 else f"{amount:.1f} s"
    if unit == "req/s":
        return f"{amount:,.0f} req/s"
    if unit == "MB":
        return f"{amount:,.0f} MB"
    return f"{amount:g} {unit}".strip()


def summary_cell(summary: Summary, unit: str) -> str:
    if summary.runs == 1:
        return f"{value(summary.median, unit)} (1 run)"
    return (
        f"{value(summary.median, unit)} "
        f"({value(summary.low, unit)}{DASH}{value(summary.high, unit)}, n={summary.runs})"
    )


def ratio_cell(figure: Figure) -> str:
    ratio = figure.ratio
    if ratio is None:
        return "—"
    return f"{ratio * 100:.0f} %" if figure.target_unit == "%" else f"{ratio:.2f}{TIMES}"


def target_cell(figure: Figure) -> str:
    if figure.target is None:
        return "—"
    return f"{figure.target.describe(figure.target_unit)}: **{figure.verdict}**"


def table(figures: Sequence[Figure]) -> list[str]:
    lines = [
        f"| figure | measured: median (lowest{DASH}highest) | baseline | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for figure in figures:
        baseline = (
            f"{figure.baseline_name}: {summary_cell(figure.baseline, figure.unit)}"
            if figure.baseline is not None
            else "—"
        )
        name = figure.name + (f" — {figure.note}" if figure.note else "")
        lines.append(
            f"| {name} | {summary_cell(figure.subject, figure.unit)} | {baseline} "
            f"| {ratio_cell(figure)} | {target_cell(figure)} |"
        )
        for label, extra in figure.extra.items():
            lines.append(f"| {figure.name}: {label} | {summary_cell(extra, figure.unit)} | | | |")
    return lines


def why(figure: Figure) -> str:
    """Why a target is missed: the measured reason the figure carries, and, for an absolute
    target, whether the baseline misses it too (then the time is the server's own, not only the
    template's). Empty for a target met or without a target."""
    if figure.verdict != "MISSED":
        return ""
    said = []
    if (
        figure.target is not None
        and figure.baseline is not None
        and figure.target_unit not in (TIMES, "%")
        and not figure.target.met(figure.baseline.median)
    ):
        said.append(
            f"The baseline misses this target too "
            f"({value(figure.baseline.median, figure.unit)}), so the server itself, not only the "
            "generated configuration, is above it."
        )
    if figure.reason:
        said.append(figure.reason[:1].upper() + figure.reason[1:])
    if not said:
        return f"{figure.name}: missed; no reason measured yet."
    return f"{figure.name}: missed. " + " ".join(said)


def markdown(run: Run, sections: Sequence[Section], chart: str | None) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by the benchmark command; do not edit by hand. Each figure is measured side by "
        "side with its baseline in the same run, runs alternating between the two, so that machine "
        "noise hits both alike: the ratio is the figure to read, the seconds are this machine's.",
        "",
        f"- Command: `{run.command}`",
        f"- Date: {run.date}",
        f"- Machine: {run.machine}",
        f"- Runs per figure: {run.runs} unless the row says otherwise (n=…)",
    ]
    if run.shared:
        lines.append(
            "- **The machine was shared with other jobs during this run**: absolute times are "
            "noisy; the ratios, measured interleaved, are less so. Rerun on a quiet machine for "
            "figures to quote."
        )
    missed = [
        (section.title, figure)
        for section in sections
        for figure in section.figures
        if figure.verdict == "MISSED"
    ]
    targeted = [
        (section, figure)
        for section in sections
        for figure in section.figures
        if figure.target is not None
    ]
    if targeted:
        lines += ["", "## Targets", ""]
        lines += ["| section | figure | target | measured | verdict |", "|---|---|---|---|---|"]
    for section, figure in targeted:
        measured = (
            ratio_cell(figure)
            if figure.ratio is not None and figure.target_unit in (TIMES, "%")
            else value(figure.subject.median, figure.unit)
        )
        lines.append(
            f"| {section.title} | {figure.name} | "
            f"{figure.target.describe(figure.target_unit)} | {measured} | {figure.verdict} |"
        )
    if missed:
        lines += ["", f"{len(missed)} target(s) missed: each section below says why."]
    if chart:
        lines += ["", f"![Ratios to baseline]({chart})"]
    for section in sections:
        lines += ["", f"## {section.title}", ""]
        if section.skipped:
            lines.append(f"Not measured in this run: {section.skipped}")
        if section.figures:
            lines += table(section.figures)
        notes = [*(why(figure) for figure in section.figures), *section.notes]
        notes = [note for note in notes if note]
        if notes:
            lines.append("")
            lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def svg_chart(sections: Sequence[Section]) -> str | None:
    """Horizontal bars of every ratio a target is set on, a line at 1 (the baseline) and each
    target's mark. Ratios without a target (pip against uv, say) are in the tables only: one
    twenty-fold ratio would flatten every bar that has a target to read."""
    rows = [
        (f"{section.title.split(':')[0]}: {figure.name}", figure)
        for section in sections
        for figure in section.figures
        if figure.ratio is not None
        and figure.target is not None
        and figure.target_unit in (TIMES, "%")
    ]
    if not rows:
        return None
    label_width, bar_width, row_height, top = 360, 300, 22, 30
    limits = [figure.target.limit for _, figure in rows if figure.target is not None]
    scale_max = max([1.25, *[figure.ratio or 0 for _, figure in rows], *limits]) * 1.05

    def x(ratio: float) -> float:
        return label_width + bar_width * ratio / scale_max

    height = top + row_height * len(rows) + 20
    width = label_width + bar_width + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{label_width}" y="16">ratio to the baseline measured in the same run '
        "(| = target)</text>",
    ]
    for index, (label, figure) in enumerate(rows):
        ratio = figure.ratio or 0.0
        y = top + index * row_height
        colour = {"MISSED": "#c0392b", "met": "#2e7d32"}.get(figure.verdict, "#5c6bc0")
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">'
            f"{escape(label[:58])}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{x(ratio) - label_width:.1f}" '
            f'height="{row_height - 8}" fill="{colour}"/>'
        )
        shown = f"{ratio * 100:.0f} %" if figure.target_unit == "%" else f"{ratio:.2f}{TIMES}"
        parts.append(f'<text x="{x(ratio) + 4:.1f}" y="{y + 14}">{shown}</text>')
        if figure.target is not None:
            tx = x(figure.target.limit)
            parts.append(
                f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y + 1}" y2="{y + row_height - 3}" '
                'stroke="black" stroke-width="2"/>'
            )
    one = x(1.0)
    parts.append(
        f'<line x1="{one:.1f}" x2="{one:.1f}" y1="{top - 4}" y2="{height - 16}" '
        'stroke="#888" stroke-dasharray="4 3"/>'
    )
    parts.append(f'<text x="{one:.1f}" y="{height - 4}" text-anchor="middle">1.0</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
