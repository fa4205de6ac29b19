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
"""

from __future__ import annotations

import logging
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
        environment.globals["template_dir"] = str(Path(__file__).resolve().parent.parent)
        environment.globals["pinned_image"] = pinned_image
        hooks_logger = logging.getLogger("cookiecutter.hooks")
        if not any(isinstance(f, _HookFailureWithoutTraceback) for f in hooks_logger.filters):
            hooks_logger.addFilter(_HookFailureWithoutTraceback())
