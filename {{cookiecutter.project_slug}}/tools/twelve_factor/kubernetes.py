"""Kubernetes manifests: a reader for the block YAML they are written in, and what the checks ask
of them (workloads, their containers, the variables each gets and from where).

The checker stays standard-library only, so this reads the YAML that manifests and kustomize
files are written in: block mappings and sequences, plain and quoted scalars, one-level flow
collections (``["sleep", "5"]``, ``{cpu: 1}``), block scalars (``|``), comments and ``---``.
A file it cannot read is skipped, never guessed at.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .parsers import env_file_entries
from .project import Project


class YamlError(ValueError):
    """YAML outside the subset this reader understands."""


_INTEGER = re.compile(r"^[-+]?\d+$")
_PLAIN = {"true": True, "false": False, "null": None, "~": None}


def _strip_comment(text: str) -> str:
    quote = ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return text[:index].rstrip()
    return text.rstrip()


def _split_top(text: str, separator: str) -> list[str]:
    parts, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def _key_split(text: str) -> tuple[str, str] | None:
    """``key: rest`` (or ``key:``) outside quotes, else None."""
    quote = ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"" and index == 0:
            quote = char
        elif char == ":" and (index + 1 == len(text) or text[index + 1] == " "):
            return str(scalar(text[:index].strip())), text[index + 1 :].strip()
    return None


def scalar(text: str) -> Any:
    """One YAML value written on one line."""
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text.startswith("[") and text.endswith("]"):
        return [scalar(part) for part in _split_top(text[1:-1], ",")]
    if text.startswith("{") and text.endswith("}"):
        pairs = [_key_split(part) for part in _split_top(text[1:-1], ",")]
        if any(pair is None for pair in pairs):
            raise YamlError(text)
        return {key: scalar(value) for key, value in pairs if key is not None}  # type: ignore[misc]
    if text in _PLAIN:
        return _PLAIN[text]
    if _INTEGER.match(text):
        return int(text)
    return text


@dataclass
class _Line:
    number: int
    indent: int
    text: str


class _Reader:
    def __init__(self, lines: list[tuple[int, str]]) -> None:
        self.raw = lines
        self.index = 0
        self.lines: list[_Line | None] = []
        for number, raw in lines:
            text = _strip_comment(raw)
            self.lines.append(
                _Line(number, len(text) - len(text.lstrip(" ")), text.strip())
                if text.strip()
                else None
            )

    def peek(self) -> _Line | None:
        while self.index < len(self.lines) and self.lines[self.index] is None:
            self.index += 1
        return self.lines[self.index] if self.index < len(self.lines) else None

    def node(self, indent: int) -> Any:
        line = self.peek()
        if line is None:
            return None
        if line.text == "-" or line.text.startswith("- "):
            return self.sequence(line.indent)
        return self.mapping(line.indent)

    def mapping(self, indent: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while (line := self.peek()) is not None and line.indent == indent:
            if line.text.startswith("- ") or line.text == "-":
                break
            pair = _key_split(line.text)
            if pair is None:
                raise YamlError(f"line {line.number}: expected `key: value`")
            self.index += 1
            result[pair[0]] = self.value(pair[1], indent)
        return result

    def sequence(self, indent: int) -> list[Any]:
        items: list[Any] = []
        while (line := self.peek()) is not None and line.indent == indent:
            if not (line.text.startswith("- ") or line.text == "-"):
                break
            rest = line.text[1:].strip()
            if not rest:
                self.index += 1
                items.append(self.value("", indent))
            elif _key_split(rest) is not None and not rest.startswith(("[", "{", '"', "'")):
                # ``- key: value``: a mapping whose keys line up with ``key``.
                inner = indent + len(line.text) - len(rest)
                self.lines[self.index] = _Line(line.number, inner, rest)
                items.append(self.mapping(inner))
            else:
                self.index += 1
                items.append(scalar(rest))
        return items

    def value(self, rest: str, indent: int) -> Any:
        if rest[:1] in {"|", ">"}:
            return self.block_scalar(indent)
        if rest:
            return scalar(rest)
        line = self.peek()
        if line is None:
            return None
        nested_sequence = line.indent == indent and (line.text == "-" or line.text.startswith("- "))
        if line.indent > indent or nested_sequence:
            return self.node(line.indent)
        return None

    def block_scalar(self, indent: int) -> str:
        text: list[str] = []
        while self.index < len(self.raw):
            raw = self.raw[self.index][1]
            if raw.strip() and len(raw) - len(raw.lstrip(" ")) <= indent:
                break
            text.append(raw.rstrip())
            self.index += 1
        margin = min((len(t) - len(t.lstrip(" ")) for t in text if t), default=0)
        return "\n".join(t[margin:] for t in text).strip("\n")


@dataclass(frozen=True)
class Document:
    """One YAML document of a file, and the line it starts on."""

    path: str
    line: int
    content: Any


def yaml_documents(path: str, text: str) -> list[Document]:
    """The documents of a YAML file; raises YamlError outside the subset."""
    documents: list[Document] = []
    chunk: list[tuple[int, str]] = []
    for number, raw in enumerate([*text.splitlines(), "---"], start=1):
        if raw.startswith("---"):
            reader = _Reader(chunk)
            start = reader.peek()
            if start is not None:
                content = reader.node(start.indent)
                if reader.peek() is not None:
                    raise YamlError(f"{path}:{reader.peek().number}: unexpected indentation")  # type: ignore[union-attr]
                documents.append(Document(path, start.number, content))
            chunk = []
        else:
            chunk.append((number, raw))
    return documents


# Workload kinds whose pods run the service's processes.
WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"})
SERVING = frozenset({"Deployment", "StatefulSet", "DaemonSet"})


@dataclass(frozen=True)
class Manifest:
    path: str
    line: int
    kind: str
    name: str
    body: dict[str, Any]

    def pod_spec(self) -> dict[str, Any]:
        spec = self.body.get("spec") or {}
        if self.kind == "Pod":
            return spec
        if self.kind == "CronJob":
            spec = (spec.get("jobTemplate") or {}).get("spec") or {}
        return ((spec.get("template") or {}).get("spec")) or {}

    def containers(self, *, init: bool = True) -> list[dict[str, Any]]:
        spec = self.pod_spec()
        found = list(spec.get("containers") or [])
        return [*(spec.get("initContainers") or []), *found] if init else found


@dataclass(frozen=True)
class Kustomization:
    path: str
    directory: str
    body: dict[str, Any]


@dataclass
class Cluster:
    """Every manifest and kustomization in the codebase."""

    manifests: list[Manifest]
    kustomizations: list[Kustomization]

    def serving(self) -> list[Manifest]:
        return [m for m in self.manifests if m.kind in SERVING]

    def config_entries(self, project: Project) -> Iterator[tuple[str, str, str, int]]:
        """Non-secret variables: (name, value, file, line) from ConfigMaps and generators."""
        for manifest in self.manifests:
            if manifest.kind == "ConfigMap":
                for name, value in (manifest.body.get("data") or {}).items():
                    yield name, str(value), manifest.path, manifest.line
        for kustomization in self.kustomizations:
            for generator in kustomization.body.get("configMapGenerator") or []:
                for literal in generator.get("literals") or []:
                    name, _, value = str(literal).partition("=")
                    yield name, value, kustomization.path, 0
                for env in generator.get("envs") or []:
                    path = posixpath.normpath(posixpath.join(kustomization.directory, str(env)))
                    for entry in env_file_entries(project.text(path) or ""):
                        yield entry.name, entry.value, path, entry.line


YAML_FILE = re.compile(r"\.ya?ml$")
KUSTOMIZATION = re.compile(r"(?:^|/)kustomization\.ya?ml$")


def cluster(project: Project) -> Cluster:
    """The codebase's Kubernetes manifests (files with ``apiVersion`` and ``kind``) and
    kustomizations; workflows, compose files and unreadable YAML are left out."""
    manifests: list[Manifest] = []
    kustomizations: list[Kustomization] = []
    for path in project.files:
        if not YAML_FILE.search(path) or path.startswith(".github/"):
            continue
        text = project.text(path) or ""
        if "kind:" not in text:
            continue
        try:
            documents = yaml_documents(path, text)
        except (YamlError, ValueError):
            continue
        for document in documents:
            body = document.content
            if not isinstance(body, dict):
                continue
            if KUSTOMIZATION.search(path):
                kustomizations.append(Kustomization(path, posixpath.dirname(path), body))
            elif isinstance(body.get("kind"), str) and "apiVersion" in body:
                name = (body.get("metadata") or {}).get("name") or ""
                manifests.append(Manifest(path, document.line, body["kind"], str(name), body))
    return Cluster(manifests, kustomizations)
