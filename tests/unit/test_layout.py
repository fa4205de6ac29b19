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


def test_framework_tree_is_merged_and_the_others_dropped(tmp_path: Path) -> None:
    make_tree(tmp_path, ["shared.txt", "_framework/django/manage.py", "_framework/other/x.py"])

    layout.merge_variant(tmp_path, "framework", "django")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["manage.py", "shared.txt"]


def test_a_file_both_shared_and_framework_specific_is_a_template_defect(tmp_path: Path) -> None:
    make_tree(tmp_path, ["manage.py", "_framework/django/manage.py"])

    with pytest.raises(GenerationError, match="exists both shared and in _framework/django"):
        layout.merge_variant(tmp_path, "framework", "django")


def test_a_variable_without_alternative_files_is_left_alone(tmp_path: Path) -> None:
    make_tree(tmp_path, ["shared.txt"])

    layout.merge_variant(tmp_path, "dependency_manager", "uv")

    assert [p.name for p in tmp_path.iterdir()] == ["shared.txt"]


def test_a_choice_without_files_is_a_template_defect(tmp_path: Path) -> None:
    make_tree(tmp_path, ["_dependency_manager/uv/x.txt"])

    with pytest.raises(GenerationError, match="dependency_manager='pip' has no files"):
        layout.merge_variant(tmp_path, "dependency_manager", "pip")


@pytest.mark.parametrize(("license_name", "expected"), [("MIT", True), ("Proprietary", False)])
def test_license(tmp_path: Path, license_name: str, expected: bool) -> None:
    make_tree(tmp_path, ["_licenses/MIT.txt", "_licenses/Apache-2.0.txt"])

    layout.place_license(tmp_path, license_name)

    assert (tmp_path / "LICENSE").exists() is expected
    assert not (tmp_path / "_licenses").exists()


def test_database_only_files_go_without_a_database(tmp_path: Path) -> None:
    make_tree(tmp_path, ["svc/items/models.py", "tests/test_items.py", "tools/local_postgres.py"])

    removed = layout.remove_unused(
        tmp_path, {"database": "none", "framework": "django", "project_slug": "svc"}
    )

    assert removed == ["svc/items", "tests/test_items.py", "tools/local_postgres.py"]
    assert not (tmp_path / "svc/items").exists()


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

    layout.merge_variant(tmp_path, "framework", "django", shared={"Makefile"})

    assert (tmp_path / "Procfile").read_text() == "_framework/django/Procfile"
    assert not (tmp_path / "_framework").exists()


def test_a_file_the_template_renders_shared_and_per_choice_is_a_defect(tmp_path: Path) -> None:
    make_tree(tmp_path, ["Procfile", "_framework/django/Procfile"])

    with pytest.raises(GenerationError, match="Procfile exists both shared and in _framework"):
        layout.merge_variant(tmp_path, "framework", "django", shared={"Procfile"})


def test_the_templates_shared_paths_leave_out_the_alternatives() -> None:
    shared = layout.shared_paths(layout.TEMPLATE_PROJECT_DIR, "svc")

    assert {"Makefile", "svc/logs.py", "tools/drift.py"} <= shared
    assert not any(path.startswith("_") or "{{" in path for path in shared)
    assert "Procfile" not in shared
