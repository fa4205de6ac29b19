"""Images: build time and size per combination, from the container tests' records.

tests/test_images.py builds every framework, dependency manager and database image with the
engine at hand and appends one JSON line per build to benchmarks/results/images.jsonl; this
reads the latest record of each combination.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import ROOT
from benchmarks.report import Section

RECORDS = ROOT / "benchmarks" / "results" / "images.jsonl"


def measure(records: Path = RECORDS) -> Section:
    section = Section("Container images")
    if not records.is_file():
        section.skipped = (
            f"no records at {records}. They are written by the container tests: "
            "`scripts/test -m container tests/test_images.py` (needs Docker or Podman: "
            "docs/container-engines.md)."
        )
        return section
    latest: dict[str, dict] = {}
    for line in records.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            if record.get("kind") == "image":
                latest[record["combination"]] = record
    rows = [
        "| combination | Python | engine | base image | build | size | time of the build |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, record in sorted(latest.items()):
        rows.append(
            f"| {name} | {record.get('python_version', '?')} | {record.get('engine', '?')} "
            f"| {record.get('base_image', '?')} | {record['build_seconds']:.1f} s "
            f"| {record['size_bytes'] / 1e6:,.0f} MB | {record.get('time', '?')} |"
        )
    section.notes.append(
        f"Source: `{records}` (one build each, as recorded by tests/test_images.py; no "
        'baseline, no repeated runs: a build is minutes). "stand-in" base images are local '
        "Debian images standing in for python:*-slim where no registry is reachable, so sizes "
        "differ from a build on the official base.\n\n  " + "\n  ".join(rows)
    )
    return section
