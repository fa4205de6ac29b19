"""Facts about the template, read from cookiecutter.json: the one source the tests derive from."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from generation.answers import choice_variables

TEMPLATE_DIR = Path(__file__).resolve().parents[2]
DEFINITIONS: dict[str, Any] = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
CHOICES = choice_variables(DEFINITIONS)
DEFAULTS: dict[str, Any] = {name: values[0] for name, values in CHOICES.items()}
POSTGRES_MAJOR = DEFINITIONS["__postgres_major"]
DEFAULT_SLUG = "twelve_factor_service"


def combinations() -> Iterator[dict[str, Any]]:
    """Every combination of every choice and boolean variable in cookiecutter.json."""
    names = list(CHOICES)
    for values in itertools.product(*(CHOICES[name] for name in names)):
        yield dict(zip(names, values, strict=True))


def combination_id(combination: Mapping[str, Any]) -> str:
    """A readable test id, e.g. ``framework=django-database=none``."""
    return "-".join(f"{name}={value}" for name, value in combination.items())


def check_known_keys(extra_context: Mapping[str, Any]) -> None:
    """Refuse keys cookiecutter.json does not define (cookiecutter silently ignores them)."""
    unknown = sorted(set(extra_context) - set(DEFINITIONS))
    if unknown:
        raise KeyError(f"extra_context keys not in cookiecutter.json: {', '.join(unknown)}")
