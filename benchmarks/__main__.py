"""python -m benchmarks: measure, each figure beside its baseline, and write docs/benchmarks.md.

Run from the template's root with the test environment (``scripts/test`` creates .venv):

    .venv/bin/python -m benchmarks                      # everything
    .venv/bin/python -m benchmarks --only generation,startup --runs 7
    .venv/bin/python -m benchmarks --only ci --junit ci.xml

The service, install and matrix parts need the package index (they install generated projects).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import sys
from pathlib import Path

from benchmarks import ROOT
from benchmarks.report import Run, Section, markdown, svg_chart

PARTS = (
    "generation", "matrix", "startup", "shutdown", "throughput", "install", "images", "ci",
)  # fmt: skip
SERVICE_PARTS = {"startup", "shutdown", "throughput"}


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{memory_kb / 2**20:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown memory"
    return (
        f"{os.cpu_count()} cores ({model}), {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, load average at the start "
        f"{' / '.join(f'{load:.1f}' for load in os.getloadavg())}"
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run (default: all): {', '.join(PARTS)}",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument(
        "--matrix-runs", type=int, default=1, help="runs of the matrix (minutes each; default 1)"
    )
    parser.add_argument(
        "--throughput-seconds", type=int, default=3, help="length of each wrk run (default 3)"
    )
    parser.add_argument("--junit", type=Path, help="JUnit XML report of a CI run (the ci part)")
    parser.add_argument(
        "--junit-source",
        default="a `.ci/run`",
        help="what produced the --junit report, for the report (default: a `.ci/run`)",
    )
    parser.add_argument(
        "--image-records",
        type=Path,
        default=ROOT / "benchmarks" / "results" / "images.jsonl",
        help="image records of the container tests (the images part)",
    )
    parser.add_argument(
        "--shared",
        action="store_true",
        help="say in the report that other jobs shared the machine",
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "benchmarks.md", help="the report"
    )
    arguments = parser.parse_args(argv)
    arguments.parts = [part.strip() for part in arguments.only.split(",") if part.strip()]
    unknown = sorted(set(arguments.parts) - set(PARTS))
    if unknown:
        parser.error(f"--only: unknown part(s) {', '.join(unknown)}; known: {', '.join(PARTS)}")
    if arguments.runs < 1 or arguments.matrix_runs < 1:
        parser.error("--runs and --matrix-runs must be at least 1")
    return arguments


def measure(part: str, parts: list[str], arguments: argparse.Namespace) -> list[Section]:
    if part == "generation":
        from benchmarks import generation

        return [generation.measure(arguments.runs)]
    if part == "matrix":
        from benchmarks import matrix

        return [matrix.measure(arguments.matrix_runs)]
    if part in SERVICE_PARTS:
        if part != next(p for p in parts if p in SERVICE_PARTS):
            return []  # one pass measures every service part asked for
        from benchmarks import service

        return service.measure(
            arguments.runs, SERVICE_PARTS & set(parts), arguments.throughput_seconds
        )
    if part == "install":
        from benchmarks import install

        return [install.measure(arguments.runs)]
    if part == "images":
        from benchmarks import images

        return [images.measure(arguments.image_records)]
    if part == "ci":
        from benchmarks import ci

        return [ci.measure(arguments.junit, arguments.junit_source)]
    return []


def write(output: Path, run: Run, sections: list[Section], pending: list[str]) -> None:
    """The report so far: written after every part, so a long run that is cut short still
    leaves what it measured (and says which parts it did not reach)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    chart = svg_chart(sections)
    chart_name = None
    if chart is not None:
        chart_path = output.with_suffix(".svg")
        chart_path.write_text(chart)
        chart_name = chart_path.name
    shown = [
        *sections,
        *(
            Section(part, skipped="not reached when this was written (the run was cut short).")
            for part in pending
        ),
    ]
    output.write_text(markdown(run, shown, chart_name))


def main(argv: list[str] | None = None) -> int:
    arguments = parse(argv)
    parts = arguments.parts
    run = Run(
        command=shlex.join(["python", "-m", "benchmarks", *(argv or sys.argv[1:])]),
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine(),
        shared=arguments.shared,
        runs=arguments.runs,
    )
    sections: list[Section] = []
    for index, part in enumerate(parts):
        print(f"== {part}", flush=True)
        try:
            measured = measure(part, parts, arguments)
            # How busy the machine was: on a shared machine, the absolute figures move with it.
            load = os.getloadavg()[1]
            for section in measured:
                section.notes.append(
                    f"Load average over the 5 minutes before this part ended: {load:.1f} "
                    f"on {os.cpu_count()} cores."
                )
            sections += measured
        except Exception as error:  # one broken part must not lose the others' figures
            message = str(error).strip().splitlines()[:3]
            print(f"{part} failed: {error}", file=sys.stderr)
            sections.append(Section(part, skipped=f"it failed: {' / '.join(message)}"))
        served = any(p in SERVICE_PARTS for p in parts[: index + 1])  # all measured in one pass
        pending = [p for p in parts[index + 1 :] if not (served and p in SERVICE_PARTS)]
        write(arguments.output, run, sections, pending)
    print(f"Wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
