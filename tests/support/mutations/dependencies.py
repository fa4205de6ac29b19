"""Mutations that break factor II. Dependencies."""

from __future__ import annotations

from support.mutations.edits import (
    BOTH_DATABASES,
    CLIENT,
    MANAGERS,
    Mutation,
    append,
    declaring,
    drop_lines,
    edit,
)

MUTATIONS = [
    Mutation(
        "an undeclared import",
        frozenset({"dependencies.declared"}),
        rf"{CLIENT}:\d+: imports yaml, but no declared dependency provides it: add pyyaml",
        lambda p, f: edit(p, CLIENT, "import httpx\n", "import httpx\nimport yaml\n"),
        databases=BOTH_DATABASES,
        managers=MANAGERS,
    ),
    Mutation(
        "a development-only package imported at run time",
        frozenset({"dependencies.declared"}),
        rf"{CLIENT}:\d+: imports pytest, but pytest is declared for development only",
        lambda p, f: edit(p, CLIENT, "import httpx\n", "import httpx\nimport pytest\n"),
    ),
    Mutation(
        "no lock",
        frozenset({"dependencies.lock-missing"}),
        r"(uv\.lock|requirements\.txt): no .*run `make lock`",
        lambda p, f: (
            [path.unlink() for path in (p / "uv.lock", p / "requirements.txt") if path.exists()]
            and None
        ),
        databases=BOTH_DATABASES,
        managers=MANAGERS,
    ),
    Mutation(
        "a stale lock",
        frozenset({"dependencies.lock-stale"}),
        r"(pyproject\.toml:\d+: uv\.lock is stale: \[project\]\.dependencies declares "
        r"httpx>=0\.29, the lock has httpx>=0\.28"
        r"|requirements\.txt:\d+: requirements\.txt was not compiled)"
        r".*run `make lock`",
        lambda p, f: edit(p, declaring(p, "httpx>=0.28"), "httpx>=0.28", "httpx>=0.29"),
        managers=MANAGERS,
    ),
    Mutation(
        "gunicorn's worker class undeclared",
        frozenset({"dependencies.declared"}),
        r"gunicorn\.conf\.py:\d+: worker_class loads uvicorn_worker, but no run-time dependency "
        r"provides it: add uvicorn-worker",
        lambda p, f: drop_lines(p, declaring(p, "uvicorn-worker"), "uvicorn-worker"),
        managers=MANAGERS,
        frameworks=("fastapi",),
        databases=BOTH_DATABASES,
        relock=True,
    ),
    Mutation(
        "a URL with a password in the code",
        frozenset({"config.secrets"}),
        rf"{CLIENT}:\d+: a URL with a literal password",
        lambda p, f: append(
            p, CLIENT, 'ARCHIVE = "https://archive:Kp3xV9qL2m@archive.example.org/"\n'
        ),
    ),
    Mutation(
        "the image installs without the lock",
        frozenset({"dependencies.locked-install"}),
        r"Dockerfile:\d+: `uv sync` without --locked",
        lambda p, f: edit(p, "Dockerfile", "uv sync --locked", "uv sync"),
    ),
    Mutation(
        "the image installs a package outside the lock",
        frozenset({"dependencies.locked-install"}),
        r"Dockerfile:\d+: installs requests unpinned, outside the lock",
        lambda p, f: edit(
            p,
            "Dockerfile",
            "--requirement requirements.txt",
            "--requirement requirements.txt requests",
        ),
        managers=("pip",),
    ),
]
