"""One render per combination of answers for the whole test session, shared by every xdist worker.

Rendering is most of what the fast tests spend: each combination is rendered once, into a
directory every worker can read, and the tests that read the same combination share it. A test
that changes files copies the project first (``shutil.copytree``) and changes the copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import CodeType
from typing import Any

import cookiecutter.generate
import cookiecutter.utils
import jinja2

from support.system import file_lock

Render = Callable[[dict[str, Any]], Path]


def render_key(combination: Mapping[str, Any]) -> str:
    """A short directory name for a combination of answers (order-independent)."""
    canonical = json.dumps(sorted(combination.items()), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


class RenderCache:
    """Renders kept under ``root``: the first worker that needs a combination renders it (under
    a file lock) and moves the project into ``root``; every later request, in any worker, gets
    that directory."""

    DONE = "rendered.json"

    def __init__(self, root: Path, render: Render) -> None:
        self.root = root
        self.render = render
        self.known: dict[str, Path] = {}

    def __call__(self, combination: dict[str, Any]) -> Path:
        key = render_key(combination)
        if key in self.known:
            return self.known[key]
        entry = self.root / key
        with file_lock(self.root / f"{key}.lock"):
            done = entry / self.DONE
            if done.is_file():
                project = entry / json.loads(done.read_text())["project"]
            else:
                shutil.rmtree(entry, ignore_errors=True)  # a render that failed half-way
                entry.mkdir(parents=True)
                made = self.render(combination)
                project = Path(shutil.move(made, entry / made.name))
                answers = {name: str(value) for name, value in combination.items()}
                done.write_text(json.dumps({"project": made.name, "answers": answers}))
        self.known[key] = project
        return project


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled Jinja templates kept in memory. Jinja checks each entry against its source's
    checksum, so a changed file (a test's copy of the template) is compiled again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


@contextlib.contextmanager
def compiled_templates_reused() -> Iterator[None]:
    """While active, in-process renders reuse the templates earlier renders compiled.

    cookiecutter makes a new Jinja environment, with an empty cache, for every render, so each
    render compiled all of the template's files again: a third of a render's time here, where one
    process renders the same sources a hundred times. Files are loaded by name and kept by the
    bytecode cache; every file and directory name, hook script and cookiecutter.json default is
    a nameless ``from_string`` source, compiled here once per session. What is rendered does not
    change.

    A nameless source is reused only when the environment's preprocessing left it as it was.
    hooks/template_extension.py rewrites an answer into a reference to the answer's slot in that
    one environment (``_literal_answers[n]``); those are compiled afresh every time.
    """
    cache = _CompiledTemplates()
    nameless: dict[tuple[str, str | None, bool], CodeType] = {}
    original = cookiecutter.utils.StrictEnvironment

    class Environment(original):  # type: ignore[misc,valid-type]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.bytecode_cache = cache
            self.preprocess_changed = False

        def preprocess(
            self, source: str, name: str | None = None, filename: str | None = None
        ) -> str:
            processed: str = super().preprocess(source, name, filename)
            self.preprocess_changed = processed != source
            return processed

        def compile(  # type: ignore[override]
            self,
            source: Any,
            name: str | None = None,
            filename: str | None = None,
            raw: bool = False,
            defer_init: bool = False,
        ) -> Any:
            if name is not None or raw or not isinstance(source, str):
                return super().compile(source, name, filename, raw, defer_init)
            key = (source, filename, defer_init)
            if key in nameless:
                return nameless[key]
            code = super().compile(source, name, filename, raw, defer_init)
            # An absolute path is a directory inside one render's output: never seen again.
            if not self.preprocess_changed and not os.path.isabs(source):
                nameless[key] = code
            return code

    # cookiecutter asks binaryornot whether each template file is binary (copied, not rendered)
    # on every render; the answer depends on the file's bytes only, kept while it is unchanged.
    binary: dict[tuple[str, int, int, int], bool] = {}
    original_is_binary = cookiecutter.generate.is_binary

    def is_binary(path: str) -> bool:
        status = os.stat(path)
        key = (os.path.abspath(path), status.st_ino, status.st_size, status.st_mtime_ns)
        if key not in binary:
            binary[key] = original_is_binary(path)
        return binary[key]

    cookiecutter.utils.StrictEnvironment = Environment  # type: ignore[misc]
    cookiecutter.generate.is_binary = is_binary
    try:
        yield
    finally:
        cookiecutter.utils.StrictEnvironment = original  # type: ignore[misc]
        cookiecutter.generate.is_binary = original_is_binary
