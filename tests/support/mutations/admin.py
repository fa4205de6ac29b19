"""Mutations that break factor XII. Admin processes."""

from __future__ import annotations

import json
from pathlib import Path

from support.mutations.edits import (
    BOTH_DATABASES,
    CMD,
    DEPLOYMENT,
    KUBERNETES,
    WEB,
    Mutation,
    append,
    drop_lines,
    edit,
)


def _migrate_command(framework: str) -> str:
    return "python manage.py migrate --noinput" if framework == "django" else "alembic upgrade head"


def _boot_migration(project: Path, framework: str) -> None:
    if framework == "django":
        body = (
            '    from django.core.management import call_command\n\n    call_command("migrate")\n'
        )
    else:
        body = (
            "    from alembic import command\n    from alembic.config import Config\n\n"
            '    command.upgrade(Config("alembic.ini"), "head")\n'
        )
    append(project, "gunicorn.conf.py", f"\n\ndef on_starting(server: object) -> None:\n{body}")


MUTATIONS = [
    Mutation(
        "migrations in the web process",
        frozenset({"admin.no-boot-migration"}),
        r"Procfile:1: runs `(manage\.py migrate|alembic upgrade)` outside the release one-off",
        lambda p, f: edit(
            p, "Procfile", WEB, f"web: {_migrate_command(f)} && gunicorn --config gunicorn.conf.py"
        ),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "migrations in the image's start command",
        frozenset({"admin.no-boot-migration"}),
        r"Dockerfile:\d+: runs `(manage\.py migrate|alembic upgrade)` outside the release one-off",
        lambda p, f: edit(
            p,
            "Dockerfile",
            CMD,
            f'CMD ["sh", "-c", "{_migrate_command(f)} && exec gunicorn --config gunicorn.conf.py"]',
        ),
    ),
    Mutation(
        "no release process type",
        frozenset({"admin.release"}),
        r"Procfile: declares no `release` process type",
        lambda p, f: drop_lines(p, "Procfile", "release:"),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "the job queue's schema applied when the worker starts",
        frozenset({"admin.no-boot-migration"}),
        r"Procfile:2: runs `procrastinate .*schema --apply` outside the release one-off",
        lambda p, f: edit(
            p,
            "Procfile",
            r"^worker: (python -m procrastinate --app=\S+) worker$",
            r"worker: \1 schema --apply && \1 worker",
            regex=True,
        ),
        frameworks=("fastapi",),
        workers=("procrastinate",),
    ),
    Mutation(
        "migrations when the server starts",
        frozenset({"admin.no-boot-migration"}),
        r"gunicorn\.conf\.py:\d+: migrates the database from application code",
        _boot_migration,
    ),
    Mutation(
        "migrations in an init container of the Kubernetes Deployment",
        frozenset({"admin.k8s-release-job"}),
        r"deploy/k8s/base/deployment\.yaml:\d+: Deployment web: container migrate runs "
        r"`(python manage\.py migrate --noinput|alembic upgrade head)` at every pod start",
        lambda p, f: edit(
            p,
            DEPLOYMENT,
            "      containers:\n",
            "      initContainers:\n        - name: migrate\n          image: app\n"
            f"          command: {json.dumps(_migrate_command(f).split())}\n"
            "      containers:\n",
        ),
        answers=KUBERNETES,
    ),
]
