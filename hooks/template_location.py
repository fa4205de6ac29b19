"""Jinja extension that tells the hooks where the template lives on disk.

Cookiecutter renders each hook into a temporary file and runs it from the new project's
directory, and ``cookiecutter._repo_dir`` is relative when the template was given as a relative
path (``cookiecutter .``). This module is imported from the template checkout, so its own
absolute path is the reliable answer: hooks render ``{{ template_dir }}``.
"""

from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension


class TemplateLocation(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["template_dir"] = str(Path(__file__).resolve().parent.parent)
