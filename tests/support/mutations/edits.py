"""What the mutations share: the edits they make to a generated project, and what one is.

A mutation breaks one check of the checker (a few break two, where one mistake is both) in a copy
of a generated project; tests/test_twelve_factor_mutations.py applies each and checks the
scorecard. The mutations themselves are listed per factor, in the modules beside this one.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generation.checker import twelve_factor

from support.template import CHOICES, DEFAULT_SLUG

SLUG = DEFAULT_SLUG
MANAGERS = tuple(CHOICES["dependency_manager"])
FRAMEWORKS = tuple(CHOICES["framework"])
# Every database choice: most checks read files that exist with or without a database.
BOTH_DATABASES = tuple(CHOICES["database"])

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
    frameworks: tuple[str, ...] = FRAMEWORKS
    databases: tuple[str, ...] = ("postgresql",)
    managers: tuple[str, ...] = ("uv",)
    workers: tuple[str, ...] = ("none",)
    relock: bool = False  # the mutation changes the declaration on purpose: lock it again
    answers: tuple[tuple[str, str], ...] = ()  # other answers the mutated files need

    @property
    def factors(self) -> set[str]:
        return {twelve_factor.REGISTRY[check].factor.number for check in self.checks}


KUBERNETES = (("deploy_target", "kubernetes"),)
K8S_BASE = "deploy/k8s/base"
DEPLOYMENT = f"{K8S_BASE}/deployment.yaml"
SETTINGS = f"{SLUG}/settings.py"
CLIENT = f"{SLUG}/reference_data.py"
CMD = 'CMD ["gunicorn", "--config", "gunicorn.conf.py"]'
WEB = "web: gunicorn --config gunicorn.conf.py"


def add_setting(project: Path, framework: str, name: str) -> None:
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


def declaring(project: Path, needle: str) -> str:
    """The file that declares ``needle``: pyproject.toml (uv) or a requirements*.in (pip)."""
    for candidate in ["pyproject.toml", *sorted(p.name for p in project.glob("requirements*.in"))]:
        if needle in (project / candidate).read_text():
            return candidate
    raise AssertionError(f"nothing declares {needle}")
