"""Free-text answers, hostile or odd, against every file they land in.

The answers that are free text (every string variable of cookiecutter.json that is not a choice)
land in files with different quoting rules: Python, TOML, YAML, Markdown, Makefiles. Each set of
answers must be refused up front with one line naming the variable, or give files that parse,
pass ruff, and hold the text literally.

* A hypothesis property test (at least 500 examples, all free-text answers together) drives
  cookiecutter's own answer rendering (with the template's extension), the pre-generation rules,
  and the template files that hold free text, in-process; ruff then runs once over every
  example's Python and TOML files.
* A fixed corpus of nasty strings goes through the real command line, hooks included, into an
  empty directory: nothing may appear outside it.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from generation.answers import validate
from generation.errors import GenerationError
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import FileSystemLoader
from support.renders import compiled_templates_reused
from support.template import CHOICES, DEFINITIONS, TEMPLATE_DIR

PROJECT_TEMPLATE = "{{cookiecutter.project_slug}}"
FREE_TEXT = [
    name
    for name, value in DEFINITIONS.items()
    if not name.startswith("_") and isinstance(value, str) and name not in CHOICES
]
# Directories of alternatives (`_framework/fastapi/`) vanish from the final paths.
ALTERNATIVE = re.compile(rf"_(?:{'|'.join(CHOICES)})/[^/]+/")
EXAMPLES = 500

NASTY = [
    "",
    "   ",
    '"double" quotes',
    "back\\slash",
    "new\nline",
    "tab\there",
    "nul\x00byte",
    "{{ cookiecutter.project_slug }}",
    "{% if true %}x{% endif %}",
    "{# comment #}",
    "${{ github.token }}",
    "'single' quotes; and: colons - [yaml] {flow}",
    "-leading-dash",
    "--help",
    "../../escape",
    "O'Brien & Søn <b>bold</b> `tick` $(id) $HOME #hash %percent",
    "\u202eright-to-left override\u200f mark",
    "emoji ☕🚀 naïve café 東京",
    "x" * 2000,
]


def free_text_files() -> dict[str, set[str]]:
    """Template files (relative to the template) that use free-text answers, with which."""
    used: dict[str, set[str]] = {}
    for path in sorted((TEMPLATE_DIR / PROJECT_TEMPLATE).rglob("*")):
        if path.is_file():
            text = path.read_text(errors="replace")
            names = {name for name in FREE_TEXT if f"cookiecutter.{name}" in text}
            if names - {"project_slug"}:
                used[str(path.relative_to(TEMPLATE_DIR))] = names
    return used


FILES = free_text_files()


def render_answers(answers: Mapping[str, str]) -> dict[str, Any]:
    """cookiecutter's own rendering of the answers, with the template's extension."""
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    if str(TEMPLATE_DIR) not in sys.path:
        sys.path.insert(0, str(TEMPLATE_DIR))
    context = generate_context(
        context_file=str(TEMPLATE_DIR / "cookiecutter.json"), extra_context=dict(answers)
    )
    return {"cookiecutter": prompt_for_config(context, no_input=True)}


@functools.cache
def file_environment() -> Any:
    """One Jinja environment as cookiecutter builds it for files, each template compiled once."""
    from cookiecutter.environment import StrictEnvironment

    context = {"cookiecutter": DEFINITIONS}
    environment = StrictEnvironment(context=context, keep_trailing_newline=True)
    environment.loader = FileSystemLoader([str(TEMPLATE_DIR), str(TEMPLATE_DIR / "templates")])
    return environment


def render_files(context: dict[str, Any]) -> Iterator[tuple[str, str, set[str]]]:
    """(final path in the project, text, free-text answers it uses) for each file in FILES."""
    slug = context["cookiecutter"]["project_slug"]
    for relative, names in FILES.items():
        text = file_environment().get_template(relative).render(**context)
        final = ALTERNATIVE.sub("", relative.removeprefix(PROJECT_TEMPLATE + "/"))
        yield final.replace(PROJECT_TEMPLATE, slug), text, names


def parse_problem(path: str, text: str) -> str | None:
    """Why ``text`` does not parse as the kind of file ``path`` is, or None."""
    try:
        if path.endswith(".py"):
            ast.parse(text)
        elif path.endswith(".toml"):
            tomllib.loads(text)
        elif path.endswith((".yml", ".yaml")):
            yaml.safe_load(text)
        elif path.endswith(".json"):
            json.loads(text)
    except (SyntaxError, tomllib.TOMLDecodeError, yaml.YAMLError, ValueError) as error:
        return f"{path} does not parse: {error}"
    return None


def check_answers(answers: Mapping[str, str], out: Path) -> None:
    """The property: refused in one line, or every file parses and holds the text literally.
    Python and TOML files are written under ``out`` for one ruff run afterwards."""
    context = render_answers(answers)
    rendered = context["cookiecutter"]
    try:
        validate(rendered, DEFINITIONS)
    except GenerationError as refused:
        message = str(refused)
        assert "\n" not in message and re.match(r"^\w+=", message), message
        return
    for name, value in answers.items():
        assert rendered[name] == value, f"{name}={value!r} was rendered as {rendered[name]!r}"
    for path, text, names in render_files(context):
        problem = parse_problem(path, text)
        assert problem is None, problem
        for name in names:
            value = rendered[name]
            assert value in text or value.lower() in text, f"{name}={value!r} not in {path}"
        if path.endswith((".py", ".toml")):
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            if path.endswith(".py"):
                (target.parent / "__init__.py").touch()


def ruff_problems(root: Path) -> str:
    ruff = [sys.executable, "-m", "ruff"]
    found = []
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = subprocess.run(
            [*ruff, *command], cwd=root, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            found.append(result.stdout[-4000:] + result.stderr[-2000:])
    return "\n".join(found)


# Mostly text the rules accept (so that many examples render), some of anything, some nasty.
readable = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters='"\\'),
    min_size=1,
    max_size=80,
).filter(str.strip)
text = st.one_of(
    readable, readable, readable, readable, st.text(max_size=80), st.sampled_from(NASTY)
)
slug = st.from_regex(r"\A[a-z][a-z0-9_]{0,20}[a-z0-9]\Z").filter(lambda name: "__" not in name)
STRATEGIES = {
    "project_name": text,
    "project_slug": st.one_of(slug, slug, slug, slug, text),
    "description": text,
    "author_name": text,
    "author_email": st.one_of(st.emails(), st.emails(), st.emails(), st.emails(), text),
    "github_owner": st.one_of(*[st.from_regex(r"\A[A-Za-z0-9]{1,20}\Z")] * 4, text),
}


def test_every_free_text_variable_is_fuzzed() -> None:
    assert set(STRATEGIES) == set(FREE_TEXT)


def test_any_free_text_is_refused_in_one_line_or_lands_literally(tmp_path: Path) -> None:
    examples: list[Path] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None)
    @given(answers=st.fixed_dictionaries(STRATEGIES))
    def refused_or_literal(answers: dict[str, str]) -> None:
        out = tmp_path / str(len(examples))
        examples.append(out)
        check_answers(answers, out)

    # cookiecutter compiles every default and choice again for each example; answers that the
    # template extension rewrites are still compiled each time (support/renders.py).
    with compiled_templates_reused():
        refused_or_literal()
    accepted = sum(1 for out in examples if out.is_dir())
    print(f"{len(examples)} examples, {accepted} rendered, the rest refused")
    assert accepted, "no example was accepted: the strategies test nothing but refusals"
    assert not ruff_problems(tmp_path)


def cookiecutter_cli(answers: Mapping[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TWELVE_FACTOR_LOCK": "0", "HOME": str(cwd)}
    arguments = [f"{name}={value}" for name, value in answers.items()]
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE_DIR), *arguments],
        cwd=cwd / "out",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def corpus_cases() -> list[Any]:
    """Each refused string alone in project_name; the accepted ones together, one per answer."""
    cases = []
    accepted = []
    for value in NASTY:
        try:
            validate(
                {**DEFAULT_ANSWERS, "project_name": value, "project_slug": "ok_name"}, DEFINITIONS
            )
        except GenerationError:
            cases.append(
                pytest.param(
                    {"project_name": value, "project_slug": "ok_name"}, id=f"refused-{value[:20]!r}"
                )
            )
        else:
            accepted.append(value)
    for index in range(0, len(accepted), 3):
        name, description, author = ([*accepted[index : index + 3], "plain", "plain"])[:3]
        answers = {
            "project_name": name,
            "project_slug": f"nasty_{index}",
            "description": description,
            "author_name": author,
        }
        cases.append(pytest.param(answers, id=f"accepted-{index}"))
    return cases


DEFAULT_ANSWERS = {name: value for name, value in DEFINITIONS.items() if not name.startswith("_")}
DEFAULT_ANSWERS.update({name: values[0] for name, values in CHOICES.items()})


@pytest.mark.parametrize("answers", corpus_cases())
def test_nasty_corpus_through_the_command_line(answers: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    if "\x00" in "".join(answers.values()):
        pytest.skip("a NUL byte cannot be passed on a command line (the property test covers it)")
    result = cookiecutter_cli(answers, tmp_path)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    # cookiecutter's own replay file goes to $HOME (here tmp_path); the template writes nothing.
    outside = sorted(
        path.name for path in tmp_path.iterdir() if path.name not in {"out", ".cookiecutter_replay"}
    )
    assert not outside, f"written outside the output directory: {outside}"
    if result.returncode != 0:
        errors = [line for line in output.splitlines() if "error:" in line]
        assert len(errors) == 1 and "project_name=" in errors[0], output
        assert not any((tmp_path / "out").iterdir()), "a refused render left files behind"
        return
    [project] = list((tmp_path / "out").iterdir())
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            problem = parse_problem(str(path), path.read_text(errors="replace"))
            assert problem is None, problem
    readme = (project / "README.md").read_text()
    assert answers["project_name"] in readme and answers["description"] in readme
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == answers["description"]
    assert pyproject["project"]["authors"][0]["name"] == answers["author_name"]
    assert not ruff_problems(project)
