"""Mutations that break factor V. Build, release, run."""

from __future__ import annotations

from support.mutations.edits import API_KEY, BOTH_DATABASES, Mutation, edit

MUTATIONS = [
    Mutation(
        "COPY .env into the image",
        frozenset({"build.no-env-file"}),
        r"Dockerfile:\d+: copies \.env into the image",
        lambda p, f: edit(p, "Dockerfile", "COPY . .\n", "COPY . .\nCOPY .env ./\n"),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "a secret as a build argument",
        frozenset({"build.no-secret"}),
        r"Dockerfile:\d+: build argument GITHUB_TOKEN",
        lambda p, f: edit(p, "Dockerfile", "WORKDIR /app\n", "WORKDIR /app\nARG GITHUB_TOKEN\n"),
    ),
    Mutation(
        "a secret baked into the image",
        frozenset({"build.no-secret"}),
        r"Dockerfile:\d+: ENV SECRET_KEY bakes a secret into the image",
        lambda p, f: edit(p, "Dockerfile", "USER 10001", f"ENV SECRET_KEY={API_KEY}\nUSER 10001"),
    ),
]
