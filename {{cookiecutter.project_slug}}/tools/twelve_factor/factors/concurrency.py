"""VIII. Concurrency: scale out by process type; the environment sets the worker count."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ..parsers import mentions
from ..project import Project
from ..registry import check
from ..results import Finding, missing


@check
def process_types(project: Project) -> Iterator[Finding]:
    """The process types are declared.

    A Procfile (or the image's start command, a compose file, a start script) says which
    processes the app runs; with a Procfile, ``web`` is the one that serves HTTP.
    """
    entries = project.procfile()
    if project.exists("Procfile"):
        # Heroku routes HTTP to `web` only; elsewhere a server under another name serves too.
        serves = project.strict or not any(WEB.search(entry.command) for entry in entries)
        if "web" not in {entry.name for entry in entries} and serves:
            names = ", ".join(entry.name for entry in entries) or "none"
            yield Finding(f"declares no `web` process type (has: {names})", "Procfile")
        return
    if not project.process_definitions():
        yield missing(
            "no process definitions found: no Procfile, no Dockerfile CMD or ENTRYPOINT, no "
            "compose command, no start script",
            "Procfile",
        )
    elif not project.exists("Procfile") and _is_this_templates_shape(project):
        yield missing(
            "no Procfile: the process types (web, release, ...) are declared nowhere", "Procfile"
        )


WEB = re.compile(r"gunicorn|uvicorn|daphne|hypercorn|uwsgi|waitress|granian")


def _is_this_templates_shape(project: Project) -> bool:
    """A project that keeps its process types in a Procfile beside gunicorn.conf.py."""
    return project.exists("gunicorn.conf.py") and project.exists("example.env")


@check
def workers(project: Project) -> Iterator[Finding]:
    """The worker count comes from the environment.

    How many workers a container runs depends on where it runs: read ``WEB_CONCURRENCY``
    rather than fixing a number in the start command or the server's configuration.
    """
    for path, line, command in project.web_commands():
        match = re.search(r"(?:--workers|-w)[= ]\s*(\d+)\b", command)
        if match and WEB.search(command):
            yield Finding(
                f"a fixed worker count ({match.group(0)}); read WEB_CONCURRENCY", path, line
            )
    settings = project.gunicorn_settings()
    where = project.gunicorn_config() or "gunicorn.conf.py"
    statement = settings.get("workers")
    from_environment = re.compile(r"(?i)concurrency|workers|environ|getenv|cpu_count|settings")
    if (
        isinstance(statement, ast.Assign | ast.AnnAssign)
        and statement.value is not None
        and not mentions(statement.value, from_environment)
    ):
        yield Finding(
            f"workers = {ast.unparse(statement.value)} is fixed; read WEB_CONCURRENCY",
            where,
            statement.lineno,
        )


# Background job runners: each process runs several jobs at once, set by a concurrency flag.
JOB_RUNNER = re.compile(r"\b(?:procrastinate|celery)\b.*\bworker\b|\b(?:dramatiq|arq|rq worker)\b")
FIXED_CONCURRENCY = re.compile(r"(?:--concurrency|-c)[= ]\s*(\d+)\b")


@check
def worker_concurrency(project: Project) -> Iterator[Finding]:
    """A job worker's concurrency comes from the environment.

    Background workers are a process type of their own, scaled by running more of them; how
    many jobs each runs at once depends on where it runs: read ``WORKER_CONCURRENCY`` (through
    the settings) rather than fixing a number in the worker's start command.
    """
    for definition in project.process_definitions():
        match = FIXED_CONCURRENCY.search(definition.command)
        if match and JOB_RUNNER.search(definition.command):
            yield Finding(
                f"a fixed job concurrency ({match.group(0)}); read WORKER_CONCURRENCY",
                definition.path,
                definition.line,
            )


@check
def no_daemon(project: Project) -> Iterator[Finding]:
    """No daemon and no PID file.

    The process manager (the platform, the container runtime) supervises the process: it must
    stay in the foreground.
    """
    for path, line, command in project.web_commands():
        match = re.search(r"\s(?:--daemon|-D)\b|--pid[= ]", command)
        if match and WEB.search(command):
            yield Finding(
                f"daemonizes or writes a PID file ({match.group(0).strip()}); let the process "
                "manager supervise the process",
                path,
                line,
            )
    settings = project.gunicorn_settings()
    where = project.gunicorn_config() or "gunicorn.conf.py"
    for name in ("daemon", "pidfile"):
        statement = settings.get(name)
        if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
            value = statement.value
            if not (isinstance(value, ast.Constant) and value.value in {None, False}):
                yield Finding(
                    f"{name} = {ast.unparse(value)}: let the process manager supervise the process",
                    where,
                    statement.lineno,
                )
