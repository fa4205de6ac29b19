"""A project made with plain cookiecutter follows its template with cruft, end to end, offline.

The template source is a local git repository: a copy of this checkout's files, committed as A.
Commit B then changes a template-owned file (a line of the Dockerfile) and adds a variable to
cookiecutter.json. cookiecutter, cruft and make run as separate processes, as people run them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from generation import link
from support.template import CHOICES, DEFAULT_SLUG, TEMPLATE_DIR

SLUG = DEFAULT_SLUG
CRUFT = str(Path(sys.executable).parent / "cruft")
UPDATE = ["update", "--skip-apply-ask", "--allow-untracked-files"]
# Commit B: a new variable, used by a new last line of the Dockerfile.
NEW_VARIABLE = ("maintainer_team", "platform")
TEMPLATE_LINE = 'LABEL org.opencontainers.image.vendor="{{ cookiecutter.maintainer_team }}"\n'
RENDERED_LINE = 'LABEL org.opencontainers.image.vendor="platform"'
# The team's own edits: team-owned files, a new file, and an addition to the (template-owned)
# Makefile, which cruft must merge rather than overwrite.
MAKEFILE_ADDITION = "\nteam-target: ## The team's own target\n\t@echo team\n"
# A uv stand-in: `uv run [--locked] [--only-group G] CMD...` runs CMD with the test tools, so
# that `make drift` and the workflow's steps run offline, without a lock. It records every call
# in $UV_CALLS and refuses anything else, such as `uv lock`.
UV_STAND_IN = """#!/bin/sh
[ -z "$UV_CALLS" ] || echo "$*" >> "$UV_CALLS"
[ "$1" = run ] || { echo "uv stand-in: unexpected call: uv $*" >&2; exit 2; }
shift
while [ $# -gt 0 ]; do
    case "$1" in
        --locked) shift ;;
        --only-group) shift 2 ;;
        --*) echo "uv stand-in: unexpected option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
exec "$@"
"""


@pytest.fixture(scope="module")
def template_files() -> list[str]:
    """The template as a fresh clone of this checkout would have it (uncommitted work included)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    return [name for name in listed if name and (TEMPLATE_DIR / name).is_file()]


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """No lock, a known git identity, and cookiecutter's state kept out of the home directory."""
    home = tmp_path_factory.mktemp("cookiecutter-home")
    config = home / "config.yaml"
    config.write_text(f"cookiecutters_dir: {home / 'templates'}\nreplay_dir: {home / 'replay'}\n")
    return {
        **os.environ,
        "TWELVE_FACTOR_LOCK": "0",
        "COOKIECUTTER_CONFIG": str(config),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Template Tests",
        "GIT_AUTHOR_EMAIL": "tests@example.org",
        "GIT_COMMITTER_NAME": "Template Tests",
        "GIT_COMMITTER_EMAIL": "tests@example.org",
    }


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run(environment: dict[str, str]) -> Run:
    def call(
        command: list[str], cwd: Path, check: bool = True, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            command,
            cwd=cwd,
            env={**environment, **extra_env},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
        if check and completed.returncode != 0:
            raise AssertionError(
                f"{command} exited {completed.returncode}\n{completed.stdout}\n{completed.stderr}"
            )
        return completed

    return call


class Template:
    """A template checkout in its own git repository."""

    def __init__(self, path: Path, run: Run) -> None:
        self.path = path
        self.run = run

    def commit(self, message: str) -> str:
        self.run(["git", "add", "-A"], self.path)
        self.run(["git", "commit", "-q", "--no-verify", "-m", message], self.path)
        return self.run(["git", "rev-parse", "HEAD"], self.path).stdout.strip()

    def commit_b(self) -> str:
        """Add a variable to cookiecutter.json and a Dockerfile line that uses it."""
        definitions_file = self.path / "cookiecutter.json"
        definitions = json.loads(definitions_file.read_text())
        items = list(definitions.items())
        at = list(definitions).index("__postgres_major")
        items.insert(at, NEW_VARIABLE)
        definitions_file.write_text(json.dumps(dict(items), indent=2) + "\n")
        dockerfile = self.path / "{{cookiecutter.project_slug}}" / "Dockerfile"
        dockerfile.write_text(dockerfile.read_text() + TEMPLATE_LINE)
        return self.commit("B: a maintainer_team variable, labelled in the image")


@pytest.fixture
def template(tmp_path: Path, template_files: list[str], run: Run) -> Template:
    """This checkout's template files, committed as A in a new repository."""
    path = (tmp_path / "template").resolve()
    for name in template_files:
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(TEMPLATE_DIR / name, path / name)
    run(["git", "init", "-q", "-b", "main"], path)
    made = Template(path, run)
    made.commit("A")
    return made


@pytest.fixture
def generate(run: Run) -> Callable[..., Path]:
    """Generate with plain cookiecutter, the way the README says: the template given as `.`."""

    def make(template: Template, output: Path, **answers: str) -> Path:
        command = [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(output)]
        command += [".", *(f"{name}={value}" for name, value in answers.items())]
        run(command, template.path)
        return output / answers.get("project_slug", SLUG)

    return make


@pytest.fixture
def project(tmp_path: Path, template: Template, generate: Callable[..., Path], run: Run) -> Path:
    """A project generated at A and committed as generated, in its own repository."""
    made = generate(template, tmp_path / "projects")
    run(["git", "init", "-q", "-b", "main"], made)
    run(["git", "add", "-A"], made)
    run(["git", "commit", "-q", "-m", "Generated from the template"], made)
    return made


def team_edits(project: Path, run: Run) -> dict[str, str]:
    """Edit team-owned files, add one, extend the Makefile, commit; return the edited texts."""
    (project / "README.md").write_text((project / "README.md").read_text() + "\nTeam notes.\n")
    settings = project / SLUG / "settings.py"
    settings.write_text(settings.read_text() + "\n# The team's own comment.\n")
    (project / "tests" / "test_team.py").write_text("def test_team() -> None:\n    pass\n")
    makefile = project / "Makefile"
    makefile.write_text(makefile.read_text() + MAKEFILE_ADDITION)
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-q", "-m", "The team's work"], project)
    edited = ["README.md", f"{SLUG}/settings.py", "tests/test_team.py", "Makefile"]
    return {name: (project / name).read_text() for name in edited}


def tree(root: Path) -> dict[str, tuple[bytes, bool]]:
    """Every file under ``root`` (outside .git): its bytes and whether it is executable."""
    return {
        str(path.relative_to(root)): (path.read_bytes(), os.access(path, os.X_OK))
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def changed_lines(diff: str) -> dict[str, list[str]]:
    """The added and removed lines of a diff, per file."""
    changes: dict[str, list[str]] = {}
    current = ""
    for line in diff.splitlines():
        if line.startswith("diff --git "):
            current = line.split()[-1].split("/", 1)[1]
            changes[current] = []
        elif line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
            changes[current].append(line)
    return changes


def uv_stand_in(directory: Path) -> str:
    """A PATH with the uv stand-in first, then the test environment's tools (cruft)."""
    directory.mkdir(parents=True, exist_ok=True)
    uv = directory / "uv"
    uv.write_text(UV_STAND_IN)
    uv.chmod(0o755)
    return os.pathsep.join([str(directory), str(Path(sys.executable).parent), os.environ["PATH"]])


def sections(output: str) -> dict[str, str]:
    """`make drift`'s output by section: the text under each `== heading`."""
    parts = re.split(r"^== (.*)$", output, flags=re.MULTILINE)
    pairs = zip(parts[1::2], parts[2::2], strict=True)
    return {heading.split(" (")[0]: text.strip("\n") for heading, text in pairs}


def test_plain_cookiecutter_links_the_project_for_cruft(
    template: Template, project: Path, run: Run
) -> None:
    commit_a = run(["git", "rev-parse", "HEAD"], template.path).stdout.strip()
    text = (project / ".cruft.json").read_text()
    state = json.loads(text)

    # `.` became the template's absolute path (it has no remote); nothing else is local.
    assert state["template"] == str(template.path)
    assert state["commit"] == commit_a
    assert (state["checkout"], state["directory"]) == (None, None)
    assert state["skip"] == link.skip_list(SLUG)
    answers = state["context"]["cookiecutter"]
    assert {"_output_dir", "_repo_dir", "_checkout"}.isdisjoint(answers)
    assert (answers["_template"], answers["_commit"]) == (str(template.path), commit_a)
    assert str(project.parent) not in text
    # cruft's own render of commit A is this very project.
    assert run([CRUFT, "diff", "--exit-code"], project).stdout == ""


def test_rendering_the_same_answers_twice_is_byte_identical(
    tmp_path: Path, template: Template, generate: Callable[..., Path], run: Run
) -> None:
    answers = {name: str(values[-1]) for name, values in CHOICES.items()}
    answers.update(project_name="Ledger Sync", project_slug="ledger_sync")

    first = generate(template, tmp_path / "first", **answers)
    # Again from elsewhere, naming the template by its absolute path instead of `.`.
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir"]
    command += [str(tmp_path / "second"), str(template.path)]
    run(command + [f"{name}={value}" for name, value in answers.items()], tmp_path)
    second = tmp_path / "second" / "ledger_sync"

    assert (first / ".cruft.json").is_file()
    assert tree(first) == tree(second)


def test_cruft_create_gives_the_same_project_and_locks(
    tmp_path: Path, template: Template, project: Path, run: Run
) -> None:
    calls = tmp_path / "uv-calls"
    locking = {"PATH": uv_stand_in(tmp_path / "bin"), "UV_CALLS": str(calls)}
    command = [CRUFT, "create", "--no-input", "--output-dir", "created", str(template.path)]

    created = run(command, tmp_path, TWELVE_FACTOR_LOCK="1", **locking)

    assert "cruft create records no skip list" in created.stdout
    # A first generation: it locks like cookiecutter (the stand-in refuses, so no uv.lock).
    assert calls.read_text().splitlines() == ["lock --quiet"]
    made = tmp_path / "created" / SLUG
    ours, theirs = tree(project), tree(made)
    assert ours.pop(".cruft.json") != theirs.pop(".cruft.json")
    assert ours == theirs
    # cruft's own .cruft.json is the hook's, byte for byte, but for the skip list.
    hook_state = json.loads((project / ".cruft.json").read_text())
    del hook_state["skip"]
    assert (made / ".cruft.json").read_text() == link.dumps(hook_state)


def test_drift_and_update_bring_the_template_change_and_keep_the_teams_edits(
    tmp_path: Path, template: Template, project: Path, generate: Callable[..., Path], run: Run
) -> None:
    edited = team_edits(project, run)
    commit_b = template.commit_b()
    calls = tmp_path / "uv-calls"
    # Locking is on: cruft's re-renders must not lock all the same.
    tools = {"PATH": uv_stand_in(tmp_path / "bin"), "UV_CALLS": str(calls)}
    tools["TWELVE_FACTOR_LOCK"] = "1"

    # make drift: cruft diff, then cruft check, which fails, then cruft diff against B.
    drift = run(["make", "drift"], project, check=False, **tools)

    assert drift.returncode != 0
    found = sections(drift.stdout)
    assert list(found) == [
        "Template-owned files against a pristine render of the linked template commit",
        "Template updates since the linked commit:",
        "Template-owned files against the template's latest commit",
    ]
    # The third section only appears when `cruft check` exits non-zero.
    here, check, latest = found.values()
    # Against its linked commit, the project differs only by the team's template-owned edit
    # (team-owned files are skipped); against B, also by exactly B's change. The hooks of
    # cruft's re-renders print nothing into the diffs.
    makefile_change = [f"-{line}" for line in MAKEFILE_ADDITION.splitlines()]
    assert here.startswith("diff --git ") and latest.startswith("diff --git ")
    assert changed_lines(here) == {"Makefile": makefile_change}
    assert "out of date" in check
    assert changed_lines(latest) == {
        "Dockerfile": [f"+{RENDERED_LINE}"],
        "Makefile": makefile_change,
    }

    update = run([CRUFT, *UPDATE], project, **tools)

    assert "conflict" not in (update.stdout + update.stderr).lower()
    assert not list(project.rglob("*.rej"))
    status = run(["git", "status", "--porcelain"], project).stdout.splitlines()
    assert sorted(line[3:] for line in status) == [".cruft.json", "Dockerfile"]
    assert {name: (project / name).read_text() for name in edited} == edited
    # Every template-owned file is now what B renders, but for the team's Makefile addition.
    pristine_b = tree(generate(template, tmp_path / "pristine-b"))
    updated = tree(project)
    for name in link.skip_list(SLUG):
        for files in (pristine_b, updated):
            for path in [path for path in files if path == name or path.startswith(f"{name}/")]:
                del files[path]
    makefile = updated.pop("Makefile")[0].decode()
    assert makefile == pristine_b.pop("Makefile")[0].decode() + MAKEFILE_ADDITION
    assert updated == pristine_b

    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == commit_b
    assert state["context"]["cookiecutter"][NEW_VARIABLE[0]] == NEW_VARIABLE[1]
    assert state["skip"] == link.skip_list(SLUG)
    assert run([CRUFT, "check"], project).returncode == 0
    # Four re-renders (two for the diffs, two for the update), and not one lock.
    assert [call for call in calls.read_text().splitlines() if not call.startswith("run ")] == []


def test_a_conflicting_edit_is_reported_and_nothing_is_lost(
    tmp_path: Path, template: Template, project: Path, run: Run
) -> None:
    """cruft update with a conflict, run by the workflow's own steps, as GitHub runs them."""
    workflow = yaml.safe_load((project / ".github/workflows/template-update.yml").read_text())
    steps = {
        step["id"]: step["run"] for step in workflow["jobs"]["update"]["steps"] if "id" in step
    }
    team_line = 'LABEL org.opencontainers.image.vendor="payments"'
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + team_line + "\n")
    run(["git", "commit", "-q", "-am", "Our own label"], project)
    template.commit_b()
    outputs, runner_temp = tmp_path / "github-output", tmp_path / "runner-temp"
    runner_temp.mkdir()
    github = {
        "PATH": uv_stand_in(tmp_path / "bin"),
        "GITHUB_OUTPUT": str(outputs),
        "RUNNER_TEMP": str(runner_temp),
    }
    bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]

    run([*bash, steps["check"]], project, **github)
    update = run([*bash, steps["update"]], project, **github)

    # cruft passes on git's report of the conflict.
    assert "Applied patch to 'Dockerfile' with conflicts" in update.stderr
    assert "U Dockerfile" in update.stderr
    # Both sides are kept, nothing is half-applied elsewhere, no .rej file.
    text = dockerfile.read_text()
    assert "<<<<<<<" in text and ">>>>>>>" in text
    assert team_line in text and RENDERED_LINE in text
    assert run(["git", "status", "--porcelain"], project).stdout.split() == [
        "M",
        ".cruft.json",
        "M",
        "Dockerfile",
    ]
    assert not list(project.rglob("*.rej"))
    # The pull request is a draft whose description names the file.
    assert outputs.read_text().splitlines() == ["outdated=true", "conflicts=true"]
    body = (runner_temp / "template-update.md").read_text()
    assert "- `Dockerfile`: conflict markers" in body


def test_template_update_workflow_is_pinned_and_least_privilege(
    rendered: Callable[[dict[str, Any]], Path],
) -> None:
    project = rendered({name: values[0] for name, values in CHOICES.items()})
    text = (project / ".github/workflows/template-update.yml").read_text()
    workflow = yaml.safe_load(text)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    job = workflow["jobs"]["update"]
    steps = job["steps"]

    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    assert workflow["permissions"] == {}
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert job["timeout-minutes"] <= 30 and workflow["concurrency"]["group"]
    uses_lines = [line for line in text.splitlines() if "uses:" in line]
    assert uses_lines and all(
        re.search(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d", line) for line in uses_lines
    )
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    assert all("${{" not in step.get("run", "") for step in steps)
    # The update step runs `make template-update`, whose recipe is the exact command the tests
    # above exercise.
    assert "make template-update" in next(s["run"] for s in steps if s.get("id") == "update")
    makefile = (project / "Makefile").read_text()
    recipe = makefile.split("\ntemplate-update:", 1)[1].split("\n\n", 1)[0]
    assert f"cruft {' '.join(UPDATE)}" in recipe


# --- docs/ownership.md agrees with the skip list and classifies every generated file --------

OWNERSHIP = (TEMPLATE_DIR / "docs" / "ownership.md").read_text()


def table_paths(heading: str) -> list[str]:
    """The backquoted paths in the first column of the table under ``heading``."""
    section = OWNERSHIP.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [path for row in rows for path in re.findall(r"`([^`]+)`", row.split("|")[1])]


def as_pattern(path: str) -> str:
    return path.replace("<slug>", "{slug}").rstrip("/")


def test_ownership_doc_lists_exactly_the_skip_list() -> None:
    assert [as_pattern(path) for path in table_paths("The team owns")] == list(link.TEAM_OWNED)
    assert "docs/ownership.md" in (TEMPLATE_DIR / "README.md").read_text()


def owned_by(relative: str, entries: list[str]) -> bool:
    return any(
        relative == entry or relative.startswith(f"{entry}/")
        for entry in (as_pattern(path).format(slug=SLUG) for path in entries)
    )


@pytest.fixture(scope="module")
def every_layout(rendered: Callable[[dict[str, Any]], Path]) -> list[Path]:
    """One project per framework and database choice (the files that vary by answer)."""
    defaults = {name: values[0] for name, values in CHOICES.items()}
    return [
        rendered({**defaults, "framework": framework, "database": database})
        for framework in CHOICES["framework"]
        for database in CHOICES["database"]
    ]


def test_ownership_doc_classifies_every_generated_file(every_layout: list[Path]) -> None:
    template_owned = table_paths("The template owns")
    team_owned = table_paths("The team owns")
    unclassified = {
        str(path.relative_to(project))
        for project in every_layout
        for path in project.rglob("*")
        if path.is_file()
        and not owned_by(str(path.relative_to(project)), [*team_owned, ".cruft.json"])
        and not owned_by(str(path.relative_to(project)), template_owned)
    }
    assert not unclassified, (
        "add these generated files to docs/ownership.md (a template-owned table row) "
        f"or to link.TEAM_OWNED: {sorted(unclassified)}"
    )
