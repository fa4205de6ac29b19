from __future__ import annotations

from pathlib import Path

import pytest
from generation import layout, output_checks
from generation.errors import GenerationError


def make_tree(root: Path, files: list[str]) -> None:
    for relative in files:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(relative)


ANSWERS = {"framework": "django", "database": "none", "project_slug": "svc", "_template": "x"}


def test_the_chosen_alternative_is_merged_and_the_others_dropped(tmp_path: Path) -> None:
    make_tree(tmp_path, ["shared.txt", "_framework/django/manage.py", "_framework/other/x.py"])

    layout.resolve(tmp_path, layout.choices(ANSWERS), tmp_path)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["manage.py", "shared.txt"]


def test_nested_alternatives_apply_only_where_both_answers_hold(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        [
            "_framework/django/_database/none/svc/urls.py",
            "_framework/django/_database/postgresql/svc/items/models.py",
            "_framework/fastapi/_database/none/svc/main.py",
            "_database/none/compose.yaml",
            "_database/postgresql/tools/local_postgres.py",
        ],
    )

    layout.resolve(tmp_path, layout.choices(ANSWERS), tmp_path)

    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert files == ["compose.yaml", "svc/urls.py"]
    assert layout.leftovers(tmp_path, ANSWERS) == []


def test_alternatives_merge_into_the_directory_that_holds_them(tmp_path: Path) -> None:
    make_tree(tmp_path, ["svc/_database/none/views.py", "svc/shared.py"])

    layout.resolve(tmp_path, layout.choices(ANSWERS), tmp_path)

    assert sorted(p.name for p in (tmp_path / "svc").iterdir()) == ["shared.py", "views.py"]


def test_a_file_from_two_places_is_a_template_defect(tmp_path: Path) -> None:
    make_tree(tmp_path, ["manage.py", "_framework/django/manage.py"])

    with pytest.raises(GenerationError, match=r"manage\.py comes both from _framework/django"):
        layout.resolve(tmp_path, layout.choices(ANSWERS), tmp_path)


def test_a_choice_that_brings_no_files_leaves_nothing_behind(tmp_path: Path) -> None:
    make_tree(tmp_path, ["shared.txt", "_database/postgresql/tools/local_postgres.py"])

    layout.resolve(tmp_path, layout.choices(ANSWERS), tmp_path)

    assert [p.name for p in tmp_path.iterdir()] == ["shared.txt"]


def test_cookiecutter_entries_are_not_answers() -> None:
    assert layout.choices(ANSWERS) == {
        "_framework": "django",
        "_database": "none",
        "_project_slug": "svc",
    }


def test_every_alternative_in_the_template_names_a_variable_and_one_of_its_choices() -> None:
    from support.template import CHOICES, TEMPLATE_DIR

    project_template = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
    found = {}
    for directory in project_template.rglob("_*"):
        variable = directory.name[1:]
        if directory.is_dir() and directory.name != layout.LICENSES_DIR:
            assert variable in CHOICES, f"{directory} is named after no choice variable"
            found[directory] = {child.name for child in directory.iterdir()}
    assert found, "the template has no alternatives: the layout mechanism is untested here"
    for directory, choices in found.items():
        assert choices <= set(map(str, CHOICES[directory.name[1:]])), directory


@pytest.mark.parametrize(("license_name", "expected"), [("MIT", True), ("Proprietary", False)])
def test_license(tmp_path: Path, license_name: str, expected: bool) -> None:
    make_tree(tmp_path, ["_licenses/MIT.txt", "_licenses/Apache-2.0.txt"])

    layout.place_license(tmp_path, license_name)

    assert (tmp_path / "LICENSE").exists() is expected
    assert not (tmp_path / "_licenses").exists()


def test_output_checks_name_the_broken_file(tmp_path: Path) -> None:
    make_tree(tmp_path, ["ok.py"])
    (tmp_path / "settings.toml").write_text("name = {{ cookiecutter.x }}\n")

    with pytest.raises(
        GenerationError, match=r"settings.toml unrendered template syntax on line 1"
    ):
        output_checks.check_project(tmp_path)


def test_output_checks_catch_python_that_does_not_compile(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def broken(:\n")

    with pytest.raises(GenerationError, match=r"bad\.py does not parse"):
        output_checks.check_project(tmp_path)


def test_rendering_over_an_existing_project_replaces_its_framework_files(tmp_path: Path) -> None:
    # `cookiecutter -f` over a project: Procfile is left from the first generation.
    make_tree(tmp_path, ["Procfile", "_framework/django/Procfile"])
    (tmp_path / "Procfile").write_text("web: edited by the team\n")

    layout.resolve(tmp_path, layout.choices(ANSWERS), tmp_path, shared={"Makefile"})

    assert (tmp_path / "Procfile").read_text() == "_framework/django/Procfile"
    assert not (tmp_path / "_framework").exists()


def test_a_file_the_template_renders_shared_and_per_choice_is_a_defect(tmp_path: Path) -> None:
    make_tree(tmp_path, ["Procfile", "_framework/django/Procfile"])

    with pytest.raises(GenerationError, match="template defect: Procfile comes both from"):
        layout.resolve(tmp_path, layout.choices(ANSWERS), tmp_path, shared={"Procfile"})


def test_the_templates_shared_paths_leave_out_the_alternatives() -> None:
    shared = layout.shared_paths(layout.TEMPLATE_PROJECT_DIR, "svc")

    assert {"Makefile", "svc/logs.py", "tools/drift/update.py"} <= shared
    assert not any(path.startswith("_") or "/_" in path.rsplit("/", 1)[0] for path in shared)
    assert not any("{{" in path for path in shared)
    assert "Procfile" not in shared
