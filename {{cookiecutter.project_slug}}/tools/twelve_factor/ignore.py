"""``.gitignore`` and ``.dockerignore`` semantics: which files are part of the codebase, which
reach the image."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class IgnoreRule:
    pattern: re.Pattern[str]
    negate: bool
    directory_only: bool
    line: int
    text: str


def _glob_to_regex(glob: str, *, docker: bool) -> str:
    """Translate one ignore pattern (already stripped of ``!`` and slashes) to a regex."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**", i):
            at_segment_start = i == 0 or glob[i - 1] == "/"
            after = glob[i + 2 : i + 3]
            if after == "/" and (at_segment_start or docker):
                out.append("(?:.*/)?")
                i += 3
                continue
            if after == "" and (at_segment_start or docker):
                out.append(".*")
                i += 2
                continue
            out.append("[^/]*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = glob.find("]", i + 2)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = glob[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
                i = end
        elif char == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def gitignore_rules(text: str) -> list[IgnoreRule]:
    """Rules of a ``.gitignore`` (git's semantics, for the root file)."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        line = re.sub(r"(?<!\\)\s+$", "", line)
        negate = line.startswith("!")
        if negate or line.startswith("\\"):
            line = line[1:]
        directory_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        body = _glob_to_regex(line.lstrip("/"), docker=False)
        regex = body if anchored else f"(?:.*/)?{body}"
        rules.append(IgnoreRule(re.compile(f"^{regex}$"), negate, directory_only, number, raw))
    return rules


def git_ignored(rules: Sequence[IgnoreRule], path: str, *, is_dir: bool = False) -> bool:
    """Whether git ignores ``path`` (relative, with ``/``); an ignored folder hides its files."""
    parts = path.strip("/").split("/")
    for end in range(1, len(parts) + 1):
        candidate = "/".join(parts[:end])
        candidate_is_dir = end < len(parts) or is_dir
        ignored = False
        for rule in rules:
            if rule.directory_only and not candidate_is_dir:
                continue
            if rule.pattern.match(candidate):
                ignored = not rule.negate
        if ignored:
            return True
    return False


def dockerignore_rules(text: str) -> list[IgnoreRule]:
    """Rules of a ``.dockerignore`` (BuildKit's semantics: anchored at the context root)."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if negate:
            line = line[1:].strip()
        line = os.path.normpath(line).replace(os.sep, "/").strip("/")
        if line in {"", "."}:
            continue
        body = _glob_to_regex(line, docker=True)
        rules.append(IgnoreRule(re.compile(f"^{body}$"), negate, False, number, raw))
    return rules


def docker_ignored(rules: Sequence[IgnoreRule], path: str) -> bool:
    """Whether the build context leaves out ``path`` (a pattern matching a parent counts)."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[:end]) for end in range(len(parts), 0, -1)]
    matched = False
    for rule in rules:
        if rule.negate != matched:
            continue
        if any(rule.pattern.match(candidate) for candidate in candidates):
            matched = not rule.negate
    return matched


def git_ignored_leaf(rules: Sequence[IgnoreRule], path: str, *, is_dir: bool = False) -> bool:
    """Like :func:`git_ignored` for a path whose parent folders are known not to be ignored
    (as in a walk that prunes ignored folders): one match per rule instead of one per parent."""
    ignored = False
    for rule in rules:
        if rule.directory_only and not is_dir:
            continue
        if rule.pattern.match(path):
            ignored = not rule.negate
    return ignored
