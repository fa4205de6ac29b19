"""XII. Admin processes: migrations and other one-off tasks run as one-off processes."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ..kubernetes import cluster
from ..parsers import constant_str, dotted, walk
from ..project import WEB_SERVERS as WEB_SERVER
from ..project import Project
from ..registry import check
from ..results import Finding, missing

MIGRATION_COMMAND = re.compile(
    r"\b(?:manage\.py|django-admin)\s+migrate\b|\balembic\b[^&;|]*\bupgrade\b|"
    r"\bflask\s+db\s+upgrade\b|\bmanage\.py\s+syncdb\b|"
    # A job queue's own schema is a migration too (procrastinate's tables and functions).
    r"\bprocrastinate\b[^&;|]*\bschema\b[^&;|]*--apply\b"
)
HINT = re.compile(r"call_command|upgrade|create_all")


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


@check
def release(project: Project) -> Iterator[Finding]:
    """A release process type for one-off admin tasks.

    With a Procfile, ``release`` is where migrations run, once per release, before traffic
    moves to the new code.
    """
    entries = project.procfile()
    if not _has_migrations(project):
        return  # nothing to run once per release
    if project.exists("Procfile"):
        if "release" not in {entry.name for entry in entries}:
            yield Finding(
                "declares no `release` process type: migrations and other one-off admin tasks "
                "need a place to run before traffic moves",
                "Procfile",
            )
    else:
        yield missing("no Procfile, so no `release` process type", "Procfile")


@check
def no_boot_migration(project: Project) -> Iterator[Finding]:
    """No migrations at start-up or build.

    Migrations run once per release as a one-off process; run from a start command, a start
    script, a compose command, the image build or start-up code, they run on every boot of
    every instance, concurrently.
    """
    for path, instructions in project.dockerfiles():
        for instruction in instructions:
            if instruction.keyword == "RUN":
                match = MIGRATION_COMMAND.search(instruction.command_text())
                if match:
                    yield _finding(match.group(0), path, instruction.line)
    boot_scripts = _boot_scripts(project)
    for definition in project.process_definitions():
        match = MIGRATION_COMMAND.search(definition.command)
        if not match or definition.name == "release":
            continue
        if definition.source == "compose" and not definition.is_web:
            continue  # a compose service that only migrates is a one-off process
        if definition.source == "script" and definition.path not in boot_scripts:
            continue  # a script that only migrates is run as a one-off
        yield _finding(match.group(0), definition.path, definition.line)
    for path in project.application_python():
        if path.rsplit("/", 1)[-1] == "manage.py" or not HINT.search(project.text(path) or ""):
            continue
        tree = project.tree(path)
        for number in _boot_migrations(tree) if tree else []:
            yield Finding(
                "migrates the database from application code: leave it to the release one-off",
                path,
                number,
            )


def _has_migrations(project: Project) -> bool:
    return project.strict or any(
        "/migrations/" in f"/{path}" or path.endswith(("alembic.ini", "manage.py"))
        for path in project.files
    )


def _finding(command: str, path: str, line: int) -> Finding:
    return Finding(
        f"runs `{command}` outside the release one-off: migrations run once per release, never "
        "at start-up or build",
        path,
        line,
    )


def _boot_scripts(project: Project) -> set[str]:
    """Start scripts that run at every start of a process: the image's CMD or ENTRYPOINT runs
    them, a non-release Procfile entry or compose command runs them, or they start a server."""
    scripts = set(project.start_scripts())
    booted: set[str] = set()
    for definition in project.process_definitions():
        if definition.source == "script" or definition.name == "release":
            continue
        booted.update(s for s in scripts if s.rsplit("/", 1)[-1] in definition.command)
    for script in scripts:
        text = project.text(script) or ""
        if WEB_SERVER.search(text) or re.search(r"exec\s+\"?\$[@*]", text):
            booted.add(script)
    return booted


@check
def k8s_release_job(project: Project) -> Iterator[Finding]:
    """Kubernetes migrates in a Job, never in the serving pods.

    A migration in a Deployment's command or init container runs on every pod start, many at
    once during a rollout; the release one-off belongs in a Job that runs once, before the
    rollout.
    """
    for workload in project.memo(cluster).serving():
        for container in workload.containers():
            command = " ".join(
                str(word)
                for word in [*(container.get("command") or []), *(container.get("args") or [])]
            )
            if MIGRATION_COMMAND.search(command):
                yield Finding(
                    f"{workload.kind} {workload.name}: container {container.get('name')} runs "
                    f"`{command}` at every pod start; run it in the release Job",
                    workload.path,
                    workload.line,
                )
