"""A project made with plain cookiecutter follows its template, end to end.

The template source is a local git repository: a copy of this checkout's files, committed as A.
Commit B then changes a template-owned file (a line of the Dockerfile), adds a file
(.editorconfig) and adds a variable to cookiecutter.json; other commits change a dependency.
cookiecutter, cruft, git and make run as separate processes, as people run them; only the tests
marked integration reach the package index (to lock).
"""

from __future__ import annotations

import itertools
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
from support.template import CHOICES, DEFAULT_SLUG, DEFAULTS, TEMPLATE_DIR

SLUG = DEFAULT_SLUG
CRUFT = str(Path(sys.executable).parent / "cruft")
UPDATE = ["update", "--skip-apply-ask", "--allow-untracked-files"]
# Commit B: a new variable, used by a new last line of the Dockerfile.
NEW_VARIABLE = ("maintainer_team", "platform")
TEMPLATE_LINE = 'LABEL org.opencontainers.image.vendor="{{ cookiecutter.maintainer_team }}"\n'
RENDERED_LINE = 'LABEL org.opencontainers.image.vendor="platform"'
# Commit B also adds a file the project does not have yet.
ADDED_FILE = (".editorconfig", "root = true\n")
MANAGERS = CHOICES["dependency_manager"]
# A template-side dependency change: a tighter bound on a runtime dependency.
DEPENDENCY_CHANGE = ('"httpx>=0.28"', '"httpx>=0.28.1"')
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
        name, text = ADDED_FILE
        (self.path / "{{cookiecutter.project_slug}}" / name).write_text(text)
        return self.commit("B: a maintainer_team variable, labelled in the image; .editorconfig")

    def change_a_dependency(self) -> str:
        """Tighten the bound of a runtime dependency, for both dependency managers."""
        dependencies = self.path / "templates" / "dependencies.jinja"
        text = dependencies.read_text()
        assert DEPENDENCY_CHANGE[0] in text, "the dependency list moved: update DEPENDENCY_CHANGE"
        dependencies.write_text(text.replace(*DEPENDENCY_CHANGE))
        return self.commit("C: httpx>=0.28.1")


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


def commit_generated(made: Path, run: Run) -> Path:
    """Put a freshly generated project under git, as generated."""
    run(["git", "init", "-q", "-b", "main"], made)
    run(["git", "add", "-A"], made)
    run(["git", "commit", "-q", "-m", "Generated from the template"], made)
    return made


@pytest.fixture
def project(tmp_path: Path, template: Template, generate: Callable[..., Path], run: Run) -> Path:
    """A project generated at A and committed as generated, in its own repository."""
    return commit_generated(generate(template, tmp_path / "projects"), run)


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


def sections(output: str) -> dict[str, tuple[str, str]]:
    """`make drift`'s output by part, ``(a)``...: its heading and the text under it."""
    parts = re.split(r"^== (.*)$", output, flags=re.MULTILINE)
    pairs = zip(parts[1::2], parts[2::2], strict=True)
    return {heading.split(" ", 1)[0]: (heading, text.strip("\n")) for heading, text in pairs}


def short(commit: str) -> str:
    return commit[:7]


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
    assert state["skip"] == link.skip_list(SLUG, DEFAULTS["dependency_manager"])
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


@pytest.mark.parametrize("manager", MANAGERS, ids=lambda value: f"dependency_manager={value}")
def test_make_drift_tells_the_three_stories_apart(
    tmp_path: Path, template: Template, generate: Callable[..., Path], run: Run, manager: str
) -> None:
    project = commit_generated(
        generate(template, tmp_path / "projects", dependency_manager=manager), run
    )
    commit_a = json.loads((project / ".cruft.json").read_text())["commit"]
    team_edits(project, run)
    # The team deletes a template file and, with pip, declares a dependency of its own.
    (project / ".hadolint.yaml").unlink()
    if manager == "pip":
        requirements = project / "requirements.in"
        requirements.write_text(requirements.read_text() + "idna>=3\n")
    run(["git", "commit", "-q", "-am", "More of the team's work"], project)
    commit_b = template.commit_b()

    drift = run(["make", "drift"], project, check=False)

    assert drift.returncode != 0, "make drift passes while the template is ahead"
    parts = sections(drift.stdout)
    assert list(parts) == ["(a)", "(b)", "(c)"]
    linked, latest = f"template@{short(commit_a)}/", f"template@{short(commit_b)}/"
    assert parts["(a)"][0].endswith(f"{linked} -> project/")
    assert parts["(b)"][0].endswith(f"{linked} -> {latest}")
    # (a) the team's changes to template-owned files, its deletion included; nothing of B, and
    # nothing team-owned (README, the package, pip's requirements.in).
    yours = parts["(a)"][1]
    hadolint = (template.path / "{{cookiecutter.project_slug}}" / ".hadolint.yaml").read_text()
    assert changed_lines(yours) == {
        ".hadolint.yaml": [f"-{line}" for line in hadolint.splitlines()],
        "Makefile": [f"+{line}" for line in MAKEFILE_ADDITION.splitlines()],
    }
    assert f"diff --git {linked}Makefile project/Makefile" in yours
    assert "Template files you deleted: .hadolint.yaml" in yours
    # (b) exactly B: the Dockerfile line and the added file, with the new question's default.
    template_side = parts["(b)"][1]
    assert changed_lines(template_side) == {
        ".editorconfig": [f"+{line}" for line in ADDED_FILE[1].splitlines()],
        "Dockerfile": [f"+{RENDERED_LINE}"],
    }
    assert f"diff --git {linked}Dockerfile {latest}Dockerfile" in template_side
    assert "Files the template added: .editorconfig" in template_side
    assert "New question maintainer_team: takes 'platform' (default 'platform')" in template_side
    # (c) what an update would do with each of B's files.
    assert parts["(c)"][1].splitlines() == [".editorconfig: added", "Dockerfile: updated"]


def test_make_drift_forecasts_a_conflict(template: Template, project: Path, run: Run) -> None:
    dockerfile = project / "Dockerfile"
    lines = dockerfile.read_text().splitlines(keepends=True)
    # One edit next to B's new last line (a conflict), none elsewhere in it.
    dockerfile.write_text("".join(lines) + 'LABEL org.opencontainers.image.vendor="payments"\n')
    run(["git", "commit", "-q", "-am", "Our own label"], project)
    template.commit_b()

    forecast = sections(run(["make", "drift"], project, check=False).stdout)["(c)"][1]

    assert "Dockerfile: conflict: your changes and the template's overlap" in forecast
    assert ".editorconfig: added" in forecast


def test_template_update_keeps_the_teams_edits_and_lists_the_new_question(
    tmp_path: Path, template: Template, project: Path, generate: Callable[..., Path], run: Run
) -> None:
    edited = team_edits(project, run)
    commit_b = template.commit_b()
    calls = tmp_path / "uv-calls"
    # Locking is on: cruft's re-renders must not lock all the same, nor the update (B changes
    # no dependency); the uv stand-in refuses `uv lock`.
    tools = {"PATH": uv_stand_in(tmp_path / "bin"), "UV_CALLS": str(calls)}
    tools["TWELVE_FACTOR_LOCK"] = "1"
    summary = tmp_path / "summary.md"

    update = run(["make", "template-update", f"SUMMARY={summary}"], project, **tools)

    assert "conflict" not in (update.stdout + update.stderr).lower()
    assert not list(project.rglob("*.rej"))
    status = run(["git", "status", "--porcelain"], project).stdout.splitlines()
    assert sorted(line[3:] for line in status) == [".cruft.json", ".editorconfig", "Dockerfile"]
    assert {name: (project / name).read_text() for name in edited} == edited
    # Every template-owned file is now what B renders, but for the team's Makefile addition.
    pristine_b = tree(generate(template, tmp_path / "pristine-b"))
    updated = tree(project)
    for name in link.skip_list(SLUG, DEFAULTS["dependency_manager"]):
        for files in (pristine_b, updated):
            for path in [path for path in files if path == name or path.startswith(f"{name}/")]:
                del files[path]
    makefile = updated.pop("Makefile")[0].decode()
    assert makefile == pristine_b.pop("Makefile")[0].decode() + MAKEFILE_ADDITION
    assert updated == pristine_b

    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == commit_b
    assert state["context"]["cookiecutter"][NEW_VARIABLE[0]] == NEW_VARIABLE[1]
    assert state["skip"] == link.skip_list(SLUG, DEFAULTS["dependency_manager"])
    assert run([CRUFT, "check"], project).returncode == 0
    # The new question, the value it took and how to change it: on screen and in the summary.
    taken = "- New question `maintainer_team` took its default: `platform`. To answer otherwise: "
    taken += """`cruft update --variables-to-update '{"maintainer_team": "<answer>"}'`"""
    assert taken in update.stdout
    assert taken in summary.read_text()
    assert "Re-locked" not in update.stdout
    assert not calls.exists() or not calls.read_text().strip()


def test_template_update_asks_only_the_new_questions(
    tmp_path: Path, template: Template, project: Path, environment: dict[str, str]
) -> None:
    template.commit_b()

    completed = subprocess.run(
        [sys.executable, "-m", "tools.drift", "update", "--ask"],
        cwd=project,
        env=environment,
        input="payments\n",
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    # One prompt, for the one new question, with its default.
    assert completed.stdout.count("(new question") == 1
    assert "maintainer_team (new question) [platform]: " in completed.stdout
    assert "project_name" not in completed.stdout
    state = json.loads((project / ".cruft.json").read_text())
    assert state["context"]["cookiecutter"]["maintainer_team"] == "payments"
    assert (
        'LABEL org.opencontainers.image.vendor="payments"' in (project / "Dockerfile").read_text()
    )
    assert "- New question `maintainer_team` was answered: `payments`." in completed.stdout


def add_conflicting_label(project: Path, run: Run) -> str:
    team_line = 'LABEL org.opencontainers.image.vendor="payments"'
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + team_line + "\n")
    run(["git", "commit", "-q", "-am", "Our own label"], project)
    return team_line


def test_template_update_fails_while_a_conflict_remains(
    template: Template, project: Path, run: Run
) -> None:
    team_line = add_conflicting_label(project, run)
    template.commit_b()

    update = run(["make", "template-update"], project, check=False)

    assert update.returncode != 0
    assert "- `Dockerfile`: conflict markers (unmerged in git)" in update.stdout
    assert "The lock was not refreshed: after resolving, run `make lock`" in update.stdout
    text = (project / "Dockerfile").read_text()
    assert "<<<<<<<" in text and team_line in text and RENDERED_LINE in text
    # Committed unresolved (as the draft pull request carries it), it still fails the next run,
    # though the template is now up to date.
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-q", "-m", "Merged the draft as it was"], project)
    again = run(["make", "template-update"], project, check=False)
    assert again.returncode != 0
    assert "**Resolve first**: an earlier update left conflicts." in again.stdout
    assert "- `Dockerfile`: conflict markers from line " in again.stdout


def test_the_workflow_commits_a_conflict_into_a_draft_pull_request(
    tmp_path: Path, template: Template, project: Path, run: Run
) -> None:
    """The update with a conflict, run by the workflow's own steps, as GitHub runs them."""
    workflow = yaml.safe_load((project / ".github/workflows/template-update.yml").read_text())
    steps = {
        step["id"]: step["run"] for step in workflow["jobs"]["update"]["steps"] if "id" in step
    }
    team_line = add_conflicting_label(project, run)
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

    # cruft passes on git's report of the conflict; make fails, the step carries on.
    assert "Applied patch to 'Dockerfile' with conflicts" in update.stderr
    assert "template-update] Error 1" in update.stderr
    # Both sides are kept and staged for the pull request's commit, nothing half-applied
    # elsewhere, no .rej file.
    text = (project / "Dockerfile").read_text()
    assert "<<<<<<<" in text and ">>>>>>>" in text
    assert team_line in text and RENDERED_LINE in text
    assert run(["git", "status", "--porcelain"], project).stdout.splitlines() == [
        " M .cruft.json",
        "A  .editorconfig",
        "M  Dockerfile",
    ]
    assert not list(project.rglob("*.rej"))
    # The pull request is a draft whose description names the file.
    assert outputs.read_text().splitlines() == ["outdated=true", "conflicts=true"]
    body = (runner_temp / "template-update.md").read_text()
    assert "- `Dockerfile`: conflict markers (unmerged in git)" in body
    assert "**Resolve before merging**" in body


def test_the_workflow_stops_first_without_a_token_that_can_push_workflows(
    rendered: Callable[[dict[str, Any]], Path], tmp_path: Path
) -> None:
    project = rendered(DEFAULTS)
    workflow = yaml.safe_load((project / ".github/workflows/template-update.yml").read_text())
    first = workflow["jobs"]["update"]["steps"][0]
    assert first["env"] == {"TEMPLATE_UPDATE_TOKEN": "${{ secrets.TEMPLATE_UPDATE_TOKEN }}"}
    bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", first["run"]]
    environment = {"PATH": os.environ["PATH"]}

    missing = subprocess.run(bash, env=environment, capture_output=True, text=True, check=False)
    present = subprocess.run(
        bash, env={**environment, "TEMPLATE_UPDATE_TOKEN": "t"}, capture_output=True, check=False
    )

    assert missing.returncode == 1 and present.returncode == 0
    [line] = missing.stdout.splitlines()
    assert line.startswith("::error::TEMPLATE_UPDATE_TOKEN is not set")
    assert "Workflows write" in line and ".github/workflows/" in line
    create = workflow["jobs"]["update"]["steps"][-1]
    assert create["with"]["token"] == "${{ secrets.TEMPLATE_UPDATE_TOKEN }}"


def test_the_pristine_render_is_the_generated_project_byte_for_byte(
    tmp_path: Path, template: Template, project: Path, run: Run
) -> None:
    generated = tree(project)
    team_edits(project, run)
    template.commit_b()  # the linked commit is rendered, not the latest

    rendered = run(["make", "render-pristine", f"DIR={tmp_path / 'pristine'}"], project)

    assert tree(tmp_path / "pristine" / SLUG) == generated
    assert "cruft create" not in rendered.stdout + rendered.stderr
    assert "Rendered template@" in rendered.stdout
    usage = run(["make", "render-pristine"], project, check=False)
    assert usage.returncode != 0
    assert "usage: make render-pristine DIR=" in usage.stderr


def test_cookiecutter_over_the_project_shows_the_difference_in_git_diff(
    template: Template, project: Path, run: Run
) -> None:
    team_edits(project, run)
    answers = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-f"]
    command += ["--output-dir", str(project.parent), str(template.path)]
    command += [f"{name}={value}" for name, value in answers.items() if not name.startswith("_")]

    regenerated = run(command, project.parent)

    assert "template defect" not in regenerated.stdout + regenerated.stderr
    # The template's version of every file the team edited; nothing else moved.
    changed = run(["git", "diff", "--name-only"], project).stdout.split()
    assert sorted(changed) == ["Makefile", "README.md", f"{SLUG}/settings.py"]
    assert run(["git", "status", "--porcelain", "--untracked-files=all"], project).stdout.split(
        "\n"
    )[:-1] == [f" M {name}" for name in sorted(changed)]


@pytest.mark.integration
@pytest.mark.parametrize("manager", MANAGERS, ids=lambda value: f"dependency_manager={value}")
def test_an_update_that_changes_dependencies_relocks(
    tmp_path: Path, template: Template, generate: Callable[..., Path], run: Run, manager: str
) -> None:
    locking = {"TWELVE_FACTOR_LOCK": "1", "UV_PYTHON_DOWNLOADS": "never"}
    output = tmp_path / "projects"
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(output)]
    run([*command, ".", f"dependency_manager={manager}"], template.path, **locking)
    project = commit_generated(output / SLUG, run)
    # The team declares a dependency of its own where it declares them, and locks.
    if manager == "pip":
        declaration = project / "requirements.in"
        declaration.write_text(declaration.read_text() + "idna>=3\n")
    else:
        declaration = project / "pyproject.toml"
        text = declaration.read_text()
        declaration.write_text(
            text.replace("dependencies = [\n", 'dependencies = [\n    "idna>=3",\n', 1)
        )
    run(["make", "lock"], project, **locking)
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-q", "-m", "Our own dependency"], project)
    template.change_a_dependency()
    summary = tmp_path / "summary.md"

    run(["make", "template-update", f"SUMMARY={summary}"], project, **locking)

    declared = declaration.read_text()
    assert "idna>=3" in declared and DEPENDENCY_CHANGE[1].strip('"') in declared
    # The runtime lock records the new bound (pip's dev lock changes only if a pin moved).
    relocked = summary.read_text().split("Re-locked after the template's dependency changes: ")[1]
    assert ("`uv.lock`" if manager == "uv" else "`requirements.txt`") in relocked.splitlines()[0]
    if manager == "uv":
        run(["uv", "lock", "--check"], project, **locking)
    else:
        run(["make", "lock-check"], project, **locking)
    scorecard = run([sys.executable, "-m", "tools.twelve_factor", "."], project)
    assert "12/12" in scorecard.stdout


def test_template_update_workflow_is_jinja_free_pinned_and_least_privilege(
    rendered: Callable[[dict[str, Any]], Path],
) -> None:
    source = TEMPLATE_DIR / "{{cookiecutter.project_slug}}/.github/workflows/template-update.yml"
    texts = {
        manager: (
            rendered({**DEFAULTS, "dependency_manager": manager})
            / ".github/workflows/template-update.yml"
        ).read_text()
        for manager in MANAGERS
    }
    # One file for every answer, copied as it is: it calls make targets that do the right thing.
    assert set(texts.values()) == {source.read_text()}
    assert "{%" not in source.read_text()
    text = source.read_text()
    workflow = yaml.safe_load(text)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    job = workflow["jobs"]["update"]
    steps = job["steps"]

    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    assert workflow["permissions"] == {}
    # The token secret pushes and opens the pull request; the job's own token only reads.
    assert job["permissions"] == {"contents": "read"}
    assert job["timeout-minutes"] <= 30 and workflow["concurrency"]["group"]
    uses_lines = [line for line in text.splitlines() if "uses:" in line]
    assert uses_lines and all(
        re.search(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d", line) for line in uses_lines
    )
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    assert all("${{" not in step.get("run", "") for step in steps)
    assert "make template-update" in next(s["run"] for s in steps if s.get("id") == "update")
    assert "make template-check" in next(s["run"] for s in steps if s.get("id") == "check")


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
    by_manager = [path for paths in link.TEAM_OWNED_BY_MANAGER.values() for path in paths]
    assert set(link.TEAM_OWNED_BY_MANAGER) == set(MANAGERS)
    assert [as_pattern(path) for path in table_paths("The team owns")] == [
        *link.TEAM_OWNED,
        *by_manager,
    ]
    assert "docs/ownership.md" in (TEMPLATE_DIR / "README.md").read_text()


def owned_by(relative: str, entries: list[str]) -> bool:
    return any(
        relative == entry or relative.startswith(f"{entry}/")
        for entry in (as_pattern(path).format(slug=SLUG) for path in entries)
    )


# The variables whose answers change which files a project has.
LAYOUT_VARIABLES = ("framework", "database", "dependency_manager")


@pytest.fixture(scope="module")
def every_layout(rendered: Callable[[dict[str, Any]], Path]) -> list[Path]:
    """One project per combination of the answers that change which files exist."""
    return [
        rendered({**DEFAULTS, **dict(zip(LAYOUT_VARIABLES, values, strict=True))})
        for values in itertools.product(*(CHOICES[name] for name in LAYOUT_VARIABLES))
    ]


def test_each_project_skips_and_names_its_own_dependency_files(every_layout: list[Path]) -> None:
    for project in every_layout:
        state = json.loads((project / ".cruft.json").read_text())
        manager = state["context"]["cookiecutter"]["dependency_manager"]
        assert state["skip"] == link.skip_list(SLUG, manager)
        readme = (project / "README.md").read_text()
        ownership = readme.split("## Keeping up with the template", 1)[1]
        for other, paths in link.TEAM_OWNED_BY_MANAGER.items():
            for path in paths:
                assert (f"`{path}`" in ownership) == (other == manager), (manager, path)
        if manager != "uv":
            assert "uv.lock" not in readme


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
