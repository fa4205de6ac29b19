"""II. Dependencies: declared completely and exactly, pinned by a lock, installed from it."""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..packages import (
    DEVELOPMENT_WORDS,
    LOCK_HINT,
    Declaration,
    Requirement,
    declaration,
    distributions_for,
    lock_requirement,
    pinned_lines,
    provides,
    requirements_files,
    stamp_line,
    stamps,
    uv_lock_root,
)
from ..parsers import constant_str, third_party_imports
from ..project import Project
from ..registry import check
from ..results import Finding, missing

LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
# Build tools that install the locked packages; upgrading them installs none of the app's.
INSTALLERS = frozenset({"pip", "setuptools", "wheel", "uv", "pip-tools", "poetry", "pdm", "pipenv"})


def _declaration(project: Project) -> Declaration:
    return project.memo(declaration)


@dataclass
class _Cause:
    """One undeclared package: the message, its first place and how many places import it."""

    message: str
    path: str
    line: int
    count: int = 1


@check
def declared(project: Project) -> Iterator[Finding]:
    """Every third-party import is declared.

    Each package the code imports is declared, and what runs in the image is declared among
    the run-time dependencies (not only for development). One finding per package, with the
    number of places and the first one.
    """
    declaration_ = _declaration(project)
    if not declaration_.found:
        yield missing(
            "nothing declares the dependencies: no requirements file, no [project] or "
            "[tool.poetry] dependencies in pyproject.toml, no Pipfile",
            "pyproject.toml",
        )
        return
    runtime = declaration_.runtime_names()
    development = declaration_.development_names()
    problems: dict[str, _Cause] = {}
    for path in project.python_files():
        text = project.text(path)
        if text is None:
            continue
        # Management commands are one-off admin tools, some for development only.
        path_is_runtime = project.kind(path) == "runtime" and "/management/commands/" not in path
        for module, line, needed_at_run_time in third_party_imports(text, project.first_party):
            candidates = distributions_for(module)
            if provides(runtime, module):
                continue
            in_development = provides(development, module)
            if in_development and not (path_is_runtime and needed_at_run_time):
                continue
            key = f"{module}:{in_development}"
            if key in problems:
                problems[key].count += 1
                continue
            dist = candidates[0]
            if in_development:
                message = (
                    f"imports {module}, but {dist} is declared for development only; the image "
                    f"installs {declaration_.runtime_place} alone: declare it there"
                )
            else:
                message = (
                    f"imports {module}, but no declared dependency provides it: add {dist} to "
                    f"{declaration_.source}"
                )
            problems[key] = _Cause(message, path, line)
    for cause in problems.values():
        more = f" ({cause.count} imports; this is the first)" if cause.count > 1 else ""
        yield Finding(f"{cause.message}{more}", cause.path, cause.line)
    # gunicorn imports its worker class by name: ``worker_class = "uvicorn_worker.UvicornWorker"``.
    worker = project.gunicorn_settings().get("worker_class")
    if isinstance(worker, ast.Assign | ast.AnnAssign):
        value = constant_str(worker.value) or ""
        module = value.split(".")[0]
        candidates = distributions_for(module)
        if "." in value and not runtime.intersection(candidates):
            yield Finding(
                f"worker_class loads {module}, but no run-time dependency provides it: add "
                f"{candidates[0]} to {declaration_.source}",
                project.gunicorn_config(),
                worker.lineno,
            )


def _line_of(text: str | None, needle: str) -> int | None:
    for number, line in enumerate((text or "").splitlines(), start=1):
        if needle in line:
            return number
    return None


def _compare(
    declared_: Iterable[Requirement], locked: Iterable[Requirement], where: str
) -> Iterator[str]:
    declared_by_name = {requirement.name: requirement for requirement in declared_}
    locked_by_name = {requirement.name: requirement for requirement in locked}
    for name, requirement in sorted(declared_by_name.items()):
        if name not in locked_by_name:
            yield f"{where} declares {requirement}, which the lock does not have"
        elif locked_by_name[name] != requirement:
            yield f"{where} declares {requirement}, the lock has {locked_by_name[name]}"
    for name, requirement in sorted(locked_by_name.items()):
        if name not in declared_by_name:
            yield f"the lock still has {requirement}, which {where} no longer declares"


@check
def lock_missing(project: Project) -> Iterator[Finding]:
    """A lock pins what is declared.

    Without a lock (``uv.lock``, ``poetry.lock``, ``pdm.lock``, ``Pipfile.lock`` or
    requirements compiled with ``==`` pins), every install resolves anew and two deploys of one
    release can run different code.
    """
    declaration_ = _declaration(project)
    if declaration_.manager == "pip":
        for source in [p for p in declaration_.files if p.endswith(".in")]:
            locked = source.removesuffix(".in") + ".txt"
            if not project.exists(locked):
                yield Finding(
                    f"no {locked}: nothing pins what {source} declares; {LOCK_HINT} and commit it",
                    locked,
                )
        return
    if declaration_.manager == "pip-plain":
        loose = []
        runtime_files = [
            p
            for p in declaration_.files
            if p.endswith(".txt") and not DEVELOPMENT_WORDS.search(p.rsplit(".", 1)[0])
        ]
        for path in runtime_files:
            for number, line in pinned_lines(project.text(path) or ""):
                if (
                    line
                    and not line.startswith(("#", "-"))
                    and "==" not in line
                    and "@" not in line
                ):
                    loose.append((path, number, line.split()[0]))
        if loose and not any(project.exists(lock) for lock in LOCK_FILES):
            path, number, first = loose[0]
            yield Finding(
                f"{len(loose)} requirement(s) are not pinned with == (first: {first}) and no "
                "lock file pins them: compile the requirements into a lock (pip-tools, uv)",
                path,
                number,
            )
        return
    lock_file = {
        "uv": "uv.lock",
        "poetry": "poetry.lock",
        "pdm": "pdm.lock",
        "pipenv": "Pipfile.lock",
    }.get(declaration_.manager)
    if declaration_.manager == "pep621":
        if any(project.exists(lock) for lock in LOCK_FILES) or requirements_files(project):
            return
        lock_file = "uv.lock"
    if lock_file and not project.exists(lock_file) and declaration_.runtime:
        yield Finding(
            f"no {lock_file}: nothing pins what {declaration_.source} declares; {LOCK_HINT} "
            f"({'uv lock' if lock_file == 'uv.lock' else declaration_.manager + ' lock'}) and "
            "commit it",
            lock_file,
        )


@check
def lock_stale(project: Project) -> Iterator[Finding]:
    """The lock matches the declaration.

    A lock that no longer records what the declaration asks for installs something else than
    what the code was written against.
    """
    declaration_ = _declaration(project)
    if declaration_.manager == "pip":
        yield from _pip_lock_findings(project, declaration_)
    elif declaration_.manager == "uv" and project.exists("uv.lock"):
        yield from _uv_lock_findings(project, declaration_)
    elif declaration_.manager in {"poetry", "pdm", "pipenv"}:
        lock_file = {"poetry": "poetry.lock", "pdm": "pdm.lock", "pipenv": "Pipfile.lock"}[
            declaration_.manager
        ]
        if not project.exists(lock_file):
            return
        from ..packages import locked_names

        names = locked_names(project, lock_file)
        if names is None:
            yield Finding("does not parse", lock_file)
            return
        absent = sorted({r.name for r in declaration_.runtime} - names)
        if absent:
            yield Finding(
                f"{lock_file} is stale: {declaration_.source} declares {', '.join(absent)}, "
                f"which the lock does not have; run `{declaration_.manager} lock`",
                declaration_.source,
                _line_of(project.text(declaration_.source), absent[0]),
            )


def _python_range(specifier: str) -> frozenset[str]:
    """A requires-python specifier's clauses, with ``==3.12.*`` written as uv may simplify
    ``>=3.12,<3.13``."""
    clauses = set()
    for clause in specifier.replace(" ", "").split(","):
        match = re.fullmatch(r"==(\d+)\.(\d+)\.\*", clause)
        if match:
            major, minor = match.groups()
            clauses |= {f">={major}.{minor}", f"<{major}.{int(minor) + 1}"}
        elif clause:
            clauses.add(clause)
    return frozenset(clauses)


def _uv_lock_findings(project: Project, declaration_: Declaration) -> Iterator[Finding]:
    try:
        lock = tomllib.loads(project.text("uv.lock") or "")
    except tomllib.TOMLDecodeError as error:
        yield Finding(f"does not parse ({error})", "uv.lock")
        return
    name = str(project.pyproject.get("project", {}).get("name", ""))
    root = uv_lock_root(lock, name)
    if root is None:
        yield Finding(f"has no entry for {name}: {LOCK_HINT}", "uv.lock")
        return
    metadata = root.get("metadata", {})
    problems = list(
        _compare(
            declaration_.runtime,
            [lock_requirement(entry) for entry in metadata.get("requires-dist", [])],
            "[project].dependencies",
        )
    )
    locked_groups = metadata.get("requires-dev", {})
    declared_groups = {
        group: items for group, items in declaration_.development.items() if ":" not in group
    }
    for group in sorted(set(declared_groups) | set(locked_groups)):
        problems += _compare(
            declared_groups.get(group, []),
            [lock_requirement(entry) for entry in locked_groups.get(group, [])],
            f"dependency group {group!r}",
        )
    wanted_python = str(project.pyproject.get("project", {}).get("requires-python", ""))
    locked_python = str(lock.get("requires-python", ""))
    if wanted_python and _python_range(wanted_python) != _python_range(locked_python):
        problems.append(f"requires-python is {wanted_python}, the lock has {locked_python}")
    pyproject_text = project.text("pyproject.toml")
    for problem in problems:
        line = None
        match = re.search(r"declares ([A-Za-z0-9._-]+)", problem)
        if match:
            line = _line_of(pyproject_text, f'"{match.group(1)}')
        yield Finding(f"uv.lock is stale: {problem}; {LOCK_HINT}", "pyproject.toml", line)


def _pip_lock_findings(project: Project, declaration_: Declaration) -> Iterator[Finding]:
    uses_stamps = project.exists("tools/lock.py") or any(
        stamps(project.text(p.removesuffix(".in") + ".txt") or "")
        for p in declaration_.files
        if p.endswith(".in")
    )
    for source in [p for p in declaration_.files if p.endswith(".in")]:
        locked = source.removesuffix(".in") + ".txt"
        if not project.exists(locked):
            continue  # lock-missing's finding
        text = project.text(locked) or ""
        if uses_stamps:
            found = stamps(text)
            expected = stamp_line(source.rsplit("/", 1)[-1], (project.root / source).read_bytes())
            if (
                f"# {source.rsplit('/', 1)[-1]} sha256: {found.get(source.rsplit('/', 1)[-1])}"
                != expected
            ):
                name = source.rsplit("/", 1)[-1]
                yield Finding(
                    f"{locked} was not compiled from the current {source} (its '# {name} sha256:' "
                    f"line {'differs' if name in found else 'is missing'}); {LOCK_HINT}",
                    locked,
                    _line_of(text, f"{name} sha256:"),
                )
        pinned: set[str] = set()
        for number, line in pinned_lines(text):
            if not line or line.startswith(("#", "-")):
                continue
            pinned.add(re.split(r"[\[=<>!~; ]", line, maxsplit=1)[0].lower().replace("_", "-"))
            if "==" not in line or (uses_stamps and "--hash=" not in line):
                pins = "== and --hash" if uses_stamps else "=="
                yield Finding(
                    f"{line.split()[0]} is not pinned with {pins}; {LOCK_HINT}",
                    locked,
                    number,
                )
        if not uses_stamps:
            from ..packages import requirements_lines

            for item in requirements_lines(project, source):
                if item.path == source and item.requirement.name not in pinned:
                    yield Finding(
                        f"{locked} is stale: {source} declares {item.requirement.name}, which it "
                        "does not pin; compile it again",
                        source,
                        item.line,
                    )


@check
def locked_install(project: Project) -> Iterator[Finding]:
    """The image installs the lock.

    ``uv sync`` without ``--locked`` or a ``pip install`` of an unpinned package resolves again
    at build time, outside the lock.
    """
    for path, instructions in project.dockerfiles():
        for instruction in instructions:
            if instruction.keyword != "RUN":
                continue
            for segment in re.split(r"&&|;|\|\|", instruction.arguments):
                words = segment.split()
                if words[:2] == ["uv", "sync"] and not {"--locked", "--frozen"} & set(words):
                    yield Finding(
                        "`uv sync` without --locked: the image may resolve other versions than "
                        "the lock",
                        path,
                        instruction.line,
                    )
                programs = [word.rsplit("/", 1)[-1] for word in words[:3]]
                if "install" in words and "pip" in programs:
                    packages = [
                        word
                        for word in words[words.index("install") + 1 :]
                        if not word.startswith("-") and word not in {".", "./"}
                    ]
                    options = " ".join(words)
                    loose = [
                        name
                        for package in packages
                        if (name := package.strip("\"'"))
                        and not re.search(
                            r"(?:-r|--requirement|-c|--constraint)[= ]?\s*" + re.escape(package),
                            options,
                        )
                        and "==" not in name
                        and not re.search(r"[/*$]|\.(?:txt|whl|tar\.gz|zip)$", name)
                        and name.split("[")[0].lower() not in INSTALLERS
                    ]
                    if loose:
                        yield Finding(
                            f"installs {', '.join(loose)} unpinned, outside the lock",
                            path,
                            instruction.line,
                        )
