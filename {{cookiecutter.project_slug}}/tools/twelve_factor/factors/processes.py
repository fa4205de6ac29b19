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
        text = project.text(path) or ""
        read_only_sql = "SELECT" in text and not WRITING_SQL.search(text)
        object_storage = is_settings and _uses_object_storage(project)
        found: list[tuple[str, int | None]] = []
        for node in walk(tree):
            message = _problem(node, is_settings)
            if not message:
                continue
            if read_only_sql and "local database file" in message:
                continue  # a data file shipped in the image and only queried
            if object_storage and ("MEDIA_ROOT" in message or "FileSystemStorage" in message):
                continue  # the local default of settings that switch to object storage
            found.append((message, getattr(node, "lineno", None)))
        if found:  # one finding per file: its first write, and how many there are
            message, line = min(found, key=lambda item: item[1] or 0)
            more = (
                f" ({len(found)} places in this file; this is the first)" if len(found) > 1 else ""
            )
            yield Finding(message + more, path, line)


WRITING_SQL = re.compile(r"\b(?:INSERT|UPDATE|DELETE|CREATE|REPLACE|DROP|ALTER)\b")


def _uses_object_storage(project: Project) -> bool:
    return any(
        re.search(
            r"storages\.backends|S3Storage|S3Boto3Storage|GoogleCloudStorage|AzureStorage",
            project.text(path) or "",
        )
        for path in project.settings_modules
    )
