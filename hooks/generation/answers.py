"""Validate the answers before cookiecutter writes any file.

Each rule names the variable, the value it got and what is allowed, so that a user who typed a
wrong answer can fix it from one line of output.
"""

from __future__ import annotations

import keyword
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

from generation.errors import GenerationError

# Names a generated project already uses for its own folders or imports: a package of the same
# name would shadow them.
RESERVED_SLUGS = frozenset(
    {
        "alembic",
        "app",
        "django",
        "fastapi",
        "gunicorn",
        "httpx",
        "migrations",
        "psycopg",
        "pydantic",
        "procrastinate",
        "prometheus_client",
        "pytest",
        "scripts",
        "sentry_sdk",
        "sqlalchemy",
        "starlette",
        "test",
        "tests",
        "tools",
        "uvicorn",
        "whitenoise",
    }
)

# Directory names stop at 255 bytes; image and package names are better far shorter.
MAX_SLUG_LENGTH = 64
SLUG_PATTERN = re.compile(r"^[a-z](?:[a-z0-9_]*[a-z0-9])?$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
GITHUB_OWNER_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
# Free text lands in TOML strings, YAML and Markdown: quotes, backslashes and control characters
# would need escaping in each of them, so they are refused once, here.
UNSAFE_TEXT = re.compile(r'["\\\x00-\x1f\x7f]')
# Template syntax (Jinja's, and GitHub Actions' ${{ }}) would be read as code by the next tool
# that renders the file: cruft's re-render, a workflow run.
TEMPLATE_MARKUP = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")


def _check_slug(slug: str) -> str | None:
    if len(slug) > MAX_SLUG_LENGTH:
        return f"use at most {MAX_SLUG_LENGTH} characters (it names a directory and an image)"
    if not SLUG_PATTERN.match(slug) or "__" in slug:
        return (
            "use lowercase letters, digits and single underscores, starting with a letter and "
            "ending with a letter or digit (e.g. patient_records)"
        )
    if keyword.iskeyword(slug) or slug in sys.stdlib_module_names or slug in RESERVED_SLUGS:
        return "it would shadow a Python keyword, a standard-library module or a dependency"
    return None


def _check_email(email: str) -> str | None:
    if not EMAIL_PATTERN.match(email):
        return "use an address such as team@example.org"
    return None


def _check_github_owner(owner: str) -> str | None:
    if not GITHUB_OWNER_PATTERN.match(owner):
        return (
            "use a GitHub user or organisation name: letters, digits and single hyphens, "
            "at most 39 characters, not starting or ending with a hyphen"
        )
    return None


def _check_free_text(text: str) -> str | None:
    if not text.strip():
        return "it must not be empty"
    if UNSAFE_TEXT.search(text):
        return "it must not contain double quotes, backslashes or control characters"
    if TEMPLATE_MARKUP.search(text):
        return "it must not contain template syntax ({{ }}, {% %}, {# #})"
    return None


# In prompt order, so the first complaint is about the earliest answer.
FIELD_RULES: dict[str, Callable[[str], str | None]] = {
    "project_name": _check_free_text,
    "project_slug": _check_slug,
    "description": _check_free_text,
    "author_name": _check_free_text,
    "author_email": _check_email,
    "github_owner": _check_github_owner,
}


def _worker_needs_database(answers: Mapping[str, Any]) -> str | None:
    # procrastinate keeps its queue in PostgreSQL: without a database there is nowhere to put it.
    if answers.get("worker", "none") != "none" and answers.get("database") == "none":
        return (
            f"worker={answers['worker']!r} is not allowed with database='none': "
            "the job queue lives in PostgreSQL, so choose database=postgresql or worker=none"
        )
    return None


# Answers each allowed on their own that cannot go together; checked after every single answer.
COMBINATION_RULES: tuple[Callable[[Mapping[str, Any]], str | None], ...] = (_worker_needs_database,)


def choice_variables(definitions: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The variables of ``cookiecutter.json`` that offer a fixed set of values."""
    choices: dict[str, list[Any]] = {}
    for name, default in definitions.items():
        if name.startswith("_"):
            continue
        if isinstance(default, list):
            choices[name] = default
        elif isinstance(default, bool):
            choices[name] = [default, not default]
    return choices


def validate(answers: Mapping[str, Any], definitions: Mapping[str, Any]) -> None:
    """Raise :class:`GenerationError` for the first answer that is not allowed."""
    for name, rule in FIELD_RULES.items():
        value = str(answers[name])
        problem = rule(value)
        if problem:
            raise GenerationError(f"{name}={value!r} is not allowed: {problem}")

    for name, allowed in choice_variables(definitions).items():
        value = answers[name]
        if isinstance(allowed[0], bool):
            value = _as_bool(name, value)
        if value not in allowed:
            options = ", ".join(str(option) for option in allowed)
            raise GenerationError(f"{name}={value!r} is not allowed: choose one of {options}")

    for rule in COMBINATION_RULES:
        problem = rule(answers)
        if problem:
            raise GenerationError(problem)


def _as_bool(name: str, value: Any) -> bool:
    """Booleans arrive as JSON booleans, or as text when given on the command line."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "yes", "y", "1", "on"}:
        return True
    if text in {"false", "no", "n", "0", "off"}:
        return False
    raise GenerationError(f"{name}={value!r} is not allowed: answer true or false")
