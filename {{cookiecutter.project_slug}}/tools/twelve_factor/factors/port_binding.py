"""VII. Port binding: the service exports HTTP by binding the port the platform gives it."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ..parsers import mentions
from ..project import Project
from ..registry import check
from ..results import Finding, missing
from ..settings import settings_reads

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


def _release_commands(project: Project) -> list[tuple[str, int, str]]:
    """The web commands that a deploy runs: the Procfile's and the image's (compose files and
    scripts beside them are local orchestration, where a fixed port inside a container is
    mapped by the compose file itself)."""
    return [
        (path, line, command)
        for path, line, command in project.web_commands()
        if path == "Procfile" or path in project.dockerfile_paths()
    ]


@check
def env_port(project: Project) -> Iterator[Finding]:
    """The server binds the port from the environment.

    The platform says which port to bind (``PORT``); a fixed port in the start command or the
    server's configuration breaks that contract.
    """
    commands = _release_commands(project)
    for path, line, command in commands:
        if not WEB_LIKE.search(command):
            continue
        if path != "Procfile" and not project.strict:
            continue  # an image's port is mapped by whoever runs it; a Procfile's is not
        port = fixed_port(command)
        if port:
            yield Finding(f"binds a fixed port ({port}); bind $PORT", path, line)
    config = project.gunicorn_config()
    uses_gunicorn = config is not None or any("gunicorn" in command for _, _, command in commands)
    if not project.web_commands() and config is None:
        yield missing(
            "no web process found (a Procfile `web`, a Dockerfile CMD, a compose command or a "
            "start script that runs a web server)",
            "Procfile",
        )
        return
    if not uses_gunicorn:
        for path, line, command in commands:
            if path == "Procfile" and "PORT" not in command + _config_files_text(project, command):
                yield Finding("the web process does not bind $PORT", path, line)
        return
    if config is None:
        return
    settings = project.gunicorn_settings()
    bind = settings.get("bind")
    if not isinstance(bind, ast.Assign | ast.AnnAssign) or bind.value is None:
        if any("--bind" in command or "-b " in command for _, _, command in project.web_commands()):
            return
        yield Finding(
            "sets no bind: gunicorn would listen on 127.0.0.1:8000 unless PORT happens to be "
            'set; bind f"0.0.0.0:{settings.PORT}"',
            config,
        )
        return
    literals = [c.value for c in ast.walk(bind.value) if isinstance(c, ast.Constant)]
    texts = [value for value in literals if isinstance(value, str)]
    if any(re.search(r":\d+$", text) for text in texts) or not mentions(bind.value, PORT_NAME):
        yield Finding(
            f"bind does not come from the PORT setting ({ast.unparse(bind.value)})",
            config,
            bind.lineno,
        )
    if "PORT" not in settings_reads(project) and "PORT" not in (project.text(config) or ""):
        yield Finding("nothing reads PORT from the environment", project.settings or config)


def _config_files_text(project: Project, command: str) -> str:
    """The text of the repository's files that a command names (``uwsgi etc/uwsgi.ini``)."""
    words = [word.strip("\"'").removeprefix("./") for word in command.split()]
    return "\n".join(project.text(word) or "" for word in words if project.exists(word))


WEB_LIKE = re.compile(
    r"gunicorn|uvicorn|daphne|hypercorn|uwsgi|waitress|granian|runserver|flask|fastapi|--bind|"
    r"--port|:\d{2,5}\b"
)
