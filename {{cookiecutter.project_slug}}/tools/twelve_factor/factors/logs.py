"""XI. Logs: an event stream on stdout, routed by the platform, never a file."""

from __future__ import annotations

import ast
import configparser
import re
from collections.abc import Iterator

from ..parsers import constant_str, dotted, walk
from ..project import Project
from ..registry import check
from ..results import Finding, missing

FILE_HANDLERS = re.compile(r"(?:FileHandler|RotatingFileHandler|WatchedFileHandler)$")
ROUTING_HANDLERS = re.compile(
    r"(?:SysLogHandler|SocketHandler|DatagramHandler|HTTPHandler|SMTPHandler|NTEventLogHandler)$"
)
HINT = re.compile(r"Handler|basicConfig")


def _handler_problem(handler_class: str) -> str | None:
    if FILE_HANDLERS.search(handler_class):
        return f"{handler_class} writes logs to a file; write them to stdout"
    if ROUTING_HANDLERS.search(handler_class):
        return f"{handler_class} routes logs itself; write them to stdout for the platform"
    return None


def _line_of(text: str | None, needle: str) -> int | None:
    for number, line in enumerate((text or "").splitlines(), start=1):
        if needle in line:
            return number
    return None


def _python_handlers(
    project: Project, path: str, tree: ast.Module
) -> Iterator[tuple[Finding | None, bool]]:
    """(finding or None, whether it is a handler to stdout) for each handler in a module."""
    for node in walk(tree):
        if isinstance(node, ast.Dict):
            by_name = {
                constant_str(key): value
                for key, value in zip(node.keys, node.values, strict=True)
                if constant_str(key) is not None
            }
            handler_class = constant_str(by_name.get("class"))
            if handler_class is None or "Handler" not in handler_class:
                continue
            problem = _handler_problem(handler_class)
            if problem is None and handler_class.endswith("StreamHandler"):
                stream = constant_str(by_name.get("stream")) or "ext://sys.stderr"
                if stream != "ext://sys.stdout":
                    problem = f"a StreamHandler to {stream}; logs go to ext://sys.stdout"
                else:
                    yield None, True
            if problem:
                yield Finding(problem, path, node.lineno), False
        elif isinstance(node, ast.Call):
            callee = dotted(node.func)
            last = callee.split(".")[-1]
            problem = _handler_problem(last) if last.endswith("Handler") else None
            if last == "StreamHandler":
                if node.args and dotted(node.args[0]) in {"sys.stdout", "stdout"}:
                    yield None, True
                else:
                    problem = "a StreamHandler to stderr; logs go to sys.stdout"
            if callee.endswith("basicConfig") and any(
                keyword.arg == "filename" for keyword in node.keywords
            ):
                problem = "logging.basicConfig(filename=...) writes logs to a file"
            if problem:
                yield Finding(problem, path, node.lineno), False
        elif isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
            # A handler class passed around rather than called; a call is reported once,
            # above, with the same message.
            name = dotted(node).split(".")[-1]
            if FILE_HANDLERS.search(name):
                yield (
                    Finding(
                        f"{name} writes logs to a file; write them to stdout", path, node.lineno
                    ),
                    False,
                )


@check
def stdout(project: Project) -> Iterator[Finding]:
    """Logs are an event stream on stdout.

    The service writes its log events, unbuffered, to stdout; the platform collects and routes
    them. Log files, and handlers that ship logs themselves, lose events with the container.
    """
    to_stdout = 0
    problems = 0
    for path in project.runtime_python():
        if not HINT.search(project.text(path) or ""):
            continue
        tree = project.tree(path)
        if tree is None:
            continue
        by_message: dict[str, list[Finding]] = {}
        for finding, streams_to_stdout in _python_handlers(project, path, tree):
            to_stdout += streams_to_stdout
            if finding:
                by_message.setdefault(finding.message, []).append(finding)
        for message, same in by_message.items():  # one finding per cause and file
            problems += 1
            first = min(same, key=lambda item: item.line or 0)
            more = (
                f" ({len(same)} handlers in this file; this is the first)" if len(same) > 1 else ""
            )
            yield Finding(message + more, path, first.line)
    settings = project.gunicorn_settings()
    where = project.gunicorn_config() or "gunicorn.conf.py"
    for name in ("accesslog", "errorlog"):
        statement = settings.get(name)
        if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
            value = constant_str(statement.value)
            is_none = isinstance(statement.value, ast.Constant) and statement.value.value is None
            if not is_none and value != "-" and value is not None:
                yield Finding(
                    f'{name} = {ast.unparse(statement.value)} writes to a file; use "-" (stdout) '
                    "or None",
                    where,
                    statement.lineno,
                )
    for path, line, command in project.web_commands():
        match = re.search(r"--(?:access-logfile|error-logfile|log-file)[= ]\s*(\S+)", command)
        if match and match.group(1).strip("\"',]") not in {"-", "/dev/stdout", "/dev/stderr"}:
            yield Finding(
                f"{match.group(0)} writes logs to a file; write them to stdout", path, line
            )
    for path in project.files:
        # The server's and the app's logging files; a migration tool's own .ini configures
        # the logs of a one-off command.
        if not path.endswith(".ini") or project.kind(path) != "runtime" or "migrations/" in path:
            continue
        text = project.text(path) or ""
        if "[handler_" not in text:
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
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
                yield Finding(problem, path, _line_of(text, f"[{section}]"))
    if to_stdout == 0 and problems == 0:
        yield missing(
            "no logging configuration sends logs to stdout (a handler with stream "
            "ext://sys.stdout)",
            project.settings,
        )
