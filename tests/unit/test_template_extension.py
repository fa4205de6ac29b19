"""hooks/template_extension.py's ``pinned_image``: the digest table's one reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment
from jinja2.exceptions import TemplateRuntimeError
from template_extension import TemplateSupport, _path_templates

DIGEST = "sha256:" + "a" * 64


def render(source: str, digests: dict[str, str]) -> str:
    environment = Environment(extensions=[TemplateSupport])
    # A named source: the extension renders nameless ones that are not the template's literally.
    template = environment.from_string(environment.parse(source, name="Dockerfile"))
    return template.render(cookiecutter={"__image_digests": digests, "python_version": "3.12"})


def test_names_the_image_with_its_digest() -> None:
    source = 'FROM {{ pinned_image("python:" ~ cookiecutter.python_version ~ "-slim") }}'
    assert render(source, {"python:3.12-slim": DIGEST}) == f"FROM python:3.12-slim@{DIGEST}"


def test_an_image_without_a_digest_fails_the_render_naming_it() -> None:
    with pytest.raises(TemplateRuntimeError) as raised:
        render('{{ pinned_image("postgres:19") }}', {"postgres:18": DIGEST})
    assert str(raised.value) == (
        "cookiecutter.json: __image_digests has no digest for 'postgres:19' (it has postgres:18)"
    )


def test_path_templates_are_every_templated_path_relative_to_the_project_and_its_parent(
    tmp_path: Path,
) -> None:
    project = tmp_path / "{{cookiecutter.project_slug}}"
    for relative in ("src/{{cookiecutter.package}}/app.py", "docs/{% if x %}a{% endif %}", ".env"):
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text("")
    slug = "{{cookiecutter.project_slug}}"
    assert sorted(_path_templates(project)) == sorted(
        [
            *(f"{slug}/{path}" for path in ("src", "docs", ".env", "src/{{cookiecutter.package}}")),
            f"{slug}/src/{{{{cookiecutter.package}}}}/app.py",
            f"{slug}/docs/{{% if x %}}a{{% endif %}}",
            "src/{{cookiecutter.package}}",
            "src/{{cookiecutter.package}}/app.py",
            "docs/{% if x %}a{% endif %}",
        ]
    )
