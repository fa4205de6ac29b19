"""The checker on repositories this template did not generate.

Each fixture is distilled from what the field test (docs/checker-field-test.md) found on public
Python web services: the layouts and conventions they use, the false positives the checker had
on them and the violations it must keep finding. Each asserts one check id's findings.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from generation.checker import PACKAGE_DIR, TEMPLATE_DIR, twelve_factor
from twelve_factor.options import OptionsError

# A real-looking private key header, assembled so that no key-shaped text is committed here.
PRIVATE_KEY = (
    "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA " + "PRIVATE KEY-----"
)


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def findings(root: Path, check: str, *, strict: bool = False) -> list[str]:
    card = twelve_factor.check_project(root, strict=strict)
    return [f.evidence() for f in card.findings() if f.check == check and f.reason is None]


# --- II. Dependencies: where any repository declares them ----------------------------------


def test_requirements_includes_are_followed_and_undeclared_packages_grouped(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "requirements.txt": "-r requirements/base.txt\n",
            "requirements/base.txt": "Django==5.2.1\n",
            "requirements/dev.txt": "-r base.txt\npytest==8.3.0\n",
            "app/__init__.py": "",
            "app/views.py": "import django\nimport yaml\n",
            "app/models.py": "from yaml import safe_load\n",
            "app/forms.py": "import yaml\n",
        },
    )

    assert findings(tmp_path, "dependencies.declared") == [
        "app/forms.py:1: imports yaml, but no declared dependency provides it: add pyyaml to "
        "requirements.txt (3 imports; this is the first)"
    ]
    assert findings(tmp_path, "dependencies.lock-missing") == []  # every line pinned with ==


def test_a_development_requirements_file_does_not_serve_the_image(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "requirements/base.txt": "flask==3.1.0\n",
            "requirements/dev.txt": "-r base.txt\nfactory-boy==3.3.1\n",
            "app/__init__.py": "import flask\nimport factory\n",
            "tests/test_app.py": "import factory\n",
        },
    )

    assert findings(tmp_path, "dependencies.declared") == [
        "app/__init__.py:2: imports factory, but factory-boy is declared for development only; "
        "the image installs requirements/base.txt alone: declare it there"
    ]


def test_unpinned_requirements_without_a_lock(tmp_path: Path) -> None:
    write(tmp_path, {"requirements/base.txt": "Django>=6.0,<6.1\nwagtail>=7\n", "app.py": ""})

    assert findings(tmp_path, "dependencies.lock-missing") == [
        "requirements/base.txt:1: 2 requirement(s) are not pinned with == (first: "
        "Django>=6.0,<6.1) and no lock file pins them: compile the requirements into a lock "
        "(pip-tools, uv)"
    ]


def test_poetry_declares_and_poetry_lock_pins(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": """\
                [tool.poetry]
                name = "svc"
                [tool.poetry.dependencies]
                python = "^3.12"
                fastapi = "^0.115"
                [tool.poetry.group.dev.dependencies]
                pytest = "^8"
                """,
            "svc/__init__.py": "import fastapi\nimport pydantic\n",
            "tests/test_svc.py": "import pytest\n",
        },
    )

    assert findings(tmp_path, "dependencies.declared") == []  # pydantic comes with fastapi
    assert findings(tmp_path, "dependencies.lock-missing") == [
        "poetry.lock: no poetry.lock: nothing pins what pyproject.toml declares; run `make lock` "
        "(poetry lock) and commit it"
    ]


def test_an_unpinned_install_in_the_image_is_one_finding(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "requirements.txt": "flask==3.1.0\n",
            "Dockerfile": (
                "FROM python:3.12-slim\nRUN pip install --upgrade pip && "
                "pip install -r requirements.txt && pip install gunicorn pymysql /wheels/*\n"
            ),
        },
    )

    assert findings(tmp_path, "dependencies.locked-install") == [
        "Dockerfile:2: installs gunicorn, pymysql unpinned, outside the lock"
    ]


# --- III. Config ----------------------------------------------------------------------------


def test_other_example_env_names_and_grouped_gaps(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".env.example": "SECRET_KEY=change-me\nSTALE_SETTING=1\nPOSTGRES_PASSWORD=postgres\n",
            "svc/__init__.py": "",
            "svc/settings.py": """\
                import os

                def envbool(name, default):
                    return os.getenv(name, default) == "true"

                SECRET_KEY = os.environ["SECRET_KEY"]
                DEBUG = envbool("DEBUG", "false")
                SENTRY_DSN = os.getenv("SENTRY_DSN")
                """,
        },
    )

    assert findings(tmp_path, "config.example-env") == [
        "svc/settings.py:7: reads 2 variables that .env.example does not list (DEBUG, SENTRY_DSN); "
        "the first here",
        ".env.example:2: lists STALE_SETTING, which the settings never read",
    ]


def test_labels_translations_and_test_material_are_not_secrets(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "shop"\n',
            "shop/__init__.py": "",
            "shop/error_codes.py": (
                'INVALID_PASSWORD = "invalid_password"\nJWT_TOKEN = "jwt_token"\n'
            ),
            "shop/views.py": 'ctx = {"email_password_status": "success", "password": "Passwort"}\n',
            "frontend/lang/de-DE.json": '{"password": "Passwort", "api-token": "API-Schluessel"}\n',
            "compose.yaml": "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: shop\n",
            "tests/conftest.py": f"KEY = '''{PRIVATE_KEY}'''\n",
            "tests/data/page.html": "<script>var k = 'AKIAQ3EGRJPXLM4ZT7WB';</script>\n",
            "shop/settings.py": 'DATABASE_URL = "postgres://shop:shop@localhost:5432/shop"\n',
        },
    )

    assert findings(tmp_path, "config.secrets") == []


def test_a_real_secret_in_the_settings_is_still_found(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "svc/__init__.py": "",
            "svc/settings.py": 'SECRET_KEY = "c6u0-9c!7nilj_ysatsda0(f@e_2mws2f!6m0n"\n',
        },
    )

    assert findings(tmp_path, "config.secrets") == [
        "svc/settings.py:1: a literal value for SECRET_KEY: read secrets from the environment"
    ]


# --- missing facts ----------------------------------------------------------------------------


def test_an_absent_convention_is_a_missing_fact_not_a_violation(tmp_path: Path) -> None:
    write(
        tmp_path,
        {".gitignore": ".env\n", "requirements.txt": "flask==3.1.0\n", "app.py": "import flask\n"},
    )

    card = twelve_factor.check_project(tmp_path)

    assert card.ok, card.render()
    statuses = {factor.number: factor.status for factor in card.factors}
    assert statuses["VIII"] == "unknown"
    [process_types] = [f for f in card.missing() if f.check == "concurrency.process-types"]
    assert process_types.message.startswith("no process definitions found")
    assert not twelve_factor.check_project(tmp_path, strict=True).ok


# --- VII, IX, X, XII on other layouts -------------------------------------------------------


def test_a_procfile_server_config_that_binds_port(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "Procfile": "web: uwsgi ./etc/uwsgi.ini\nrelease: python manage.py migrate\n",
            "etc/uwsgi.ini": "[uwsgi]\nhttp-socket=:$(PORT)\n",
            "manage.py": "",
        },
    )

    assert findings(tmp_path, "port-binding.env-port") == []


def test_common_health_routes_count_as_probes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "svc/__init__.py": "",
            "svc/settings.py": "",
            "svc/urls.py": 'urlpatterns = [path("health/", live), path("ready/", ready)]\n',
        },
    )

    assert findings(tmp_path, "disposability.probes") == []


def test_a_probe_wrapped_around_the_app_is_a_liveness_route(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "svc/__init__.py": "",
            "svc/settings.py": "",
            "svc/asgi.py": 'application = health_check(get_asgi_application(), "/health/")\n',
        },
    )

    assert findings(tmp_path, "disposability.probes") == [
        "svc/: no /readyz route: no readiness (/readyz) probe found to start and stop instances "
        "safely"
    ]


def test_flask_config_module_is_the_settings(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "config.py": (
                "import os\n\nclass Config:\n    SQLALCHEMY_DATABASE_URI = os.environ.get("
                "'DATABASE_URL') or 'sqlite:///app.db'\n"
            ),
            "app/__init__.py": "",
        },
    )

    assert findings(tmp_path, "parity.no-sqlite") == [
        "config.py:4: the settings use SQLite ('sqlite:///app.db'); run the same database as "
        "production"
    ]


def test_an_entrypoint_script_that_migrates_at_every_start(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "Dockerfile": (
                "FROM python:3.12-slim\nCOPY docker-entrypoint.sh /\n"
                'ENTRYPOINT ["/docker-entrypoint.sh"]\nCMD ["gunicorn", "app:app"]\n'
            ),
            "docker-entrypoint.sh": '#!/bin/sh\npython manage.py migrate --noinput\nexec "$@"\n',
            "scripts/migrate.sh": "#!/bin/sh\npython manage.py migrate\n",  # a one-off
            "compose.yaml": (
                "services:\n  migrate:\n    command: python manage.py migrate\n"
                "  web:\n    command: sh -c 'python manage.py migrate && gunicorn app:app'\n"
            ),
            "manage.py": "",
        },
    )

    assert findings(tmp_path, "admin.no-boot-migration") == [
        "compose.yaml:5: runs `manage.py migrate` outside the release one-off: migrations run once "
        "per release, never at start-up or build",
        "docker-entrypoint.sh:2: runs `manage.py migrate` outside the release one-off: migrations "
        "run once per release, never at start-up or build",
    ]


def test_management_commands_are_one_off_admin_processes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/management/commands/reset_demo.py": (
                'from django.core.management import call_command\ncall_command("migrate")\n'
                'open("dump.json", "w")\n'
            ),
        },
    )

    assert findings(tmp_path, "admin.no-boot-migration") == []
    assert findings(tmp_path, "processes.no-local-writes") == []


# --- configuration: [tool.twelve-factor] ---------------------------------------------------


def test_a_waiver_needs_a_reason_and_the_report_shows_it(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": (
                '[project]\nname = "svc"\n[tool.twelve-factor.waive]\n'
                '"processes.no-local-writes" = "uploads go to a mounted, backed-up volume"\n'
            ),
            "svc/__init__.py": "",
            "svc/uploads.py": 'open("upload.bin", "wb")\n',
        },
    )

    card = twelve_factor.check_project(tmp_path)

    [waived] = card.warnings()
    assert (waived.check, waived.reason) == (
        "processes.no-local-writes",
        "uploads go to a mounted, backed-up volume",
    )
    assert "waived (uploads go to a mounted, backed-up volume): svc/uploads.py:1" in card.render()
    assert {f.number: f.status for f in card.factors}["VI"] == "warn"


@pytest.mark.parametrize(
    ("table", "error"),
    [
        ('"processes.no-local-writes" = ""', "a waiver needs a reason"),
        ('"processes.no-local-writes" = true', "a waiver needs a reason"),
        ('"processes.no-writes" = "why"', "'processes.no-writes' is not a check id"),
    ],
)
def test_a_waiver_without_a_reason_or_of_an_unknown_check_is_an_error(
    tmp_path: Path, table: str, error: str
) -> None:
    write(tmp_path, {"pyproject.toml": f"[tool.twelve-factor.waive]\n{table}\n"})

    with pytest.raises(OptionsError, match=re.escape(error)):
        twelve_factor.check_project(tmp_path)


def test_the_command_line_reports_a_configuration_error_in_one_line(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[tool.twelve-factor]\nstrict = "yes"\n'})

    result = subprocess.run(
        [sys.executable, "-B", "-m", "twelve_factor", str(tmp_path)],
        cwd=PACKAGE_DIR.parent,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "twelve-factor: error: pyproject.toml: [tool.twelve-factor] strict = 'yes'; "
        "allowed: true or false"
    )


# --- the list of checks, wherever it is written --------------------------------------------


def test_the_package_docstring_and_the_readme_list_the_registry() -> None:
    text_table = twelve_factor.checks_table(markdown=False)
    markdown_table = twelve_factor.checks_table(markdown=True)

    assert text_table in (twelve_factor.__doc__ or "")
    assert markdown_table in (TEMPLATE_DIR / "README.md").read_text()
    assert (
        len(twelve_factor.checks()) == len(twelve_factor.REGISTRY) == len(text_table.splitlines())
    )


def test_list_prints_every_check_id(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-B", "-m", "twelve_factor", "--list", "--json"],
        cwd=PACKAGE_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
    )

    listed = json.loads(result.stdout)
    assert [item["check"] for item in listed] == [c.id for c in twelve_factor.checks()]
    assert all(item["title"] and item["explanation"] for item in listed)


def test_the_json_document_keeps_its_documented_shape(tmp_path: Path) -> None:
    write(tmp_path, {".gitignore": ".env\n", "svc/__init__.py": 'open("x", "w")\n'})

    document = json.loads(twelve_factor.check_project(tmp_path).render_json())

    assert set(document) == {
        "schema", "project", "framework", "strict", "ok", "passed", "total", "factors"
    }  # fmt: skip
    assert document["schema"] == 1
    assert [factor["factor"] for factor in document["factors"]] == [
        factor.number for factor in twelve_factor.FACTORS
    ]
    [finding] = [f for factor in document["factors"] for f in factor["findings"]][:1]
    assert set(finding) == {"check", "kind", "path", "line", "message", "waived", "reason"}


def test_a_check_needs_a_title_and_an_explanation() -> None:
    from twelve_factor.registry import check

    def undocumented(project: object) -> list[object]:
        """Only a title."""
        return []

    undocumented.__module__ = "twelve_factor.factors.logs"

    with pytest.raises(TypeError, match=r"check logs\.undocumented needs a docstring"):
        check(undocumented)  # type: ignore[arg-type]


def test_every_check_id_is_its_factor_module_and_function_name() -> None:
    for item in twelve_factor.checks():
        module = item.function.__module__.rsplit(".", 1)[-1].replace("_", "-")
        assert item.id == f"{module}.{item.function.__name__.replace('_', '-')}"
        assert item.factor.slug == module
