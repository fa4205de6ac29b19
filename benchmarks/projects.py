"""Generated projects for the measurements: rendered with their lock, installed from it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any


def python_version() -> str:
    """The first python_version choice this machine has an interpreter for."""
    from support.service import find_python
    from support.template import CHOICES

    return next(version for version in CHOICES["python_version"] if find_python(version))


def render(output: Path, **answers: Any) -> Path:
    """A project with ``answers`` (the rest at defaults), locked: needs the package index."""
    from cookiecutter.main import cookiecutter
    from support.template import DEFAULTS, TEMPLATE_DIR

    context = {**DEFAULTS, "python_version": python_version(), **answers}
    # The hooks run in this process's environment: lock (uv from the tools' environment), and
    # skip the scorecard, which the generation benchmark times; restored afterwards, so that
    # the other parts see the environment they were started with.
    saved = dict(os.environ)
    os.environ["TWELVE_FACTOR_LOCK"] = "1"
    os.environ["TWELVE_FACTOR_SCORECARD"] = "0"
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    try:
        return Path(
            cookiecutter(
                str(TEMPLATE_DIR), no_input=True, extra_context=context, output_dir=str(output)
            )
        )
    finally:
        os.environ.clear()
        os.environ.update(saved)


def installed(output: Path, **answers: Any):
    """Rendered and installed from its lock (``make install``)."""
    from support.service import find_python, install

    project = render(output, **answers)
    version = (project / ".python-version").read_text().strip()
    context = {"framework": "django", "database": "postgresql", **answers}
    return install(
        project, find_python(version) or sys.executable, context["framework"], context["database"]
    )
