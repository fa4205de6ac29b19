"""Jinja extension, loaded by cookiecutter in its own process before any hook runs.

It does two things that a hook script, run later in a child process, cannot:

* It tells the hooks where the template lives. Cookiecutter renders each hook into a temporary
  file and runs it from the new project's directory, and ``cookiecutter._repo_dir`` is relative
  when the template was given as a relative path (``cookiecutter .``). This module is imported
  from the template checkout, so its own absolute path is the reliable answer: hooks render
  ``{{ template_dir }}``.
* It gives templates ``pinned_image("python:3.12-slim")``: the reference with the digest that
  ``cookiecutter.json``'s ``__image_digests`` records for it, the one place digests live
  (``scripts/bump-pins`` refreshes them). A name without a digest there fails the render.
* It keeps expected failures to clear lines. When a hook exits non-zero (a refused answer),
  cookiecutter logs "Stopping generation..." with the traceback of its own FailedHookException,
  which says nothing the hook's one-line error did not. The filter below drops that traceback
  and keeps the line.
* It keeps answers literal. With ``--no-input`` or ``extra_context`` cookiecutter renders each
  answer as a template, so ``{{ 7*7 }}`` became ``49`` and ``{% x`` a Jinja traceback before any
  hook could refuse it. Only the template's own sources (cookiecutter.json's defaults, the hook
  scripts, the project's files) are templates; any other string is data and renders as itself.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.exceptions import TemplateRuntimeError
from jinja2.ext import Extension
from jinja2.runtime import Context


class _HookFailureWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Stopping generation because"):
            record.exc_info = None
            record.exc_text = None
        return True


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {text for item in value.values() for text in _strings(item)}
    if isinstance(value, list):
        return {text for item in value for text in _strings(item)}
    return set()


@pass_context
def pinned_image(context: Context, name: str) -> str:
    """``name@sha256:...``, with the digest cookiecutter.json records for ``name``."""
    digests: dict[str, Any] = context["cookiecutter"].get("__image_digests", {})
    digest = digests.get(name)
    if not digest:
        raise TemplateRuntimeError(
            f"cookiecutter.json: __image_digests has no digest for {name!r} "
            f"(it has {', '.join(sorted(digests)) or 'none'})"
        )
    return f"{name}@{digest}"


class TemplateSupport(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        template_dir = Path(__file__).resolve().parent.parent
        environment.globals["template_dir"] = str(template_dir)
        # Sources that cookiecutter renders without a file name and that are templates.
        self._templates = _strings(json.loads((template_dir / "cookiecutter.json").read_text()))
        self._templates |= {hook.read_text() for hook in (template_dir / "hooks").glob("*.py")}
        # File and directory names are rendered as paths that end in the template's own.
        self._path_templates = _path_templates(template_dir / "{{cookiecutter.project_slug}}")
        self._literals: list[str] = []
        environment.globals["_literal_answers"] = self._literals
        environment.globals["pinned_image"] = pinned_image
        hooks_logger = logging.getLogger("cookiecutter.hooks")
        if not any(isinstance(f, _HookFailureWithoutTraceback) for f in hooks_logger.filters):
            hooks_logger.addFilter(_HookFailureWithoutTraceback())

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        """An answer (a nameless source that is none of the template's) renders as itself."""
        if name is not None or source in self._templates or not _has_markup(source):
            return source
        if source.endswith(self._path_templates) or source.endswith(
            "{{cookiecutter.project_slug}}"
        ):
            return source
        self._literals.append(source)
        return f"{{{{ _literal_answers[{len(self._literals) - 1}] }}}}"


def _path_templates(project: Path) -> tuple[str, ...]:
    """Every path under ``project`` that holds markup, relative to ``project`` and to its parent.

    Cookiecutter makes a Jinja environment, and so this extension, several times per render:
    plain string paths from ``os.walk`` keep this scan a small part of that.
    """
    start = len(str(project)) + 1
    found: list[str] = []
    for directory, directories, files in os.walk(project):
        for name in (*directories, *files):
            relative = os.path.join(directory, name)[start:]
            found.append(os.path.join(project.name, relative))  # always holds the slug's markup
            if _has_markup(relative):
                found.append(relative)
    return tuple(found)


def _has_markup(text: str) -> bool:
    return any(marker in text for marker in ("{{", "{%", "{#", "}}", "%}", "#}"))
