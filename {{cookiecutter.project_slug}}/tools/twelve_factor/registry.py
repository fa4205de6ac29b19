"""The factors and the registry of checks: the one list of what the checker checks.

A check is a function in ``factors/<factor>.py`` decorated with :func:`check`. The registry
gives it its id, ``<factor slug>.<function name with dashes>`` (``processes.no_local_writes``
in ``factors/processes.py`` becomes ``processes.no-local-writes``), and takes its title and
explanation from its docstring: the first line, then the rest. ``--list``, the README's table and
the package docstring all come from here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .project import Project
    from .results import Finding


@dataclass(frozen=True)
class Factor:
    number: str
    name: str
    summary: str
    slug: str  # the module in factors/ and the first part of its check ids


FACTORS: tuple[Factor, ...] = (
    Factor("I", "Codebase", "one settings module; deploys differ only by environment", "codebase"),
    Factor(
        "II",
        "Dependencies",
        "every import declared; the lock matches the declaration",
        "dependencies",
    ),
    Factor("III", "Config", "the example env file = what the settings read; no secrets", "config"),
    Factor(
        "IV",
        "Backing services",
        "attached resources come from URLs in the environment",
        "backing-services",
    ),
    Factor("V", "Build, release, run", "the image is built without .env or secrets", "build"),
    Factor("VI", "Processes", "no run-time writes to the local filesystem", "processes"),
    Factor("VII", "Port binding", "the server binds $PORT", "port-binding"),
    Factor(
        "VIII",
        "Concurrency",
        "process types declared; workers set by the environment",
        "concurrency",
    ),
    Factor(
        "IX", "Disposability", "exec-form start, graceful timeout, health probes", "disposability"
    ),
    Factor("X", "Dev/prod parity", "one PostgreSQL major and one Python everywhere", "parity"),
    Factor("XI", "Logs", "an event stream on stdout; no log files", "logs"),
    Factor("XII", "Admin processes", "migrations only in a release one-off", "admin"),
)
FACTOR_BY_SLUG = {factor.slug: factor for factor in FACTORS}

CheckFunction = Callable[["Project"], Iterable["Finding"]]


@dataclass(frozen=True)
class Check:
    id: str
    factor: Factor
    title: str
    explanation: str
    function: CheckFunction

    def run(self, project: Project) -> Iterable[Finding]:
        return self.function(project)


REGISTRY: dict[str, Check] = {}


def check(function: CheckFunction) -> CheckFunction:
    """Register ``function`` as a check of the factor its module is named after."""
    module = function.__module__.rsplit(".", 1)[-1].replace("_", "-")
    factor = FACTOR_BY_SLUG[module]
    identifier = f"{factor.slug}.{function.__name__.replace('_', '-')}"
    doc = inspect.cleandoc(function.__doc__ or "")
    title, _, explanation = doc.partition("\n")
    if not title or not explanation.strip():
        raise TypeError(f"check {identifier} needs a docstring: a title line, then why")
    if identifier in REGISTRY:
        raise TypeError(f"check {identifier} is registered twice")
    REGISTRY[identifier] = Check(
        identifier, factor, title.strip(), " ".join(explanation.split()), function
    )
    return function


def checks() -> list[Check]:
    """Every check, in factor order, then in the order its module declares them."""
    from . import factors  # noqa: F401  (importing the modules registers their checks)

    order = {factor.slug: index for index, factor in enumerate(FACTORS)}
    return sorted(REGISTRY.values(), key=lambda item: order[item.factor.slug])


def checks_table(*, markdown: bool = True) -> str:
    """The table of checks, as the README and ``--list --format markdown`` show it."""
    rows = [(f"{c.factor.number}", f"`{c.id}`", c.title) for c in checks()]
    if not markdown:
        return "\n".join(
            f"{number:5} {identifier.strip('`'):33} {title}" for number, identifier, title in rows
        )
    lines = ["| factor | check | what it asks for |", "| --- | --- | --- |"]
    lines += [f"| {number} | {identifier} | {title} |" for number, identifier, title in rows]
    return "\n".join(lines)


def describe(identifier: str) -> dict[str, Any]:
    item = REGISTRY[identifier]
    return {
        "check": item.id,
        "factor": item.factor.number,
        "title": item.title,
        "explanation": item.explanation,
    }
