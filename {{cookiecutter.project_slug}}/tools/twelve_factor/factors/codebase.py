"""I. Codebase: one codebase, many deploys that differ only in their environment."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ..parsers import conflict_marker_lines, constant_str, walk
from ..project import Project
from ..registry import check
from ..results import Finding

ENVIRONMENT_NAMES = frozenset(
    {"production", "prod", "staging", "stage", "development", "dev", "local", "qa", "testing"}
)


@check
def one_settings(project: Project) -> Iterator[Finding]:
    """One settings module, not one per environment.

    Settings modules per environment (``settings/production.py``, ``settings_dev.py``) make
    deploys differ in code; every deploy should run the same settings, configured by variables.
    """
    others = project.environment_settings()
    if len(others) == 1:
        yield Finding(
            f"a second settings module beside {project.settings}: deploys must differ only "
            "in environment variables, not in code",
            others[0],
        )
    elif others:
        names = ", ".join(path.rsplit("/", 1)[-1] for path in others)
        yield Finding(
            f"{len(others)} more settings modules beside {project.settings}, one per environment "
            f"({names}): deploys must differ only in environment variables, not in code",
            others[0],
        )


@check
def settings_switch(project: Project) -> Iterator[Finding]:
    """No DJANGO_SETTINGS_MODULE chosen per environment.

    Setting ``DJANGO_SETTINGS_MODULE`` to another module in one environment (a Dockerfile
    ``ENV``, a workflow, a start script) is a settings module per environment in disguise.
    """
    expected = project.settings_module_name
    for path in project.files:
        if project.kind(path) != "runtime" or path.endswith((".md", ".rst", ".txt")):
            continue
        text = project.text(path)
        if text is None or "DJANGO_SETTINGS_MODULE" not in text:
            continue
        if path.endswith(".py"):
            tree = project.tree(path)
            for node in walk(tree) if tree else []:
                if (
                    isinstance(node, ast.Call)
                    and len(node.args) >= 2
                    and constant_str(node.args[0]) == "DJANGO_SETTINGS_MODULE"
                ):
                    value = constant_str(node.args[1])
                    if value is None or value != expected:
                        yield Finding(
                            f"sets DJANGO_SETTINGS_MODULE to {value or 'a computed value'}, not "
                            f"the one settings module {expected}",
                            path,
                            node.lineno,
                        )
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            match = re.search(r"DJANGO_SETTINGS_MODULE\s*[=:]\s*[\"']?([\w.]+)", line)
            if match and match.group(1) != expected:
                yield Finding(
                    "chooses DJANGO_SETTINGS_MODULE per environment; every deploy runs the one "
                    "settings module",
                    path,
                    number,
                )


@check
def environment_branch(project: Project) -> Iterator[Finding]:
    """The settings do not branch on the environment's name.

    ``if ENVIRONMENT == "production":`` groups configuration into named environments, which does
    not scale; set each value through its own variable instead.
    """
    if project.settings is None:
        return
    tree = project.tree(project.settings)
    for node in walk(tree) if tree else []:
        if not isinstance(node, ast.Compare):
            continue
        for operand in [node.left, *node.comparators]:
            value = constant_str(operand)
            if value is not None and value.lower() in ENVIRONMENT_NAMES:
                yield Finding(
                    f"the settings branch on the environment's name ({value!r}); set each "
                    "value through its own variable instead",
                    project.settings,
                    node.lineno,
                )
                break


@check
def one_repository(project: Project) -> Iterator[Finding]:
    """No repository nested in the repository.

    One codebase is one repository; code shared between apps is a dependency, not a checkout
    inside another checkout.
    """
    for path in project.nested_repositories:
        yield Finding(
            "a repository inside the repository; share code as a dependency instead", path
        )


@check
def conflict_markers(project: Project) -> Iterator[Finding]:
    """No unresolved merge conflicts.

    A file that still holds git's conflict markers (after a merge, a rebase or a template
    update) is neither side's code: what it builds and runs is what nobody wrote.
    """
    for path in project.files:
        text = project.text(path)
        if text is None or "<<<<<<<" not in text:
            continue
        lines = conflict_marker_lines(text)
        if lines:
            count = f" ({len(lines)} in the file)" if len(lines) > 1 else ""
            yield Finding(
                f"an unresolved merge conflict{count}; resolve it and commit the result",
                path,
                lines[0],
            )
