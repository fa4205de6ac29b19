"""Compile requirements*.in into hash-pinned requirements*.txt, and check they are current.

Usage: ``python -m tools.lock`` (``make lock``) or ``python -m tools.lock --check``.

Each compiled file ends with the SHA-256 of the ``.in`` file it came from, so a stale lock is
caught without the network: by ``--check`` (CI), by the twelve-factor checker (which owns the
stamp's format, in ``tools/twelve_factor/packages.py``) and by the Dockerfile, which refuses to
build from a lock that does not match.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tools.twelve_factor.packages import stamp_line as stamp_of

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYTHON_VERSION = (PROJECT_DIR / ".python-version").read_text().strip()
# Compiled in this order: the dev set is constrained by the runtime lock (`-c requirements.txt`).
SOURCES = ("requirements.in", "requirements-dev.in")


def compiled(source: str) -> Path:
    return PROJECT_DIR / source.replace(".in", ".txt")


def stamp_line(source: str) -> str:
    """``# requirements.in sha256: <hex>``. The dev lock also includes requirements.in, but a
    change there makes requirements.txt stale too, and both are checked together."""
    return stamp_of(source, (PROJECT_DIR / source).read_bytes())


def compile_command(source: str) -> list[str]:
    """uv when installed (fast, resolves for every platform), else pip-tools' pip-compile."""
    # Relative: the compiled file records its command, and a path of this machine must not
    # end up in a committed file (nor make every lock differ).
    output = compiled(source).name
    uv = shutil.which("uv")
    if uv:
        return [
            uv, "pip", "compile", "--quiet", "--generate-hashes", "--universal",
            "--python-version", PYTHON_VERSION, source, "--output-file", output,
        ]  # fmt: skip
    pip_compile = shutil.which("pip-compile")
    if pip_compile:
        return [
            pip_compile, "--quiet", "--generate-hashes", "--allow-unsafe", "--strip-extras",
            source, "--output-file", output,
        ]  # fmt: skip
    raise SystemExit("tools.lock: install uv or pip-tools (pip install pip-tools) to lock")


def lock() -> None:
    for source in SOURCES:
        # The command comes from this file, not from user input.
        subprocess.run(compile_command(source), cwd=PROJECT_DIR, check=True)  # noqa: S603
        target = compiled(source)
        text = target.read_text()
        target.write_text(f"{text.rstrip()}\n{stamp_line(source)}\n")
        print(f"Locked {source} into {target.name}")


def stale() -> list[str]:
    """The lock files that are missing or were compiled from another version of their source."""
    problems = []
    for source in SOURCES:
        target = compiled(source)
        if not target.is_file():
            problems.append(f"{target.name} is missing: run `make lock`")
        elif stamp_line(source) not in target.read_text().splitlines():
            problems.append(f"{target.name} does not match {source}: run `make lock`")
    return problems


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        problems = stale()
        sys.exit("\n".join(problems) if problems else 0)
    lock()
