"""Shape the rendered tree to the answers by moving and deleting whole files.

An alternative is a directory: ``_<variable>/<choice>/`` holds the files that exist only when
``<variable>`` is ``<choice>``, laid out as they will be in the directory that holds
``_<variable>/``. The chosen one is merged there and the other choices are deleted. Alternatives
nest, so a file that depends on two answers lives where both apply:
``_framework/fastapi/_database/postgresql/alembic.ini`` exists only for FastAPI on PostgreSQL.
A nested alternative is resolved before its parent is merged, and no file may come from two
places (that is a template defect, reported by path). Rendering over an existing project
(``cookiecutter -f``, to compare with ``git diff``) finds the chosen files of the earlier
generation in place: those are replaced, as cookiecutter replaces the shared files.

Any variable of cookiecutter.json works this way without a change here: adding an option is
adding its ``_<variable>/<choice>/`` directories. The license is the one exception: its texts
are ``_licenses/<name>.txt`` and the chosen one becomes ``LICENSE``. No file is edited here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Collection, Mapping
from pathlib import Path, PurePath
from typing import Any

from generation.errors import GenerationError

LICENSES_DIR = "_licenses"
# The template's project directory, as cookiecutter finds it (hooks/generation/ is two levels in).
TEMPLATE_PROJECT_DIR = Path(__file__).resolve().parents[2] / "{{cookiecutter.project_slug}}"
SLUG_PLACEHOLDER = "{{cookiecutter.project_slug}}"


def alternative_dir(variable: str) -> str:
    """The directory name that holds the alternatives of ``variable``."""
    return f"_{variable}"


def choices(answers: Mapping[str, Any]) -> dict[str, str]:
    """The answers that can select alternatives, by the directory name that would hold them.

    Cookiecutter's own entries (``_template``, ``__postgres_major``, ...) are not answers.
    """
    return {
        alternative_dir(name): str(value)
        for name, value in answers.items()
        if not name.startswith("_") and isinstance(value, str)
    }


def shared_paths(template_project: Path, slug: str) -> set[str]:
    """The paths the template renders outside every alternative (``_<name>/``) directory."""
    shared = set()
    # os.walk and strings, not rglob and Path.relative_to: this runs on every generation.
    for directory, directories, files in os.walk(template_project):
        directories[:] = [name for name in directories if not name.startswith("_")]
        for name in files:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                relative = PurePath(os.path.relpath(path, template_project)).as_posix()
                shared.add(relative.replace(SLUG_PLACEHOLDER, slug))
    return shared


def resolve(
    directory: Path,
    selected: Mapping[str, str],
    project: Path,
    shared: Collection[str] | None = None,
    placed: set[Path] | None = None,
) -> None:
    """Merge every alternative under ``directory`` into place, deepest first.

    ``shared`` names the paths the template renders outside alternatives and ``placed`` collects
    the files merged so far: a chosen file that lands on either is a template defect. Any other
    file already there is left from an earlier generation and is replaced. Without ``shared``
    to tell, every file already there counts as rendered shared.
    """
    placed = set() if placed is None else placed
    for child in sorted(directory.iterdir()):
        if not child.is_dir() or child.is_symlink():
            continue
        if child.name not in selected:
            resolve(child, selected, project, shared, placed)
            continue
        chosen = child / selected[child.name]
        if not chosen.is_dir():
            # Another answer's choice may bring files of this variable; this one brings none.
            shutil.rmtree(child)
            continue
        resolve(chosen, selected, project, shared, placed)
        merge(chosen, directory, project, shared, placed)
        shutil.rmtree(child)


def merge(
    source: Path,
    target: Path,
    project: Path,
    shared: Collection[str] | None = None,
    placed: set[Path] | None = None,
) -> None:
    """Move every file under ``source`` to the same relative place under ``target``."""
    placed = set() if placed is None else placed
    for path in sorted(source.rglob("*")):
        if path.is_dir():
            continue
        destination = target / path.relative_to(source)
        rendered_twice = (
            destination in placed
            or shared is None
            or destination.relative_to(project).as_posix() in shared
        )
        if destination.exists() and rendered_twice:
            raise GenerationError(
                f"template defect: {destination.relative_to(project)} comes both from "
                f"{path.relative_to(project)} and from elsewhere"
            )
        destination.parent.mkdir(parents=True, exist_ok=True)
        path.replace(destination)
        placed.add(destination)


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


def leftovers(project: Path, answers: Mapping[str, Any]) -> list[str]:
    """Alternative directories still in the project (relative paths); empty after :func:`apply`."""
    names = {*choices(answers), LICENSES_DIR}
    return sorted(
        str(path.relative_to(project))
        for path in project.rglob("_*")
        if path.is_dir() and path.name in names
    )


def apply(project: Path, answers: Mapping[str, Any]) -> None:
    """Merge the chosen alternatives and place the license."""
    shared = shared_paths(TEMPLATE_PROJECT_DIR, str(answers["project_slug"]))
    resolve(project, choices(answers), project, shared)
    place_license(project, answers["open_source_license"])
