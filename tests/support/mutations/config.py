"""Mutations that break factor III. Config."""

from __future__ import annotations

from support.mutations.edits import (
    API_KEY,
    AWS_KEY_ID,
    BOTH_DATABASES,
    GITHUB_TOKEN,
    K8S_BASE,
    KUBERNETES,
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
        "an optional variable's commented-out line dropped from example.env",
        frozenset({"config.example-env"}),
        rf"{SLUG}/settings\.py:\d+: reads SENTRY_DSN, which example\.env does not list",
        lambda p, f: drop_lines(p, "example.env", "# SENTRY_DSN="),
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
    Mutation(
        "a Kubernetes ConfigMap missing a variable of example.env",
        frozenset({"config.k8s-variables"}),
        r"deploy/k8s/base/deployment\.yaml:\d+: Deployment web does not set LOG_LEVEL "
        r"\(example\.env lists them\)",
        lambda p, f: edit(p, f"{K8S_BASE}/config.env", "LOG_LEVEL=INFO\n", ""),
        databases=BOTH_DATABASES,
        answers=KUBERNETES,
    ),
    Mutation(
        "a Kubernetes variable example.env does not list",
        frozenset({"config.k8s-variables"}),
        r"Deployment web sets FEATURE_FLAGS, which example\.env does not list",
        lambda p, f: append(p, f"{K8S_BASE}/config.env", "FEATURE_FLAGS=beta\n"),
        answers=KUBERNETES,
    ),
    Mutation(
        "an optional variable of example.env left out of the Kubernetes ConfigMap",
        frozenset({"config.k8s-variables"}),
        r"Deployment web does not mention OTEL_SDK_DISABLED \(example\.env documents them as "
        r"optional\)",
        lambda p, f: edit(p, f"{K8S_BASE}/config.env", "# OTEL_SDK_DISABLED=true\n", ""),
        frameworks=("fastapi",),
        answers=KUBERNETES,
    ),
    Mutation(
        "a secret in the Kubernetes ConfigMap",
        frozenset({"config.k8s-secret-values"}),
        r"deploy/k8s/base/config\.env:\d+: SECRET_KEY is a secret in a ConfigMap",
        lambda p, f: append(p, f"{K8S_BASE}/config.env", "SECRET_KEY=change-me\n"),
        answers=KUBERNETES,
    ),
    Mutation(
        "a committed Kubernetes Secret with values",
        frozenset({"config.k8s-secret-values"}),
        r"deploy/k8s/base/secret\.yaml:1: Secret web carries values",
        lambda p, f: (
            (p / K8S_BASE / "secret.yaml").write_text(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web\n"
                "stringData:\n  REFERENCE_DATA_API_TOKEN: change-me\n"
            ),
            edit(
                p,
                f"{K8S_BASE}/kustomization.yaml",
                "  - service.yaml\n",
                "  - service.yaml\n  - secret.yaml\n",
            ),
        ),
        answers=KUBERNETES,
    ),
]
