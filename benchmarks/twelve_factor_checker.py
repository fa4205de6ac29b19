"""How long the twelve-factor checker takes on a repository of a few thousand files.

The checker reads every file of a repository (static analysis), so its cost grows with the
repository. This builds a synthetic repository of about 3,000 files from a generated project
(its package, tests and tools copied under new names, with data files beside them, as a grown
monorepo-like service would have), then times the command `twelve-factor` is (a fresh
`python -m tools.twelve_factor` process per run, imports included). Beside it, the baseline:
a fresh process that only walks the same tree and reads every file, the floor any checker that
reads the repository has. Extra repositories can be given as paths (for example the public
services of docs/checker-field-test.md).

Usage: .venv/bin/python benchmarks/twelve_factor_checker.py [--runs N] [--files N] [PATH...]
Results: printed, and appended as JSON lines to benchmarks/results/twelve_factor_checker.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "hooks")]

from generation.checker import PACKAGE_DIR  # noqa: E402
from support.template import DEFAULTS, TEMPLATE_DIR  # noqa: E402

READ_EVERY_FILE = """
import os, sys
for directory, subdirs, names in os.walk(sys.argv[1]):
    subdirs[:] = [d for d in subdirs if d not in {".git", ".venv", "node_modules"}]
    for name in names:
        try:
            open(os.path.join(directory, name), encoding="utf-8").read()
        except (OSError, UnicodeDecodeError):
            pass
"""


def render(destination: Path) -> Path:
    from cookiecutter.main import cookiecutter

    os.environ["TWELVE_FACTOR_LOCK"] = "0"
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR), no_input=True, extra_context=DEFAULTS, output_dir=str(destination)
        )
    )


def grow(project: Path, files: int) -> int:
    """Copy the project's code under new names until the tree holds about ``files`` files."""
    package = next(p for p in project.iterdir() if (p / "settings.py").is_file())
    sources = [p for p in (package, project / "tests") if p.is_dir()]
    count = sum(1 for p in project.rglob("*") if p.is_file())
    index = 0
    while count < files:
        index += 1
        for source in sources:
            target = project / "services" / f"part_{index}" / source.name
            shutil.copytree(source, target)
            (target / "fixtures.json").write_text(json.dumps({"items": list(range(200))}))
            (target / "NOTES.md").write_text("# Notes\n\n" + "A line of notes.\n" * 40)
        count = sum(1 for p in project.rglob("*") if p.is_file())
    return count


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(repository: Path, runs: int) -> dict[str, object]:
    checker = [sys.executable, "-B", "-m", "twelve_factor", str(repository)]
    floor = [sys.executable, "-B", "-c", READ_EVERY_FILE, str(repository)]
    checker_times, floor_times = [], []
    for _ in range(runs):  # alternate, so that machine noise hits both alike
        checker_times.append(timed(checker, PACKAGE_DIR.parent))
        floor_times.append(timed(floor, PACKAGE_DIR.parent))
    files = sum(len(names) for _, _, names in os.walk(repository))
    return {
        "repository": str(repository),
        "files": files,
        "checker_median_s": round(statistics.median(checker_times), 3),
        "read_every_file_median_s": round(statistics.median(floor_times), 3),
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("paths", nargs="*", type=Path)
    arguments = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        synthetic = render(Path(scratch))
        grown = grow(synthetic, arguments.files)
        print(f"synthetic repository: {grown} files")
        results.append({**measure(synthetic, arguments.runs), "repository": "synthetic"})
        results += [measure(path.resolve(), arguments.runs) for path in arguments.paths]
    out = ROOT / "benchmarks" / "results" / "twelve_factor_checker.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a") as handle:
        for result in results:
            handle.write(json.dumps({**result, "python": sys.version.split()[0]}) + "\n")
    print(f"{'repository':40} {'files':>6} {'checker':>9} {'read all':>9}")
    for result in results:
        print(
            f"{str(result['repository'])[-40:]:40} {result['files']:>6} "
            f"{result['checker_median_s']:>8}s {result['read_every_file_median_s']:>8}s"
        )


if __name__ == "__main__":
    main()
