"""Mutations that break factor III. Config."""

from __future__ import annotations

from support.mutations.edits import (
    API_KEY,
    AWS_KEY_ID,
    BOTH_DATABASES,
    GITHUB_TOKEN,
    SETTINGS,
    SLUG,
    Mutation,
    add_setting,
    append,
    drop_lines,
    edit,
)

MUTATIONS = [
    Mutation(
        "a hard-coded API key in the settings",
        frozenset({"config.secrets"}),
        rf"{SLUG}/settings\.py:\d+: a literal value for PAYMENTS_API_KEY: read secrets from the "
        "environment",
        lambda p, f: append(p, SETTINGS, f'PAYMENTS_API_KEY = "{API_KEY}"\n'),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "a real-looking GitHub token in a test",
        frozenset({"config.secrets"}),
        r"tests/test_reference_data\.py:\d+: a GitHub token in the repository",
        lambda p, f: append(p, "tests/test_reference_data.py", f'CI_TOKEN = "{GITHUB_TOKEN}"\n'),
    ),
    Mutation(
        "an AWS key id in a workflow",
        frozenset({"config.secrets"}),
        r"\.github/workflows/ci\.yml:\d+: an AWS access key id in the repository",
        lambda p, f: edit(
            p, ".github/workflows/ci.yml", "env:\n", f"env:\n  AWS_ACCESS_KEY_ID: {AWS_KEY_ID}\n"
        ),
    ),
    Mutation(
        "a real secret in example.env",
        frozenset({"config.secrets"}),
        r"example\.env:\d+: a literal value for SECRET_KEY",
        lambda p, f: edit(p, "example.env", "SECRET_KEY=change-me", f"SECRET_KEY={API_KEY}"),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "the settings read a variable example.env does not list",
        frozenset({"config.example-env"}),
        rf"{SLUG}/settings\.py:\d+: reads FEATURE_FLAGS, which example\.env does not list",
        lambda p, f: add_setting(p, f, "feature_flags"),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "example.env lists a variable nothing reads",
        frozenset({"config.example-env"}),
        r"example\.env:\d+: lists UNUSED_SETTING, which the settings never read",
        lambda p, f: append(p, "example.env", "UNUSED_SETTING=1\n"),
    ),
    Mutation(
        ".env dropped from .gitignore",
        frozenset({"config.env-ignored"}),
        r"\.gitignore: does not ignore \.env, \.env\.production, deploy/\.env",
        lambda p, f: drop_lines(p, ".gitignore", ".env"),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "a negation in .gitignore lets one .env in",
        frozenset({"config.env-ignored"}),
        r"\.gitignore:\d+: does not ignore deploy/\.env:",
        lambda p, f: append(p, ".gitignore", "!deploy/.env\n"),
    ),
    Mutation(
        ".env dropped from .dockerignore (so COPY . . copies it)",
        frozenset({"config.env-ignored", "build.no-env-file"}),
        r"III: \.dockerignore: does not ignore \.env.*\nV: Dockerfile:\d+: `COPY \. \.` would copy "
        r"\.env into the image",
        lambda p, f: drop_lines(p, ".dockerignore", ".env"),
    ),
]
