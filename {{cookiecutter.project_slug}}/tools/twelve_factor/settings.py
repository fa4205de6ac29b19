"""The environment variables a service reads: the one list of its settings.

Django settings (``os.environ``, ``os.getenv``, django-environ's or environs' ``env("NAME")``,
python-decouple's ``config("NAME")``), pydantic-settings classes (each field, upper-cased, with
its ``env_prefix`` or alias), Flask's ``os.environ`` reads and Starlette's ``Config``. The
template's tests ask this module which variables a generated project's settings read.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .parsers import constant_str, dotted, walk

if TYPE_CHECKING:
    from .project import Project

ENV_VARIABLE = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Read by the interpreter, the platform or the framework itself, not by the service's settings.
NOT_SETTINGS = frozenset({"DJANGO_SETTINGS_MODULE", "HOME", "PATH", "PYTHONPATH", "TZ", "CI"})
# Libraries whose imported names read variables: ``from decouple import config``.
ENV_READER_MODULES = frozenset({"decouple", "environs", "starlette.config", "dotenv"})


def settings_class_variables(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """Variables a pydantic-settings class reads: each field, upper-cased, with its prefix."""
    for node in walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        if not any(dotted(base).split(".")[-1] == "BaseSettings" for base in node.bases):
            continue
        prefix = ""
        for statement in node.body:
            targets: list[ast.expr] = []
            if isinstance(statement, ast.AnnAssign):
                targets = [statement.target]
            elif isinstance(statement, ast.Assign):
                targets = statement.targets
            if any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets):
                value = (
                    statement.value if isinstance(statement, ast.Assign | ast.AnnAssign) else None
                )
                for keyword in value.keywords if isinstance(value, ast.Call) else []:
                    if keyword.arg == "env_prefix":
                        prefix = constant_str(keyword.value) or ""
        for statement in node.body:
            if not isinstance(statement, ast.AnnAssign) or not isinstance(
                statement.target, ast.Name
            ):
                continue
            name = statement.target.id
            if (
                name == "model_config"
                or name.startswith("_")
                or "ClassVar" in ast.dump(statement.annotation)
            ):
                continue
            alias = None
            if isinstance(statement.value, ast.Call):
                for keyword in statement.value.keywords:
                    if keyword.arg in {"alias", "validation_alias"}:
                        alias = constant_str(keyword.value)
            yield (alias or f"{prefix}{name}").upper(), statement.lineno


def environment_reads(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """Variables read through ``os.environ``, ``os.getenv`` or an env-reader object."""
    readers: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
            callee = dotted(statement.value.func).split(".")[-1].lower()
            if "env" in callee or callee in {"config", "autoconfig"}:
                readers.update(t.id for t in statement.targets if isinstance(t, ast.Name))
        elif isinstance(statement, ast.ImportFrom) and statement.module in ENV_READER_MODULES:
            readers.update(alias.asname or alias.name for alias in statement.names)
        elif isinstance(statement, ast.FunctionDef) and any(
            dotted(node).endswith(("environ", "getenv")) for node in ast.walk(statement)
        ):
            readers.add(statement.name)  # ``def envbool(name, default): ... os.getenv(name)``
    for node in walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            if dotted(node.value).split(".")[-1] == "environ":
                name = constant_str(node.slice)
                if name:
                    yield name, node.lineno
        elif isinstance(node, ast.Call) and node.args:
            name = constant_str(node.args[0])
            if name is None or not ENV_VARIABLE.match(name):
                continue
            callee = dotted(node.func)
            parts = callee.split(".")
            if callee in {"os.getenv", "getenv", "os.environ.get", "environ.get"} or (
                parts[0] in readers and parts[-1] not in {"setdefault", "pop"}
            ):
                yield name, node.lineno


def settings_reads(project: Project) -> dict[str, tuple[str, int]]:
    """Every variable the application reads from the environment, with where it is read."""
    return project.memo(_settings_reads)


ENV_HINT = re.compile(r"environ|getenv|\benv\s*[.(]|\b[Cc]onfig\s*\(|BaseSettings")


def _settings_reads(project: Project) -> dict[str, tuple[str, int]]:
    reads: dict[str, tuple[str, int]] = {}
    for path in project.runtime_python():
        text = project.text(path) or ""
        tree = project.tree(path) if ENV_HINT.search(text) else None
        if tree is None:
            continue
        found = list(environment_reads(tree))
        if path == project.settings or "BaseSettings" in text:
            found += settings_class_variables(tree)
        for name, line in found:
            if name not in NOT_SETTINGS:
                reads.setdefault(name, (path, line))
    return reads


def settings_variables(root: Path | str) -> list[str]:
    """The variables the settings module of the project at ``root`` reads, in source order."""
    from .project import Project

    project = Project(Path(root))
    tree = project.tree(project.settings) if project.settings else None
    if tree is None:
        return []
    found = sorted(
        [*environment_reads(tree), *settings_class_variables(tree)], key=lambda item: item[1]
    )
    names: list[str] = []
    for name, _ in found:
        if name not in NOT_SETTINGS and name not in names:
            names.append(name)
    return names
