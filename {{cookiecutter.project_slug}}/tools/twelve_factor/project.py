"""The project model: the files of the codebase, read at most once, and what they declare.

Static analysis only: nothing is imported, installed or run. Files ignored by the root
``.gitignore`` (``.env``, ``.venv/``, caches, local data) are not part of the codebase and are
never read.

"Application code" is what runs in the image: the project's packages, top-level modules
(``manage.py``, ``gunicorn.conf.py``) and ``migrations/``. Tests, fixtures and test data
(``tests/``, ``fixtures/``, ``test_*.py``, Django's ``tests.py``...) are test code; ``tools/``,
``scripts/``, ``docs/`` and the like are development code.
"""

from __future__ import annotations

import ast
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .ignore import dockerignore_rules, git_ignored_leaf, gitignore_rules
from .packages import module_name
from .parsers import (
    Instruction,
    ProcessType,
    compose_commands,
    dockerfile_instructions,
    parse_python,
    procfile_entries,
    python_imports,
)

# Folders that are never part of the codebase, whatever .gitignore says.
PRUNED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".tools",
        ".devdb",
        "site-packages",
    }
)
MAX_FILE_BYTES = 1_000_000
TEST_DIRS = frozenset(
    {"tests", "test", "testing", "fixtures", "testdata", "test_data", "__tests__", "e2e", "spec"}
)
DEVELOPMENT_DIRS = frozenset(
    {"tools", "scripts", "bin", "docs", "doc", "examples", "example", "benchmarks", "bench",
     "contrib", ".github", ".devcontainer", "dev"}
)  # fmt: skip
DEVELOPMENT_MODULES = frozenset({"conftest", "noxfile", "setup", "fabfile", "tasks", "dodo"})
ENVIRONMENT_WORDS = re.compile(
    r"(?i)(?:^|[_.-])(?:prod|production|dev|development|local|staging|stage|test|testing|ci|qa|"
    r"base|common|defaults?)(?:[_.-]|$)"
)
# Programs that serve HTTP: a command that starts one is a web process.
WEB_SERVERS = re.compile(
    r"\b(?:gunicorn|uvicorn|daphne|hypercorn|uwsgi|waitress-serve|granian|runserver|"
    r"flask\s+run|fastapi\s+(?:run|dev)|bin/web)\b"
)
START_SCRIPT = re.compile(
    r"(?:^|/)(?:[\w-]*entrypoint[\w-]*|start[\w-]*|prestart[\w-]*|boot[\w-]*|run|run-?\w*|"
    r"serve[\w-]*|web)(?:\.sh)?$"
)
ENV_EXAMPLE_NAMES = (
    "example.env",
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.dist",
    ".env.defaults",
    "env.example",
    "env.sample",
    "env.template",
    "sample.env",
    "template.env",
    ".example.env",
)

T = TypeVar("T")


@dataclass(frozen=True)
class ProcessDefinition:
    """A command the project runs: a Procfile entry, a Dockerfile CMD/ENTRYPOINT, a compose
    ``command:`` or a line of a start script."""

    path: str
    line: int
    command: str
    source: str  # procfile, dockerfile, compose, script
    name: str = ""  # the Procfile process type

    @property
    def is_web(self) -> bool:
        return self.name == "web" or bool(WEB_SERVERS.search(self.command))


class Project:
    """A project tree and what can be read from it, each file read at most once."""

    def __init__(self, root: Path, *, strict: bool = False) -> None:
        self.root = root.resolve()
        # A project of this template's shape: every fact must be there, stricter conventions.
        self.strict = strict
        self.gitignore_text = self._read_root(".gitignore")
        self.gitignore = gitignore_rules(self.gitignore_text or "")
        self.dockerignore_text = self._read_root(".dockerignore")
        self.dockerignore = dockerignore_rules(self.dockerignore_text or "")
        self.nested_repositories: list[str] = []
        self.files = sorted(self._walk())
        self._file_set = frozenset(self.files)
        self._texts: dict[str, str | None] = {}
        self._trees: dict[str, ast.Module | None] = {}
        self._memo: dict[Callable[..., Any], Any] = {}
        self.pyproject = self._toml("pyproject.toml")
        name = self.pyproject.get("project", {}).get("name") or self.pyproject.get("tool", {}).get(
            "poetry", {}
        ).get("name")
        # The application package, named after the project: never development code, even when
        # its name is one of DEVELOPMENT_DIRS.
        self.name = str(name) if isinstance(name, str) else self.root.name
        self.package = module_name(name) if isinstance(name, str) else None
        self.first_party = self._first_party()
        self.settings_modules = self._settings_modules()
        self.settings = self._main_settings()
        self.framework = self._framework()

    def memo(self, function: Callable[[Project], T]) -> T:
        """``function(self)``, computed once: several checks share a derived fact."""
        if function not in self._memo:
            self._memo[function] = function(self)
        return self._memo[function]  # type: ignore[no-any-return]

    # files

    def _read_root(self, name: str) -> str | None:
        try:
            return (self.root / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def _walk(self) -> list[str]:
        found: list[str] = []
        for directory, subdirs, names in os.walk(self.root):
            relative_dir = os.path.relpath(directory, self.root).replace(os.sep, "/")
            prefix = "" if relative_dir == "." else f"{relative_dir}/"
            if prefix and ".git" in subdirs:
                self.nested_repositories.append(f"{prefix}.git")
            subdirs[:] = sorted(
                name
                for name in subdirs
                if name not in PRUNED_DIRS
                and not git_ignored_leaf(self.gitignore, prefix + name, is_dir=True)
            )
            found += (
                prefix + name
                for name in names
                if not git_ignored_leaf(self.gitignore, prefix + name)
            )
        return found

    def exists(self, relative: str) -> bool:
        return relative in self._file_set

    def text(self, relative: str) -> str | None:
        if relative not in self._texts:
            path = self.root / relative
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    raise ValueError(relative)
                self._texts[relative] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError, ValueError):
                self._texts[relative] = None
        return self._texts[relative]

    def tree(self, relative: str) -> ast.Module | None:
        if relative not in self._trees:
            text = self.text(relative)
            try:
                self._trees[relative] = None if text is None else parse_python(text)
            except (SyntaxError, ValueError):
                self._trees[relative] = None
        return self._trees[relative]

    def _toml(self, relative: str) -> dict[str, Any]:
        text = self.text(relative) if self.exists(relative) else None
        if text is None:
            return {}
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return {}

    def python_files(self) -> list[str]:
        return self.memo(_python_files)

    def kind(self, relative: str) -> str:
        """``runtime`` (runs in the image), ``test`` or ``tool`` (development only)."""
        parts = relative.split("/")
        name = parts[-1]
        if (
            TEST_DIRS.intersection(parts[:-1])
            or name.startswith("test_")
            or name.endswith(("_test.py", "_tests.py"))
            or name in {"conftest.py", "tests.py"}
        ):
            return "test"
        if (
            (parts[0] in DEVELOPMENT_DIRS and parts[0] != self.package)
            or "scripts" in parts[1:-1]
            or (len(parts) == 1 and name.removesuffix(".py") in DEVELOPMENT_MODULES)
        ):
            return "tool"
        return "runtime"

    def runtime_python(self) -> list[str]:
        return [path for path in self.python_files() if self.kind(path) == "runtime"]

    def application_python(self) -> list[str]:
        """Runtime code that serves requests: without migrations and management commands (which
        are one-off admin processes)."""
        return [
            path
            for path in self.runtime_python()
            if "migrations" not in path.split("/") and "/management/commands/" not in path
        ]

    def _first_party(self) -> set[str]:
        """Module names the project itself provides, at any depth (``src/`` layouts, apps run
        from a sub-folder)."""
        names: set[str] = set()
        for path in self.python_files():
            parts = path.split("/")
            names.update(part for part in parts[:-1] if part.isidentifier())
            stem = parts[-1].removesuffix(".py")
            if stem.isidentifier():
                names.add(stem)
        if self.package:
            names.add(self.package)
        return names

    # settings and framework

    def _settings_modules(self) -> list[str]:
        modules = []
        for path in self.runtime_python():
            parts = path.split("/")
            if "migrations" in parts or len(parts) < 2 or "/management/commands/" in path:
                continue
            stem = parts[-1].removesuffix(".py")
            in_settings_package = any(part in {"settings", "config"} for part in parts[1:-1])
            if "settings" in stem or (in_settings_package and stem != "__init__"):
                modules.append(path)
        # Flask's convention: a top-level config.py with the app's Config class.
        if not modules and self.exists("config.py"):
            modules.append("config.py")
        return modules

    def _main_settings(self) -> str | None:
        candidates = [path for path in self.settings_modules if path.endswith("/settings.py")]
        if self.package and f"{self.package}/settings.py" in candidates:
            return f"{self.package}/settings.py"
        for path in candidates or self.settings_modules:
            return path
        return None

    def environment_settings(self) -> list[str]:
        """Settings modules besides the main one that hold one environment's settings."""
        found = []
        for path in self.settings_modules:
            if path == self.settings:
                continue
            stem = path.rsplit("/", 1)[-1].removesuffix(".py")
            if ENVIRONMENT_WORDS.search(stem) or (
                self.settings
                and "import *" in (self.text(path) or "")
                and self.settings.removesuffix(".py").replace("/", ".") in (self.text(path) or "")
            ):
                found.append(path)
        return found

    def _framework(self) -> str:
        """The web framework: the first one declared, else the first one imported."""
        from .packages import declaration

        frameworks = ("django", "fastapi", "flask", "starlette")
        declared = self.memo(declaration).runtime_names()
        for framework in frameworks:
            if framework in declared:
                return framework
        for path in self.runtime_python():
            text = self.text(path) or ""
            if any(framework in text for framework in frameworks):
                for module, _, _ in python_imports(text):
                    if module in frameworks:
                        return module
        return "unknown framework"

    def package_dir(self) -> str | None:
        """The application package (the settings module's folder), as ``name/``."""
        if self.settings is None or "/" not in self.settings:
            return None
        return self.settings.rsplit("/", 1)[0] + "/"

    @property
    def settings_module_name(self) -> str | None:
        if self.settings is None:
            return None
        return self.settings.removesuffix(".py").replace("/", ".")

    # process definitions

    def dockerfile_paths(self) -> list[str]:
        """The Dockerfiles of the service's images (not of a development or test image)."""
        return self.memo(_dockerfile_paths)

    def dockerfiles(self) -> list[tuple[str, list[Instruction]]]:
        return [
            (path, dockerfile_instructions(self.text(path) or ""))
            for path in self.dockerfile_paths()
        ]

    def dockerfile(self) -> list[Instruction]:
        """The instructions of the main Dockerfile (the root one, else the first found)."""
        paths = self.dockerfile_paths()
        return dockerfile_instructions(self.text(paths[0]) or "") if paths else []

    def procfile(self) -> list[ProcessType]:
        text = self.text("Procfile") if self.exists("Procfile") else None
        return procfile_entries(text or "")

    def compose_files(self) -> list[str]:
        return [
            path
            for path in self.files
            if path.count("/") <= 1
            and self.kind(path) == "runtime"
            and re.search(r"(?:^|/)(?:docker-)?compose(?:[.-][\w-]+)?\.ya?ml$", path) is not None
        ]

    def start_scripts(self) -> list[str]:
        """Shell scripts that start or prepare a process: named as such, or run by a Dockerfile."""
        return self.memo(_start_scripts)

    def process_definitions(self) -> list[ProcessDefinition]:
        return self.memo(_process_definitions)

    def web_commands(self) -> list[tuple[str, int, str]]:
        """(path, line, command) of the web process: the Procfile's ``web``, the image's start
        command, compose commands and start-script lines that run a web server."""
        return [
            (d.path, d.line, d.command)
            for d in self.process_definitions()
            if (d.source == "procfile" and d.name == "web")
            or (d.source == "dockerfile")
            or (d.source in {"compose", "script"} and d.is_web)
        ]

    def gunicorn_config(self) -> str | None:
        for _, _, command in self.web_commands():
            match = re.search(r"(?:--config|-c)[= ]\s*(?:python:)?(\S+?)[\"',\]]*(?:\s|$)", command)
            if match and "gunicorn" in command:
                candidate = match.group(1).strip("\"'")
                if candidate.startswith("python:"):
                    continue
                for option in (candidate, candidate.lstrip("/").split("/", 1)[-1]):
                    if self.exists(option):
                        return option
                named = [p for p in self.files if p.endswith("/" + candidate.rsplit("/", 1)[-1])]
                if named:
                    return named[0]
        return "gunicorn.conf.py" if self.exists("gunicorn.conf.py") else None

    def gunicorn_settings(self) -> dict[str, ast.stmt]:
        """Module-level assignments of the gunicorn config file, by name."""
        path = self.gunicorn_config()
        tree = self.tree(path) if path else None
        settings: dict[str, ast.stmt] = {}
        for statement in tree.body if tree else []:
            if isinstance(statement, ast.Assign):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        settings[target.id] = statement
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                settings[statement.target.id] = statement
            elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                settings[statement.name] = statement
        return settings

    def workflow_files(self) -> list[str]:
        return [
            path
            for path in self.files
            if path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml"))
        ]

    def example_env_path(self) -> str | None:
        """The file that documents the environment: ``example.env``, ``.env.example``... at the
        root, else in a ``docker/`` or ``deploy/`` folder."""
        return self.memo(_example_env_path)


def _python_files(project: Project) -> list[str]:
    return [path for path in project.files if path.endswith(".py")]


def _dockerfile_paths(project: Project) -> list[str]:
    found = [
        path
        for path in project.files
        if re.search(r"(?:^|/)(?:Dockerfile(?:\.[\w-]+)?|[\w-]+\.Dockerfile|Containerfile)$", path)
        and project.kind(path) == "runtime"
        and not re.search(
            r"(?i)(?:^|[./_-])(?:dev|devel|local|test|tests|ci|docs)(?:[./_-]|$)", path
        )
    ]
    return sorted(found, key=lambda path: (path.count("/"), path != "Dockerfile", path))


def _start_scripts(project: Project) -> list[str]:
    scripts = {
        path
        for path in project.files
        if project.kind(path) != "test"
        and (path.endswith(".sh") or "." not in path.rsplit("/", 1)[-1])
        and START_SCRIPT.search(path.removesuffix(".sh"))
        and not path.startswith(".github/")
    }
    for _, instructions in project.dockerfiles():
        for instruction in instructions:
            if instruction.keyword in {"CMD", "ENTRYPOINT", "RUN"}:
                scripts.update(_scripts_named_in(instruction.command_text(), project))
    for definition in _definitions(project):
        scripts.update(_scripts_named_in(definition.command, project))
    return sorted(path for path in scripts if not path.endswith(".py"))


def _scripts_named_in(command: str, project: Project) -> list[str]:
    """Repository files a command runs, matched by path or, for paths inside an image, by name."""
    found = []
    for word in command.replace(";", " ").replace("&&", " ").split():
        word = word.strip("\"'[],")
        if "/" not in word and not word.endswith(".sh"):
            continue
        candidate = word.removeprefix("./").lstrip("/")
        if project.exists(candidate):
            found.append(candidate)
            continue
        name = candidate.rsplit("/", 1)[-1]
        if not name or name.endswith(".py"):
            continue
        found += [
            p for p in project.files if p.rsplit("/", 1)[-1] == name and project.kind(p) != "test"
        ]
    return found


def _definitions(project: Project) -> list[ProcessDefinition]:
    found = [
        ProcessDefinition("Procfile", entry.line, entry.command, "procfile", entry.name)
        for entry in project.procfile()
    ]
    for path, instructions in project.dockerfiles():
        final = max((i.stage for i in instructions), default=0)
        for instruction in instructions:
            if instruction.keyword in {"CMD", "ENTRYPOINT"} and instruction.stage == final:
                found.append(
                    ProcessDefinition(
                        path, instruction.line, instruction.command_text(), "dockerfile"
                    )
                )
    for path in project.compose_files():
        for line, command in compose_commands(project.text(path) or ""):
            found.append(ProcessDefinition(path, line, command, "compose"))
    return found


def _process_definitions(project: Project) -> list[ProcessDefinition]:
    found = _definitions(project)
    for script in project.start_scripts():
        for number, text in enumerate((project.text(script) or "").splitlines(), start=1):
            stripped = text.strip()
            if stripped and not stripped.startswith("#"):
                found.append(ProcessDefinition(script, number, stripped, "script"))
    return found


def _example_env_path(project: Project) -> str | None:
    # On disk rather than in ``files``: a committed ``.env.example`` stays in the repository
    # even when a ``.env.*`` rule of .gitignore would ignore it.
    for folder in ("", "docker/", "deploy/", "config/", ".envs/"):
        for name in ENV_EXAMPLE_NAMES:
            if (project.root / folder / name).is_file():
                return folder + name
    return None
