"""Mutations that break factor I. Codebase."""

from __future__ import annotations

from pathlib import Path

from support.mutations.edits import (
    BOTH_DATABASES,
    SETTINGS,
    SLUG,
    Mutation,
    add_setting,
    append,
    edit,
)


def _environment_branch(project: Path, framework: str) -> None:
    add_setting(project, framework, "environment")
    append(project, "example.env", "ENVIRONMENT=development\n")
    if framework == "django":
        append(
            project,
            SETTINGS,
            'if ENVIRONMENT == "production":\n    WHITENOISE_AUTOREFRESH = False\n',
        )
    else:
        append(
            project, SETTINGS, 'if settings.environment == "production":\n    print("production")\n'
        )


MUTATIONS = [
    Mutation(
        "a second settings module",
        frozenset({"codebase.one-settings"}),
        rf"{SLUG}/settings_production\.py: a second settings module beside {SLUG}/settings\.py",
        lambda p, f: (p / SLUG / "settings_production.py").write_text(
            f"from {SLUG}.settings import *  # noqa: F403\n\nDEBUG = False\n"
        ),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "DJANGO_SETTINGS_MODULE chosen per environment",
        frozenset({"codebase.settings-switch"}),
        r"Dockerfile:\d+: chooses DJANGO_SETTINGS_MODULE per environment",
        lambda p, f: edit(
            p,
            "Dockerfile",
            "USER 10001",
            f"ENV DJANGO_SETTINGS_MODULE={SLUG}.settings_production\nUSER 10001",
        ),
        frameworks=("django",),
    ),
    Mutation(
        "settings branch on the environment's name",
        frozenset({"codebase.environment-branch"}),
        rf"{SLUG}/settings\.py:\d+: the settings branch on the environment's name \('production'\)",
        _environment_branch,
    ),
    Mutation(
        "a repository inside the repository",
        frozenset({"codebase.one-repository"}),
        r"vendor/shared/\.git: a repository inside the repository",
        lambda p, f: (p / "vendor" / "shared" / ".git").mkdir(parents=True),
    ),
    Mutation(
        "a merge conflict left in a file",
        frozenset({"codebase.conflict-markers"}),
        r"README\.md:\d+: an unresolved merge conflict; resolve it and commit the result",
        lambda p, f: append(
            p, "README.md", "<<<<<<< ours\nOur line.\n=======\nTheir line.\n>>>>>>> theirs\n"
        ),
        databases=BOTH_DATABASES,
    ),
]
