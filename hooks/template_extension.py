"""Jinja extension, loaded by cookiecutter in its own process before any hook runs.

It does two things that a hook script, run later in a child process, cannot:

* It tells the hooks where the template lives. Cookiecutter renders each hook into a temporary
  file and runs it from the new project's directory, and ``cookiecutter._repo_dir`` is relative
  when the template was given as a relative path (``cookiecutter .``). This module is imported
  from the template checkout, so its own absolute path is the reliable answer: hooks render
  ``{{ template_dir }}``.
* It keeps expected failures to clear lines. When a hook exits non-zero (a refused answer),
  cookiecutter logs "Stopping generation..." with the traceback of its own FailedHookException,
  which says nothing the hook's one-line error did not. The filter below drops that traceback
  and keeps the line.
"""

from __future__ import annotations

import logging
from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension


class _HookFailureWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Stopping generation because"):
            record.exc_info = None
            record.exc_text = None
        return True


class TemplateSupport(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["template_dir"] = str(Path(__file__).resolve().parent.parent)
        hooks_logger = logging.getLogger("cookiecutter.hooks")
        if not any(isinstance(f, _HookFailureWithoutTraceback) for f in hooks_logger.filters):
            hooks_logger.addFilter(_HookFailureWithoutTraceback())
