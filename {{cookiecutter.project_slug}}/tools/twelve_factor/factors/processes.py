"""VI. Processes: stateless processes that keep nothing on the local filesystem."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ..parsers import constant_str, dotted, mentions, walk
from ..project import Project
from ..registry import check
from ..results import Finding

FILE_MODE = re.compile(r"[rwxabt+]{1,4}")
WRITE_MODE = re.compile(r"[wax+]")
WRITING_CALLS = frozenset(
    {"write_text", "write_bytes", "mkdir", "makedirs", "copyfile", "copytree", "symlink_to"}
)
HINT = re.compile(
    r"open\(|write_text|write_bytes|mkdir|makedirs|copyfile|copytree|symlink_to|shutil\.|"
    r"sqlite|shelve|dbm|MEDIA_ROOT|FileSystemStorage"
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


def _problem(node: ast.AST, is_settings: bool) -> str | None:
    if isinstance(node, ast.Call):
        callee = dotted(node.func)
        last = callee.split(".")[-1]
        if callee in {"open", "io.open"} or (
            last == "open" and isinstance(node.func, ast.Attribute) and callee != "os.open"
        ):
            mode = _open_mode(node)
            return f"opens a file for writing (mode {mode!r}) at run time" if mode else None
        if callee == "os.open" and mentions(node, re.compile(r"O_(?:WRONLY|RDWR|CREAT)")):
            return "opens a file for writing at run time"
        if last in WRITING_CALLS or callee in {"shutil.copy", "shutil.move"}:
            return f"writes to the local filesystem ({last}) at run time"
        if callee in {"sqlite3.connect", "shelve.open", "dbm.open"}:
            return "keeps state in a local database file; use a backing service"
    elif isinstance(node, ast.Import | ast.ImportFrom) and not is_settings:
        modules = (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        )
        if any(module.split(".")[0] in {"sqlite3", "shelve", "dbm"} for module in modules):
            return "keeps state in a local database file; use a backing service"
    elif isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if is_settings and any(dotted(t) == "MEDIA_ROOT" for t in targets):
            return "MEDIA_ROOT stores uploads on the container's disk; use object storage"
    elif isinstance(node, ast.Name | ast.Attribute):
        if dotted(node).split(".")[-1] == "FileSystemStorage":
            return "FileSystemStorage keeps files on the container's disk"
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value.endswith("FileSystemStorage"):
            return "FileSystemStorage keeps files on the container's disk"
        if not is_settings and "sqlite" in node.value.lower():
            return "uses SQLite, a file on the container's disk; use a backing service"
    return None


@check
def no_local_writes(project: Project) -> Iterator[Finding]:
    """No file written at run time.

    A process's disk is scratch space that the next request, the next instance or the next
    deploy does not see: uploads, caches and databases belong to backing services.
    """
    for path in project.application_python():
        if not HINT.search(project.text(path) or ""):
            continue
        tree = project.tree(path)
        if tree is None:
            continue
        is_settings = path == project.settings or path in project.settings_modules
        for node in walk(tree):
            message = _problem(node, is_settings)
            if message:
                yield Finding(message, path, getattr(node, "lineno", None))
