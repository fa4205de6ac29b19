"""The project's own settings for the checker: ``[tool.twelve-factor]`` in pyproject.toml.

::

    [tool.twelve-factor]
    strict = true        # a missing fact fails its factor (a project of this template's shape)

    [tool.twelve-factor.waive]
    "processes.no-local-writes" = "uploads go to a volume the platform mounts and backs up"

A waived check's findings are reported with the reason and fail nothing. The reason is
required: a waiver nobody can explain is a violation nobody looked at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .registry import REGISTRY, checks


class OptionsError(ValueError):
    """``[tool.twelve-factor]`` says something the checker cannot follow."""


@dataclass(frozen=True)
class Options:
    waive: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False


def read_options(pyproject: Mapping[str, Any]) -> Options:
    table = pyproject.get("tool", {}).get("twelve-factor", {})
    if not isinstance(table, dict):
        raise OptionsError("pyproject.toml: [tool.twelve-factor] must be a table")
    unknown = sorted(set(table) - {"waive", "strict"})
    if unknown:
        raise OptionsError(
            f"pyproject.toml: [tool.twelve-factor] has {', '.join(unknown)}; allowed: waive, strict"
        )
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise OptionsError(
            f"pyproject.toml: [tool.twelve-factor] strict = {strict!r}; allowed: true or false"
        )
    waive = table.get("waive", {})
    if not isinstance(waive, dict):
        raise OptionsError(
            'pyproject.toml: [tool.twelve-factor.waive] must be a table of check id = "reason"'
        )
    return Options(check_waivers(waive, "pyproject.toml: [tool.twelve-factor.waive]"), strict)


def check_waivers(waive: Mapping[str, Any], where: str) -> dict[str, str]:
    """The waivers, each with its reason; a clear error for an unknown id or a missing reason."""
    checks()
    checked: dict[str, str] = {}
    for identifier, reason in waive.items():
        if identifier not in REGISTRY:
            raise OptionsError(f"{where}: {identifier!r} is not a check id; `--list` prints them")
        if not isinstance(reason, str) or not reason.strip():
            raise OptionsError(
                f"{where}: {identifier} = {reason!r}; a waiver needs a reason (a non-empty "
                "string) that the report shows"
            )
        checked[identifier] = reason.strip()
    return checked
