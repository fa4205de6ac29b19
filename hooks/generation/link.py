"""Link the new project to its template the way cruft does, so cruft works on it.

`cruft <https://cruft.github.io/cruft/>`_ keeps a project in step with its template through one
file, ``.cruft.json``: where the template lives, the commit the project was rendered from, the
answers, and the paths it must leave alone (``skip``). ``cruft create`` writes it; plain
``cookiecutter`` does not, so the post-generation hook writes the same file, byte for byte the
one ``cruft create`` would write, plus ``skip``. Then ``cruft check``, ``cruft diff`` and
``cruft update`` work on a project made with plain cookiecutter.

What cruft needs from the file, and where each value comes from:

* ``template``: something ``git clone`` accepts later, on this machine and on CI. The template as
  typed (``cookiecutter .``) is useless once the directory changes, so it is the URL of a remote
  of the template checkout when that remote holds the commit (a clone cookiecutter made from
  ``gh:owner/name`` always does), without credentials, else the checkout's absolute path.
* ``commit``: ``git rev-parse HEAD`` in the template checkout. Without git, or when the template
  is not a git checkout, there is no commit to link to and no file is written: cruft would take a
  missing commit for "up to date" and never report drift.
* ``context``: the answers without what cookiecutter adds at run time (``_output_dir``,
  ``_repo_dir``: local paths; ``_checkout``; ``_template`` as typed), in ``cookiecutter.json``
  order, with cruft's own ``_template`` and ``_commit``: the shape ``cruft update`` rewrites it
  in, so the first update changes only what moved.
* ``skip``: ``.cruft.json`` and the team-owned paths below (see ``docs/ownership.md``).

cruft runs the hooks on every render (``create``, and twice per ``update`` or ``diff`` into a
scratch directory). Those scratch re-renders must be fast, offline and quiet: their output is
compared with the project, and ``cruft diff`` prints to the same stdout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

CRUFT_FILE = ".cruft.json"
# This module is hooks/generation/link.py in the template checkout.
TEMPLATE_DIR = Path(__file__).resolve().parents[2]

# The one list of what the team owns once the project exists (``{slug}`` is the package): cruft
# never updates these paths and ``cruft diff`` leaves them out. Everything else the template
# renders is template-owned. docs/ownership.md explains each entry; tests check it agrees.
TEAM_OWNED: tuple[str, ...] = (
    "{slug}",
    "tests",
    "migrations",
    "README.md",
)
# What the team owns besides, per dependency manager: the lock, and for pip the files where the
# team declares its dependencies, so that its additions are neither drift nor a cruft conflict.
# The template's own dependency changes still reach them: the project's `make template-update`
# (tools/drift/) merges them three-way into these files and re-locks. uv's declaration is
# pyproject.toml, which the template also configures: cruft's three-way merge keeps both there.
TEAM_OWNED_BY_MANAGER: dict[str, tuple[str, ...]] = {
    "uv": ("uv.lock",),
    "pip": ("requirements.in", "requirements-dev.in", "requirements.txt", "requirements-dev.txt"),
}

# Keys cookiecutter or cruft add to the answers at run time, rather than answers.
RUN_TIME_KEYS = frozenset({"_template", "_output_dir", "_repo_dir", "_checkout", "_commit"})
GIT_TIMEOUT_SECONDS = 20


def skip_list(slug: str, manager: str) -> list[str]:
    """The ``skip`` list of ``.cruft.json``: the link itself, then the team's paths."""
    owned = (*TEAM_OWNED, *TEAM_OWNED_BY_MANAGER[manager])
    return [CRUFT_FILE, *(path.format(slug=slug) for path in owned)]


def skip_list_for(answers: Mapping[str, Any]) -> list[str]:
    return skip_list(str(answers["project_slug"]), str(answers["dependency_manager"]))


def rendered_by_cruft(answers: Mapping[str, Any]) -> bool:
    """cruft (create, diff, update) adds ``_commit`` to the answers; cookiecutter never does."""
    return "_commit" in answers


def is_cruft_rerender(project: Path, answers: Mapping[str, Any]) -> bool:
    """Whether this render is one of cruft's scratch copies for ``diff`` or ``update``.

    cruft sets no environment variable, but it renders those copies into a fresh
    ``tempfile.TemporaryDirectory()`` (``<tmp>/tmpXXXXXXXX/<slug>``) and throws them away;
    ``cruft create`` renders where it is told, like cookiecutter.
    """
    if not rendered_by_cruft(answers):
        return False
    scratch = project.resolve().parent
    return (
        scratch.name.startswith("tmp") and scratch.parent == Path(tempfile.gettempdir()).resolve()
    )


@dataclass
class Source:
    """Where cruft can find the template later, and the commit this render came from."""

    template: str
    commit: str | None
    directory: str | None = None
    notices: list[str] = field(default_factory=list)


def _git(args: Sequence[str], cwd: Path) -> str | None:
    """Output of a local git command, or None if it fails. Never touches the network."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"}
    }
    environment.update({"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def _remote_holding(template_dir: Path) -> str | None:
    """URL of a remote whose branches contain HEAD (as of the last fetch), preferring origin."""
    remotes = (_git(["remote"], template_dir) or "").split()
    refs = _git(
        ["for-each-ref", "--contains", "HEAD", "--format=%(refname:short)", "refs/remotes"],
        template_dir,
    )
    holding = {
        remote for ref in (refs or "").split() for remote in remotes if ref.startswith(f"{remote}/")
    }
    for remote in sorted(holding, key=lambda name: (name != "origin", name)):
        url = _git(["remote", "get-url", remote], template_dir)
        if url:
            return _shareable(url, template_dir)
    return None


def _shareable(url: str, template_dir: Path) -> str:
    """``url`` fit to commit: no credentials, and a relative local path made absolute."""
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    if not parts.scheme and ":" not in url and not Path(url).is_absolute():
        top = _git(["rev-parse", "--show-toplevel"], template_dir) or str(template_dir)
        return str((Path(top) / url).resolve())
    return url


def locate(template_dir: Path) -> Source:
    """Find the template's reusable location and commit, from the checkout alone (offline)."""
    template_dir = template_dir.resolve()
    if shutil.which("git") is None:
        return Source(
            str(template_dir),
            None,
            notices=[_unlinked("git is not installed, so the template commit is unknown")],
        )
    top = _git(["rev-parse", "--show-toplevel"], template_dir)
    commit = _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], template_dir)
    prefix = (_git(["rev-parse", "--show-prefix"], template_dir) or "").rstrip("/")
    if top is None or commit is None:
        reason = f"{template_dir} is not a git checkout with a commit"
        return Source(str(template_dir), None, notices=[_unlinked(reason)])
    committed = f"HEAD:{prefix}/cookiecutter.json" if prefix else "HEAD:cookiecutter.json"
    if _git(["cat-file", "-e", committed], template_dir) is None:
        reason = f"cookiecutter.json in {template_dir} is not committed in the git repository {top}"
        return Source(str(template_dir), None, notices=[_unlinked(reason)])

    source = Source(template=top, commit=commit, directory=prefix or None)
    remote = _remote_holding(template_dir)
    if remote:
        source.template = remote
    else:
        source.notices.append(
            f"Linked to the local template checkout {top}: no remote of it holds commit "
            f"{commit[:12]}, so cruft works on this machine only; once that commit is pushed, set "
            '"template" in .cruft.json to the repository URL.'
        )
    if _git(["status", "--porcelain", "--untracked-files=normal", "--", "."], template_dir):
        source.notices.append(
            f"The template checkout has uncommitted changes that commit {commit[:12]} does not "
            "contain: `make drift` will show them as changes made in the project."
        )
    return source


def _unlinked(reason: str) -> str:
    return (
        f"Not linked to the template ({reason}): no {CRUFT_FILE} written. To compare and update "
        "the project later, run `cruft link <template git URL>` in it."
    )


def _ordered_context(
    answers: Mapping[str, Any], definitions: Mapping[str, Any], source: Source
) -> dict[str, Any]:
    """The answers in ``cookiecutter.json`` order (hooks receive them sorted), as cruft writes."""
    kept = {name: value for name, value in answers.items() if name not in RUN_TIME_KEYS}
    order = [name for name in definitions if name in kept]
    order += sorted(name for name in kept if name not in definitions)
    context = {name: kept[name] for name in order}
    context["_template"] = source.template
    context["_commit"] = source.commit
    return context


def cruft_state(
    answers: Mapping[str, Any], definitions: Mapping[str, Any], source: Source
) -> dict[str, Any]:
    """The content of ``.cruft.json``, keys in cruft's order."""
    return {
        "template": source.template,
        "commit": source.commit,
        "checkout": answers.get("_checkout"),
        "context": {"cookiecutter": _ordered_context(answers, definitions, source)},
        "directory": source.directory,
        "skip": skip_list_for(answers),
    }


def dumps(state: Mapping[str, Any]) -> str:
    """Serialise exactly as cruft does, so its rewrites change only the values that moved."""
    return json.dumps(state, ensure_ascii=False, indent=2, separators=(",", ": ")) + "\n"


def link(project: Path, answers: Mapping[str, Any], template_dir: Path = TEMPLATE_DIR) -> list[str]:
    """Write ``.cruft.json`` for a project made with plain cookiecutter; return notices to print."""
    if rendered_by_cruft(answers):
        # cruft create writes .cruft.json itself, after the hooks, without a skip list.
        skip = json.dumps(skip_list_for(answers))
        return [
            f'cruft create records no skip list: add "skip": {skip} to {CRUFT_FILE} so that '
            "cruft update leaves the team's files alone (docs/ownership.md in the template)."
        ]
    source = locate(template_dir)
    if source.commit is None:
        return source.notices
    definitions = json.loads((template_dir / "cookiecutter.json").read_text(encoding="utf-8"))
    state = cruft_state(answers, definitions, source)
    (project / CRUFT_FILE).write_text(dumps(state), encoding="utf-8")
    return [
        f"Linked to the template in {CRUFT_FILE} ({source.template} at {source.commit[:12]}): "
        "`make drift` compares the project with it.",
        *source.notices,
    ]
