from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from generation import link

DEFINITIONS: dict[str, Any] = {
    "project_name": "Svc",
    "project_slug": "{{ cookiecutter.project_name.lower() }}",
    "database": ["postgresql", "none"],
    "dependency_manager": ["uv", "pip"],
    "__postgres_major": "18",
    "__prompts__": {"project_name": "Name"},
    "_extensions": ["hooks.template_extension.TemplateSupport"],
}
# As the post-generation hook receives them: cookiecutter's jsonify sorts the keys.
ANSWERS: dict[str, Any] = dict(
    sorted(
        {
            "project_name": "Svc",
            "project_slug": "svc",
            "database": "none",
            "dependency_manager": "pip",
            "__postgres_major": "18",
            "_extensions": ["hooks.template_extension.TemplateSupport"],
            "_template": ".",
            "_output_dir": "/home/someone/projects",
            "_repo_dir": ".",
            "_checkout": None,
        }.items()
    )
)


def git(cwd: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org"]
    command += ["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(
        command, cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def template_repo(root: Path, subdirectory: str = "") -> Path:
    """A git repository holding a committed cookiecutter.json (in ``subdirectory``)."""
    template = root / subdirectory
    template.mkdir(parents=True, exist_ok=True)
    (template / "cookiecutter.json").write_text(json.dumps(DEFINITIONS))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "A")
    return template


def test_skip_list_is_the_link_and_the_team_owned_paths() -> None:
    shared = [".cruft.json", "svc", "tests", "migrations", "README.md"]
    assert link.skip_list("svc", "uv") == [*shared, "uv.lock"]
    # pip: the team declares its dependencies in requirements*.in (which include the
    # template's template-requirements*.in) and locks them into requirements*.txt.
    assert link.skip_list("svc", "pip") == [
        *shared,
        "requirements.in",
        "requirements-dev.in",
        "requirements.txt",
        "requirements-dev.txt",
    ]


def test_a_directory_outside_git_is_not_linked(tmp_path: Path) -> None:
    (tmp_path / "cookiecutter.json").write_text("{}")

    source = link.locate(tmp_path)

    assert source.commit is None
    assert source.notices[0].startswith("Not linked to the template (")
    assert "cruft link" in source.notices[0]


def test_without_git_generation_goes_on_with_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = template_repo(tmp_path / "template")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no git to be found
    project = tmp_path / "svc"
    project.mkdir()

    notices = link.link(project, ANSWERS, template)

    assert notices == [link._unlinked("git is not installed, so the template commit is unknown")]
    assert not (project / ".cruft.json").exists()


def test_a_local_repository_without_remote_is_linked_by_absolute_path(tmp_path: Path) -> None:
    template = template_repo(tmp_path / "template")

    source = link.locate(template)

    assert source.template == str(template.resolve())
    assert source.commit == git(template, "rev-parse", "HEAD")
    assert source.directory is None
    assert [notice.split(":")[0] for notice in source.notices] == [
        f"Linked to the local template checkout {template.resolve()}"
    ]


def test_a_clone_is_linked_by_its_remote_url_while_the_remote_holds_the_commit(
    tmp_path: Path,
) -> None:
    upstream = template_repo(tmp_path / "upstream")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))

    source = link.locate(clone)

    assert (source.template, source.notices) == (str(upstream), [])

    (clone / "cookiecutter.json").write_text(json.dumps({**DEFINITIONS, "extra": "x"}))
    git(clone, "commit", "-qam", "unpushed")
    source = link.locate(clone)

    assert source.template == str(clone.resolve())
    assert source.commit == git(clone, "rev-parse", "HEAD")
    assert "no remote of it holds commit" in source.notices[0]


def test_a_template_in_a_subdirectory_records_the_directory(tmp_path: Path) -> None:
    template = template_repo(tmp_path / "repo", "templates/service")

    source = link.locate(template)

    assert (source.template, source.directory) == (
        str((tmp_path / "repo").resolve()),
        "templates/service",
    )


def test_uncommitted_template_changes_get_a_notice(tmp_path: Path) -> None:
    template = template_repo(tmp_path / "template")
    (template / "new-file").write_text("not committed\n")

    source = link.locate(template)

    assert source.commit is not None
    assert "uncommitted changes" in source.notices[-1]


def test_an_uncommitted_template_inside_a_repository_is_not_linked(tmp_path: Path) -> None:
    template_repo(tmp_path / "repo")
    copied = tmp_path / "repo" / "copy"
    copied.mkdir()
    (copied / "cookiecutter.json").write_text("{}")

    source = link.locate(copied)

    assert source.commit is None
    assert "is not committed" in source.notices[0]


def test_the_state_is_what_cruft_create_writes_plus_the_skip_list() -> None:
    from cruft._commands.utils.cruft import json_dumps

    source = link.Source(template="https://example.org/t.git", commit="c" * 40)

    state = link.cruft_state(ANSWERS, DEFINITIONS, source)

    # cruft create: the answers in cookiecutter.json order, then its own _template and _commit.
    assert list(state) == ["template", "commit", "checkout", "context", "directory", "skip"]
    assert state["context"]["cookiecutter"] == {
        "project_name": "Svc",
        "project_slug": "svc",
        "database": "none",
        "dependency_manager": "pip",
        "__postgres_major": "18",
        "_extensions": ["hooks.template_extension.TemplateSupport"],
        "_template": "https://example.org/t.git",
        "_commit": "c" * 40,
    }
    assert list(state["context"]["cookiecutter"])[:4] == list(DEFINITIONS)[:4]
    assert link.dumps(state) == json_dumps(state)


def test_cruft_scratch_renders_are_recognised() -> None:
    scratch = Path(tempfile.gettempdir()) / "tmpab12cd34" / "svc"
    with_commit = {**ANSWERS, "_commit": "c" * 40}

    assert link.is_cruft_rerender(scratch, with_commit)
    assert not link.is_cruft_rerender(scratch, ANSWERS)  # plain cookiecutter, wherever it writes
    assert not link.is_cruft_rerender(Path("/srv/projects/svc"), with_commit)  # cruft create


def test_under_cruft_create_the_hook_leaves_cruft_json_to_cruft(tmp_path: Path) -> None:
    notices = link.link(tmp_path, {**ANSWERS, "_commit": "c" * 40}, tmp_path)

    assert not (tmp_path / ".cruft.json").exists()
    assert json.dumps(link.skip_list("svc", "pip")) in notices[0]


def test_link_writes_cruft_json(tmp_path: Path) -> None:
    template = template_repo(tmp_path / "template")
    project = tmp_path / "svc"
    project.mkdir()

    notices = link.link(project, ANSWERS, template)

    written = json.loads((project / ".cruft.json").read_text())
    assert written["template"] == str(template.resolve())
    assert written["commit"] == written["context"]["cookiecutter"]["_commit"]
    assert written["skip"] == link.skip_list("svc", "pip")
    assert notices[0].startswith("Linked to the template in .cruft.json")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x-access-token:secret@github.com/o/t.git", "https://github.com/o/t.git"),
        ("https://github.com/o/t.git", "https://github.com/o/t.git"),
        ("git@github.com:o/t.git", "git@github.com:o/t.git"),
        ("ssh://git@example.org/o/t.git", "ssh://git@example.org/o/t.git"),
    ],
)
def test_recorded_urls_carry_no_credentials(url: str, expected: str, tmp_path: Path) -> None:
    assert link._shareable(url, tmp_path) == expected


def test_a_relative_remote_path_is_made_absolute(tmp_path: Path) -> None:
    upstream = template_repo(tmp_path / "upstream")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    git(clone, "remote", "set-url", "origin", "../upstream")

    assert link.locate(clone).template == str(upstream.resolve())
