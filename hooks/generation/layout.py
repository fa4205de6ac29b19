"""Shape the rendered tree to the answers by moving and deleting whole files.

The template keeps the files of each alternative under ``_<variable>/<choice>/`` (each
framework's code under ``_framework/django/`` and ``_framework/fastapi/``, each dependency
manager's files under ``_dependency_manager/uv/`` and ``_dependency_manager/pip/``) and each
license under ``_licenses/``; everything else is shared. After rendering, the chosen
alternatives are merged into the project root, the chosen license becomes ``LICENSE``, and files
that only make sense with a database are deleted when there is none. No file is edited here.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generation.errors import GenerationError

# The template's project directory, as cookiecutter finds it (hooks/generation/ is two levels in).
TEMPLATE_PROJECT_DIR = Path(__file__).resolve().parents[2] / "{{cookiecutter.project_slug}}"
# Variables whose choices each bring their own files, in ``_<variable>/<choice>/``.
VARIANT_VARIABLES = ("framework", "dependency_manager")
LICENSES_DIR = "_licenses"

# Paths (relative to the project root, after the framework merge) that exist only to talk to a
# database. ``{slug}`` is the project's package name.
DATABASE_ONLY: dict[str, tuple[str, ...]] = {
    "django": (
        "{slug}/items",
        "tests/test_items.py",
        "tools/local_postgres.py",
    ),
    "fastapi": (
        "{slug}/database.py",
        "{slug}/items.py",
        "{slug}/models.py",
        "alembic.ini",
        "migrations",
        "tests/test_items.py",
        "tools/local_postgres.py",
    ),
}


def variant_dir(variable: str) -> str:
    return f"_{variable}"


def shared_paths(template_project: Path, slug: str) -> set[str]:
    """The paths the template renders outside every ``_<variable>/`` and ``_licenses/`` tree."""
    placeholder = "{{cookiecutter.project_slug}}"
    return {
        path.relative_to(template_project).as_posix().replace(placeholder, slug)
        for path in template_project.rglob("*")
        if path.is_file() and not path.relative_to(template_project).parts[0].startswith("_")
    }


def merge_variant(
    project: Path, variable: str, choice: str, shared: set[str] | None = None
) -> None:
    """Move ``_<variable>/<choice>/`` into the project root and drop the other choices.

    A chosen file may already be there when cookiecutter renders over an existing project
    (``cookiecutter -f``, to compare with ``git diff``): it is replaced, as cookiecutter replaces
    the shared files. It is a template defect only when the template also renders it shared;
    without ``shared`` to tell, every file already there is taken for one.
    """
    variants = project / variant_dir(variable)
    chosen = variants / choice
    if not variants.is_dir():
        return  # this variable brings no files of its own
    if not chosen.is_dir():
        raise GenerationError(f"{variable}={choice!r} has no files in the template")
    for source in sorted(chosen.rglob("*")):
        if source.is_dir():
            continue
        target = project / source.relative_to(chosen)
        relative = target.relative_to(project).as_posix()
        if target.exists() and (shared is None or relative in shared):
            raise GenerationError(
                f"template defect: {target.relative_to(project)} exists both shared and "
                f"in {variant_dir(variable)}/{choice}"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        source.replace(target)
    shutil.rmtree(variants)


def place_license(project: Path, license_name: str) -> None:
    """Keep the chosen license text as ``LICENSE``; a proprietary project gets none."""
    licenses = project / LICENSES_DIR
    chosen = licenses / f"{license_name}.txt"
    if license_name != "Proprietary":
        if not chosen.is_file():
            raise GenerationError(
                f"open_source_license={license_name!r} has no text in the template"
            )
        chosen.replace(project / "LICENSE")
    shutil.rmtree(licenses)


def remove_unused(project: Path, answers: Mapping[str, Any]) -> list[str]:
    """Delete the files the chosen options do not use; return their relative paths."""
    removed: list[str] = []
    if answers["database"] == "none":
        for pattern in DATABASE_ONLY.get(answers["framework"], ()):
            relative = pattern.format(slug=answers["project_slug"])
            path = project / relative
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
            else:
                raise GenerationError(
                    f"template defect: {relative} is listed as database-only but missing"
                )
            removed.append(relative)
    return removed


def apply(project: Path, answers: Mapping[str, Any]) -> None:
    """Run every layout step in order."""
    shared = shared_paths(TEMPLATE_PROJECT_DIR, str(answers["project_slug"]))
    for variable in VARIANT_VARIABLES:
        if variable in answers:
            merge_variant(project, variable, answers[variable], shared)
    place_license(project, answers["open_source_license"])
    remove_unused(project, answers)
