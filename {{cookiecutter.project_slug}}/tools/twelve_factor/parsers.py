"""Small parsers: Dockerfiles, Procfiles, env files, compose commands, Python imports and trees."""

from __future__ import annotations

import ast
import functools
import json
import re
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass


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


COMMENTED_OUT_ENTRY = re.compile(r"^#\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=")


def commented_out_entries(text: str) -> list[EnvEntry]:
    """Optional variables, documented commented out: ``# OTEL_EXPORTER_OTLP_ENDPOINT=http://...``."""
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        match = COMMENTED_OUT_ENTRY.match(raw.strip())
        if match:
            entries.append(EnvEntry(match.group(1), raw.partition("=")[2].strip(), number))
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


# --- compose ------------------------------------------------------------------------------------

COMPOSE_COMMAND = re.compile(r"^(\s*)(command|entrypoint):\s*(.*)$")


def compose_commands(text: str) -> list[tuple[int, str]]:
    """(line, command) of each ``command:``/``entrypoint:`` in a compose file (a string, a flow
    list, a block list or a block scalar), without a YAML parser."""
    lines = text.splitlines()
    found: list[tuple[int, str]] = []
    for index, raw in enumerate(lines):
        match = COMPOSE_COMMAND.match(raw)
        if not match or raw.lstrip().startswith("#"):
            continue
        indent, value = len(match.group(1)), match.group(3).strip()
        if value and value[0] not in "|>":
            if value.startswith("["):
                try:
                    value = " ".join(str(word) for word in json.loads(value))
                except ValueError:
                    value = value.strip("[]").replace('"', "").replace("'", "").replace(",", " ")
            found.append((index + 1, value.strip("\"'")))
            continue
        parts = []
        for following in lines[index + 1 :]:
            stripped = following.strip()
            if stripped and len(following) - len(following.lstrip()) <= indent:
                break
            parts.append(stripped.removeprefix("- ").strip("\"'"))
        found.append((index + 1, " ".join(part for part in parts if part)))
    return found


# --- Python imports, without a syntax tree ---------------------------------------------------

IMPORT_STATEMENT = re.compile(
    r"^([ \t]*)(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b|import[ \t]+([A-Za-z_][\w., \t]*))",
    re.MULTILINE,
)
BLOCK_HEADER = re.compile(
    r"^[ \t]*(if|elif|else|try|except|finally|def|async|class|with|for|while)\b(.*)"
)
OPTIONAL_IMPORT_ERRORS = re.compile(r"ImportError|ModuleNotFoundError|Exception\b|^\s*:")


def _enclosing_headers(lines: list[str], index: int, indent: int) -> Iterator[tuple[int, str, str]]:
    """(line index, keyword, rest) of the blocks around line ``index``, innermost first."""
    for position in range(index - 1, -1, -1):
        if indent == 0:
            return
        line = lines[position]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        own = len(line) - len(line.lstrip())
        if own < indent:
            header = BLOCK_HEADER.match(line)
            if header:
                yield position, header.group(1), header.group(2)
            indent = own


def _try_handles_import_error(lines: list[str], try_index: int) -> bool:
    indent = len(lines[try_index]) - len(lines[try_index].lstrip())
    for line in lines[try_index + 1 :]:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        own = len(line) - len(line.lstrip())
        if own < indent:
            return False
        if own == indent:
            if stripped.startswith("except"):
                if OPTIONAL_IMPORT_ERRORS.search(stripped[6:]):
                    return True
                continue
            if not stripped.startswith(("else", "finally")):
                return False
    return False


def python_imports(text: str) -> Iterator[tuple[str, int, bool]]:
    """(top-level module, line, needed at run time) for each absolute import in a module.

    A regular expression finds the statements (parsing every module of a large repository would
    take seconds); indentation tells the block each is in. Imports under ``if TYPE_CHECKING:``
    are not needed at run time; imports guarded by ``try: ... except ImportError`` are optional
    and not reported.
    """
    if "import" not in text:
        return
    lines: list[str] | None = None
    index, scanned = 0, 0
    for match in IMPORT_STATEMENT.finditer(text):
        index += text.count("\n", scanned, match.start())
        scanned = match.start()
        indent = len(match.group(1).expandtabs())
        runtime, optional = True, False
        if indent:
            lines = text.splitlines() if lines is None else lines
            for position, keyword, rest in _enclosing_headers(lines, index, indent):
                if keyword in {"if", "elif"} and "TYPE_CHECKING" in rest:
                    runtime = False
                elif (keyword == "try" and _try_handles_import_error(lines, position)) or (
                    keyword == "except" and OPTIONAL_IMPORT_ERRORS.search(rest)
                ):
                    optional = True
        if optional:
            continue
        if match.group(2):
            modules = [match.group(2)]
        else:
            modules = [part.split(" as ")[0].strip() for part in match.group(3).split(",")]
        for module in modules:
            top = module.split(".")[0].strip()
            if top:
                yield top, index + 1, runtime


def third_party_imports(text: str, first_party: Collection[str]) -> Iterator[tuple[str, int, bool]]:
    """:func:`python_imports` without the standard library and the project's own modules."""
    for module, line, runtime in python_imports(text):
        if module == "__future__" or module in sys.stdlib_module_names or module in first_party:
            continue
        yield module, line, runtime


# A conflict as git writes it: an opening marker, a separator, a closing marker, in that order,
# each exactly seven characters at the start of a line (optionally followed by a label).
_CONFLICT_OPENING = re.compile(r"^<{7}(?: |$)")
_CONFLICT_SEPARATOR = re.compile(r"^={7}$")
_CONFLICT_CLOSING = re.compile(r"^>{7}(?: |$)")


def conflict_marker_lines(text: str) -> list[int]:
    """The 1-based line numbers where a complete git conflict (<<<, ===, >>>) starts."""
    found: list[int] = []
    opened: int | None = None
    separated = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _CONFLICT_OPENING.match(line):
            opened, separated = number, False
        elif opened is not None and _CONFLICT_SEPARATOR.match(line):
            separated = True
        elif opened is not None and separated and _CONFLICT_CLOSING.match(line):
            found.append(opened)
            opened, separated = None, False
    return found
