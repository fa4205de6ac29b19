"""Generation, offline: this template's bakes against cookiecutter-django's bare render.

Each bake is a fresh ``python -m cookiecutter --no-input`` process in a network namespace with
no network (``unshare -n``): hooks, the project's checker and the locking step included, as a
user without a connection meets them. Without uv the locking step gives its notice at once;
with uv it probes the index first. The baseline renders cookiecutter-django's default project
with its hooks off (``--accept-hooks no``), in the same namespace, runs alternating.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import ROOT, reasons
from benchmarks.report import Section
from benchmarks.runs import interleaved, timed
from benchmarks.stats import Figure, Summary, Target

DJANGO_TEMPLATE = ROOT / "benchmarks" / ".cache" / "cookiecutter-django"
HOW_TO_GET_DJANGO = (
    "git clone --depth 1 https://github.com/cookiecutter/cookiecutter-django "
    "benchmarks/.cache/cookiecutter-django"
)
TARGET = Target(0.6)
NOT_NONE = {"none", "None", "Proprietary"}


def largest_combination() -> dict[str, Any]:
    """The allowed combination with the most optional parts switched on (defaults otherwise)."""
    from support.template import COMBINATIONS

    return max(COMBINATIONS, key=lambda answers: sum(v not in NOT_NONE for v in answers.values()))


def offline() -> list[str]:
    """The prefix that runs a command without network, or [] when namespaces are not allowed."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def bake(template: Path, answers: dict[str, Any], env: dict[str, str], hooks: bool) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-bake-") as output:
        command = [
            *offline(),
            sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", output,
            str(template),
            *(f"{name}={value}" for name, value in answers.items()),
            *([] if hooks else ["--accept-hooks", "no"]),
        ]  # fmt: skip
        return timed(command, Path(output), env)


def environments() -> dict[str, dict[str, str]]:
    """With uv on PATH (the tools' virtual environment), and with a PATH that has no uv."""
    tools = str(Path(sys.executable).parent)
    base = {key: value for key, value in os.environ.items() if key != "TWELVE_FACTOR_LOCK"}
    bare_path = os.pathsep.join(
        part for part in os.environ["PATH"].split(os.pathsep)
        if part != tools and not (Path(part) / "uv").exists()
    )  # fmt: skip
    return {
        "with uv": {**base, "PATH": f"{tools}{os.pathsep}{base['PATH']}"},
        "without uv": {**base, "PATH": bare_path},
    }


def measure(runs: int) -> Section:
    section = Section("Generation (offline)")
    if not offline():
        section.notes.append("`unshare -n` is not permitted here: these bakes had the network.")
    envs = environments()
    largest = largest_combination()
    shown = ", ".join(f"{k}={v}" for k, v in largest.items() if k != "python_version")
    measures = {
        "default, without uv": lambda: bake(ROOT, {}, envs["without uv"], hooks=True),
        "default, uv installed": lambda: bake(ROOT, {}, envs["with uv"], hooks=True),
        "largest, uv installed": lambda: bake(ROOT, largest, envs["with uv"], hooks=True),
        # Where the time goes: the same render without this template's hooks.
        "default, hooks off": lambda: bake(ROOT, {}, envs["without uv"], hooks=False),
    }
    has_django = (DJANGO_TEMPLATE / "cookiecutter.json").is_file()
    if has_django:
        measures["cookiecutter-django"] = lambda: bake(
            DJANGO_TEMPLATE, {}, envs["without uv"], hooks=False
        )
    else:
        section.notes.append(
            f"Baseline skipped: cookiecutter-django is not in {DJANGO_TEMPLATE.relative_to(ROOT)}."
            f" Get it with `{HOW_TO_GET_DJANGO}`."
        )
    samples = interleaved(runs, measures)
    baseline = Summary.of(samples["cookiecutter-django"]) if has_django else None
    for name in ("default, without uv", "default, uv installed", "largest, uv installed"):
        section.figures.append(
            Figure(
                f"bake: {name}",
                Summary.of(samples[name]),
                baseline=baseline,
                baseline_name="cookiecutter-django bare render",
                target=TARGET if baseline else None,
                reason=reasons.GENERATION,
                extra=(
                    {"render only, hooks off": Summary.of(samples["default, hooks off"])}
                    if name == "default, without uv"
                    else {}
                ),
            )
        )
    section.notes += [
        "Each bake is a fresh `python -m cookiecutter --no-input` process under `unshare -n` "
        "(no network): this template's hooks, layout checks, locking step and twelve-factor "
        "scorecard included; cookiecutter-django renders its own default project with "
        "`--accept-hooks no`.",
        f"Largest combination: {shown}.",
        "The hooks are two more Python processes (pre- and post-generation), each importing "
        "the hooks' package; the post-generation one also runs git (to link the project to "
        "the template commit), parses every generated file and runs the checker: the row "
        '"render only, hooks off" is the same bake without them.',
        "With uv installed, the locking step probes the package index (a name lookup and TCP "
        "connect bounded at 2 s) and gives its one-line notice when it is unreachable; before "
        "that probe, uv's own name-resolution retries made this bake take about 5.8 s.",
    ]
    return section
