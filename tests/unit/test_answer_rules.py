from __future__ import annotations

from typing import Any

import pytest
from generation.answers import choice_variables, validate
from generation.errors import GenerationError
from support.template import DEFINITIONS

GOOD: dict[str, Any] = {
    "project_name": "Patient Records",
    "project_slug": "patient_records",
    "description": "Keeps records.",
    "author_name": "Ada",
    "author_email": "ada@example.org",
    "github_owner": "rcpch-incubator",
    **{name: values[0] for name, values in choice_variables(DEFINITIONS).items()},
}


def test_good_answers_pass() -> None:
    validate(GOOD, DEFINITIONS)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("python_version", "2.7"), ("framework", "flask"), ("database", "sqlite")],
)
def test_choices_outside_cookiecutter_json_are_refused(variable: str, value: str) -> None:
    with pytest.raises(
        GenerationError, match=f"{variable}='{value}' is not allowed: choose one of"
    ):
        validate({**GOOD, variable: value}, DEFINITIONS)


def test_booleans_are_derived_as_choices_and_accept_text() -> None:
    definitions = {**DEFINITIONS, "use_feature": True}
    assert choice_variables(definitions)["use_feature"] == [True, False]
    validate({**GOOD, "use_feature": "no"}, definitions)
    with pytest.raises(
        GenerationError, match="use_feature='maybe' is not allowed: answer true or false"
    ):
        validate({**GOOD, "use_feature": "maybe"}, definitions)


def test_private_variables_are_not_choices() -> None:
    assert not [name for name in choice_variables(DEFINITIONS) if name.startswith("_")]


@pytest.mark.parametrize("slug", ["a", "records", "records_v2", "x9"])
def test_good_slugs(slug: str) -> None:
    validate({**GOOD, "project_slug": slug}, DEFINITIONS)


@pytest.mark.parametrize("slug", ["", "_x", "a__b", "A", "a-b", "tests", "os", "import", "x" * 65])
def test_bad_slugs(slug: str) -> None:
    with pytest.raises(GenerationError, match="project_slug="):
        validate({**GOOD, "project_slug": slug}, DEFINITIONS)


@pytest.mark.parametrize(
    "text", ["{{ 7*7 }}", "{% if x %}", "{# note #}", "${{ github.token }}", "a }} b"]
)
def test_template_syntax_in_free_text_is_refused(text: str) -> None:
    with pytest.raises(GenerationError, match="must not contain template syntax"):
        validate({**GOOD, "description": text}, DEFINITIONS)


def test_a_worker_without_a_database_is_refused_in_one_line() -> None:
    with pytest.raises(GenerationError) as refused:
        validate({**GOOD, "worker": "procrastinate", "database": "none"}, DEFINITIONS)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("worker='procrastinate' is not allowed with database='none'")
    validate({**GOOD, "worker": "procrastinate", "database": "postgresql"}, DEFINITIONS)
    validate({**GOOD, "worker": "none", "database": "none"}, DEFINITIONS)
