"""What ``/readyz`` answers: with no backing service to check, ready until the process drains."""

from __future__ import annotations

from {{ cookiecutter.project_slug }}.lifecycle import draining


def readiness() -> tuple[int, dict[str, str]]:
    """HTTP status and per-dependency results."""
    if draining():
        return 503, {"shutdown": "draining"}
    return 200, {}
