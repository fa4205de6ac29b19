"""Run a command with the environment a local run needs.

Usage: ``python -m tools.devenv COMMAND [ARG...]``

Variables come from ``example.env``, overridden by ``.env`` if present, overridden by the real
environment: the service itself only ever reads its environment.
{%- if cookiecutter.database == "postgresql" %} When ``DATABASE_URL`` is unset, a
local PostgreSQL server (data kept in ``.devdb/``) runs for the length of the command.
{%- endif %}
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
{%- if cookiecutter.database == "postgresql" %}

from tools.local_postgres import local_postgres
{%- endif %}

PROJECT_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path: Path) -> dict[str, str]:
    """Parse ``KEY=value`` lines; blank lines and ``#`` comments are skipped."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, separator, value = line.partition("=")
        if not separator:
            raise ValueError(f"{path.name}: expected KEY=value, got {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def local_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """example.env, then .env, then the real environment, later ones winning."""
    merged = read_env_file(PROJECT_DIR / "example.env")
{%- if cookiecutter.database == "postgresql" %}
    # example.env's DATABASE_URL points at compose's database; a local run brings its own.
    del merged["DATABASE_URL"]
{%- endif %}
    dotenv = PROJECT_DIR / ".env"
    if dotenv.is_file():
        merged.update(read_env_file(dotenv))
    merged.update(environ)
    return merged


def run(command: list[str]) -> int:
    environment = local_environment(os.environ)
{%- if cookiecutter.database == "postgresql" %}
    if not environment.get("DATABASE_URL"):
        with local_postgres(PROJECT_DIR / ".devdb") as url:
            return _run(command, {**environment, "DATABASE_URL": url})
{%- endif %}
    return _run(command, environment)


def _run(command: list[str], environment: dict[str, str]) -> int:
    try:
        # The command is the developer's own, from the Makefile or the command line.
        completed = subprocess.run(command, env=environment, cwd=PROJECT_DIR, check=False)  # noqa: S603
        return completed.returncode
    except KeyboardInterrupt:  # Ctrl-C reached the child too; it has stopped.
        return 130


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(run(sys.argv[1:]))
