"""The settings fail fast, with one message naming every problem and no secret value."""

import os
import subprocess
import sys

from tools.devenv import PROJECT_DIR, read_env_file

REAL_SECRET = "Kq7vN2xR9pL4mW8tZ3cF6hJ1bD5gS0aYeU2iO7kT4nV9rX3wQ8"


def load_settings(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **read_env_file(PROJECT_DIR / "example.env")}
    for name, value in overrides.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, "-c", "import {{ cookiecutter.project_slug }}.settings"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_example_env_is_a_complete_configuration() -> None:
    result = load_settings()

    assert result.returncode == 0, result.stderr


def test_every_problem_is_reported_at_once() -> None:
    result = load_settings(SECRET_KEY=None, PORT="eighty", ALLOWED_HOSTS=None)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "3 environment variable(s)" in result.stderr
    for name in ("SECRET_KEY is missing", "PORT='eighty'", "ALLOWED_HOSTS is missing"):
        assert name in result.stderr


def test_placeholder_secrets_are_refused_unless_debug() -> None:
    result = load_settings(DEBUG="false")

    assert result.returncode == 1
    assert "SECRET_KEY holds a placeholder value" in result.stderr
    assert "REFERENCE_DATA_API_TOKEN holds a placeholder value" in result.stderr


def test_secret_values_never_appear_in_messages() -> None:
    result = load_settings(DEBUG="false", SECRET_KEY="short-but-secret", PORT="0")

    assert result.returncode == 1
    assert "SECRET_KEY is shorter than 50 characters" in result.stderr
    assert "short-but-secret" not in result.stderr


def test_decorated_integers_and_malformed_urls_are_refused() -> None:
    result = load_settings(
        PORT=" 8080",
        WEB_CONCURRENCY="1_0",
        REFERENCE_DATA_API_URL="https://user:pa/ss@example.org/api",
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "PORT=' 8080' is not an integer" in result.stderr
    assert "WEB_CONCURRENCY='1_0' is not an integer" in result.stderr
    assert "REFERENCE_DATA_API_URL has a user or password with reserved characters" in result.stderr
    assert "pa/ss" not in result.stderr


def test_production_values_are_accepted() -> None:
    result = load_settings(
        DEBUG="false", SECRET_KEY=REAL_SECRET, REFERENCE_DATA_API_TOKEN=REAL_SECRET
    )

    assert result.returncode == 0, result.stderr
