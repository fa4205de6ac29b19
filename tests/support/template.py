"""Facts about the template, read from cookiecutter.json: the one source the tests derive from."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from generation.answers import COMBINATION_RULES, choice_variables

TEMPLATE_DIR = Path(__file__).resolve().parents[2]
DEFINITIONS: dict[str, Any] = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
CHOICES = choice_variables(DEFINITIONS)
DEFAULTS: dict[str, Any] = {name: values[0] for name, values in CHOICES.items()}
POSTGRES_MAJOR = DEFINITIONS["__postgres_major"]
# Image digests, one place for every generated file (hooks/template_extension.py's pinned_image).
IMAGE_DIGESTS: dict[str, str] = DEFINITIONS["__image_digests"]


def pinned(image: str) -> str:
    """``image@sha256:...`` as the generated files must name ``image`` (``python:3.12-slim``)."""
    return f"{image}@{IMAGE_DIGESTS[image]}"


DEFAULT_SLUG = "twelve_factor_service"


def allowed(combination: Mapping[str, Any]) -> bool:
    """Whether the pre-generation hook accepts these answers together (worker needs a database)."""
    return not any(rule(combination) for rule in COMBINATION_RULES)


def combinations() -> Iterator[dict[str, Any]]:
    """Every combination of every choice and boolean variable that cookiecutter.json allows."""
    names = list(CHOICES)
    for values in itertools.product(*(CHOICES[name] for name in names)):
        combination = dict(zip(names, values, strict=True))
        if allowed(combination):
            yield combination


def combination_id(combination: Mapping[str, Any], names: Sequence[str] | None = None) -> str:
    """A readable test id, e.g. ``framework=django-database=none`` (only ``names``, if given)."""
    shown = combination if names is None else {name: combination[name] for name in names}
    return "-".join(f"{name}={value}" for name, value in shown.items()) or "defaults"


def varying(*names: str, **fixed: Any) -> list[dict[str, Any]]:
    """Every allowed combination of the choices of ``names``, the answers in ``fixed`` as
    given, the other answers at their defaults."""
    unknown = sorted((set(names) | set(fixed)) - set(CHOICES))
    if unknown:
        raise KeyError(f"not choice variables of cookiecutter.json: {', '.join(unknown)}")
    wrong = sorted(f"{name}={value}" for name, value in fixed.items() if value not in CHOICES[name])
    if wrong:
        raise ValueError(f"not choices of cookiecutter.json: {', '.join(wrong)}")
    candidates = (
        {**DEFAULTS, **fixed, **dict(zip(names, values, strict=True))}
        for values in itertools.product(*(CHOICES[name] for name in names))
    )
    return [combination for combination in candidates if allowed(combination)]


def vary(*names: str, **fixed: Any) -> pytest.MarkDecorator:
    """Parametrize a test's ``combination`` over the variables that change what it checks.

    A test declares those variables, and only their choices multiply its runs: a check of
    ``ci.yml`` varies ``dependency_manager`` and ``database``, not the license. No names: one
    run, with the defaults. ``fixed`` answers hold for every run, for a test of what only one
    choice brings (``deploy_target="kubernetes"``). Test ids name just the varied answers.
    """
    return pytest.mark.parametrize(
        "combination",
        varying(*names, **fixed),
        ids=lambda combination: combination_id(combination, names),
    )


# Every combination cookiecutter.json allows: for the test that renders them all.
COMBINATIONS = list(combinations())
every_combination = vary(*CHOICES)

# The session fixture ``rendered``: answers in, rendered project directory out (cached).
Rendered = Callable[[dict[str, Any]], Path]


def check_known_keys(extra_context: Mapping[str, Any]) -> None:
    """Refuse keys cookiecutter.json does not define (cookiecutter silently ignores them)."""
    unknown = sorted(set(extra_context) - set(DEFINITIONS))
    if unknown:
        raise KeyError(f"extra_context keys not in cookiecutter.json: {', '.join(unknown)}")
