"""Refresh every pinned version in the template: ``scripts/bump-pins`` (weekly in CI).

What it finds, and where it asks for the newest version:

* GitHub Actions pinned to a commit, ``uses: owner/repo@<40 hex> # vX.Y.Z``: the latest
  release's tag and the commit it points at (GitHub's API).
* Python packages pinned with ``==`` in the files that pin tools (pre-commit configurations,
  Makefiles, workflows): the newest release on PyPI (its JSON API).
* uv (``cookiecutter.json``'s ``__uv``: the version and the SHA-256 of the Linux wheels the
  Dockerfile accepts) and the uv version that ``setup-uv`` steps name literally: PyPI.
* Container images pinned by digest: ``cookiecutter.json``'s ``__image_digests`` (the one place
  the generated Dockerfile, compose files and CI take them from) and any literal
  ``name:tag@sha256:...`` reference: the digest the registry gives the tag now.

Everything is rewritten in place, only the pinned text changes, and a second run with the same
answers changes nothing. The look-ups are the class :class:`Online`; the rewriting takes any
object with the same methods, which is how ``tests/unit/test_bump_pins.py`` runs it offline.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
# Never rewritten: the test fixtures, environments and caches.
SKIPPED_DIRS = {".git", ".venv", ".tools", "node_modules", "__pycache__", "tests", "benchmarks"}
# The files that pin Python tools with ``==`` (not Python code, where ``x==1`` is a comparison).
PACKAGE_PIN_FILES = re.compile(r"(^|/)(\.pre-commit-config\.yaml|Makefile|[^/]+\.ya?ml)$")

ACTION = re.compile(
    r"(?P<lead>uses:\s*)(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)(?P<path>/[^@\s]*)?"
    r"@(?P<sha>[0-9a-f]{40})(?P<gap>\s+#\s*)(?P<tag>v?\d[\w.+-]*)"
)
PACKAGE = re.compile(
    r"(?<![\w.\-=<>!~])(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?P<extras>\[[A-Za-z0-9_,.-]+\])?"
    r"==(?P<version>\d[A-Za-z0-9.+!-]*)"
)
IMAGE = re.compile(
    r"(?P<ref>(?:[a-z0-9.-]+(?::\d+)?/)?[a-z0-9._/-]+:[A-Za-z0-9._-]+)@(?P<digest>sha256:[0-9a-f]{64})"
)
SETUP_UV_VERSION = re.compile(r'(?P<lead>version:\s*")(?P<version>\d+\.\d+\.\d+)(?P<trail>")')


class Lookup(Protocol):
    def action(self, repo: str) -> tuple[str, str]:
        """The latest release of ``owner/repo``: (tag, commit SHA)."""

    def package(self, name: str) -> str:
        """The newest version of a PyPI project."""

    def wheel_hashes(self, name: str, version: str) -> dict[str, str]:
        """SHA-256 of each wheel of ``name==version``, keyed by its file name."""

    def image(self, reference: str) -> str:
        """The digest (``sha256:...``) the registry gives ``name:tag`` now."""


@dataclass(frozen=True)
class Change:
    path: str
    what: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.path}: {self.what} {self.old} -> {self.new}"


def rewrite_actions(text: str, path: str, lookup: Lookup) -> tuple[str, list[Change]]:
    changes: list[Change] = []

    def replace(match: re.Match[str]) -> str:
        tag, sha = lookup.action(match["repo"])
        if (tag, sha) == (match["tag"], match["sha"]):
            return match[0]
        changes.append(Change(path, match["repo"], f"{match['tag']} ({match['sha'][:12]})",
                              f"{tag} ({sha[:12]})"))  # fmt: skip
        return f"{match['lead']}{match['repo']}{match['path'] or ''}@{sha}{match['gap']}{tag}"

    return ACTION.sub(replace, text), changes


def rewrite_packages(text: str, path: str, lookup: Lookup) -> tuple[str, list[Change]]:
    if not PACKAGE_PIN_FILES.search(path):
        return text, []
    changes: list[Change] = []

    def replace(match: re.Match[str]) -> str:
        newest = lookup.package(match["name"])
        if newest == match["version"]:
            return match[0]
        changes.append(Change(path, match["name"], match["version"], newest))
        return f"{match['name']}{match['extras'] or ''}=={newest}"

    return PACKAGE.sub(replace, text), changes


def rewrite_images(text: str, path: str, lookup: Lookup) -> tuple[str, list[Change]]:
    changes: list[Change] = []

    def replace(match: re.Match[str]) -> str:
        digest = lookup.image(match["ref"])
        if digest == match["digest"]:
            return match[0]
        changes.append(Change(path, match["ref"], match["digest"][:19], digest[:19]))
        return f"{match['ref']}@{digest}"

    return IMAGE.sub(replace, text), changes


def rewrite_setup_uv(text: str, path: str, old: str, new: str) -> tuple[str, list[Change]]:
    """``version: "<uv>"`` of a setup-uv step written literally (files copied unrendered)."""
    if old == new or "astral-sh/setup-uv" not in text:
        return text, []
    changes: list[Change] = []

    def replace(match: re.Match[str]) -> str:
        if match["version"] != old:
            return match[0]
        changes.append(Change(path, "uv (setup-uv)", old, new))
        return f"{match['lead']}{new}{match['trail']}"

    return SETUP_UV_VERSION.sub(replace, text), changes


def _platform(wheel: str) -> str | None:
    """``manylinux_2_17_x86_64`` for ``uv-0.13.9-py3-none-manylinux_2_17_x86_64....whl``."""
    tags = wheel.removesuffix(".whl").split("-")[-1]
    return next((tag for tag in tags.split(".") if tag.startswith("manylinux_")), None)


def bump_cookiecutter_json(text: str, lookup: Lookup) -> tuple[str, list[Change], tuple[str, str]]:
    """The digests of ``__image_digests`` and the uv of ``__uv``; returns (old, new) uv."""
    definitions: dict[str, Any] = json.loads(text)
    changes: list[Change] = []
    digests: dict[str, str] = definitions.get("__image_digests", {})
    for reference, digest in digests.items():
        newest = lookup.image(reference)
        if newest != digest:
            changes.append(Change("cookiecutter.json", reference, digest[:19], newest[:19]))
            digests[reference] = newest
    uv: dict[str, Any] = definitions.get("__uv", {})
    old_uv = new_uv = str(uv.get("version", ""))
    if uv:
        new_uv = lookup.package("uv")
        by_platform = {
            _platform(wheel): sha256
            for wheel, sha256 in lookup.wheel_hashes("uv", new_uv).items()
            if _platform(wheel)
        }
        missing = sorted(set(uv["wheel_sha256"]) - set(by_platform))
        if missing:
            raise LookupError(f"uv {new_uv} on PyPI has no wheel for {', '.join(missing)}")
        hashes = {platform: by_platform[platform] for platform in uv["wheel_sha256"]}
        if new_uv != old_uv or hashes != uv["wheel_sha256"]:
            changes.append(Change("cookiecutter.json", "uv", old_uv, new_uv))
            uv["version"], uv["wheel_sha256"] = new_uv, hashes
    if not changes:
        return text, [], (old_uv, new_uv)
    return json.dumps(definitions, indent=2, ensure_ascii=False) + "\n", changes, (old_uv, new_uv)


def pinned_files(root: Path) -> Iterator[Path]:
    """The files that can hold pins: YAML, JSON, Dockerfiles, Makefiles and scripts."""
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRS)
        for name in sorted(names):
            path = Path(directory, name)
            if path.suffix in {".yml", ".yaml", ".json", ""} and not path.is_symlink():
                yield path


def bump(root: Path, lookup: Lookup, *, write: bool = True) -> list[Change]:
    """Rewrite every pin under ``root`` to what ``lookup`` says is newest; the changes made."""
    changes: list[Change] = []
    old_uv = new_uv = ""
    definitions = root / "cookiecutter.json"
    if definitions.is_file():
        text, found, (old_uv, new_uv) = bump_cookiecutter_json(definitions.read_text(), lookup)
        changes += found
        if write and found:
            definitions.write_text(text)
    for path in pinned_files(root):
        if path == definitions:
            continue
        relative = path.relative_to(root).as_posix()
        try:
            original = path.read_text()
        except UnicodeDecodeError:
            continue
        text = original
        for rewrite in (rewrite_actions, rewrite_packages, rewrite_images):
            text, found = rewrite(text, relative, lookup)
            changes += found
        text, found = rewrite_setup_uv(text, relative, old_uv, new_uv)
        changes += found
        if write and text != original:
            path.write_text(text)
    return changes


class Online:
    """The look-ups, over HTTPS. ``GITHUB_TOKEN`` raises GitHub's rate limit when set."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Any] = {}

    def _get(self, url: str, headers: dict[str, str] | None = None) -> Any:
        key = ("GET", url)
        if key not in self._cache:
            request = urllib.request.Request(
                url, headers={"User-Agent": "bump-pins", **(headers or {})}
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    self._cache[key] = (json.load(response), dict(response.headers))
            except urllib.error.URLError as error:
                raise LookupError(f"{url}: {getattr(error, 'reason', error)}") from error
        return self._cache[key]

    def _github(self, endpoint: str) -> Any:
        headers = {"Accept": "application/vnd.github+json"}
        if os.environ.get("GITHUB_TOKEN"):
            headers["Authorization"] = f"Bearer {os.environ['GITHUB_TOKEN']}"
        return self._get(f"https://api.github.com/repos/{endpoint}", headers)[0]

    def action(self, repo: str) -> tuple[str, str]:
        tag = self._github(f"{repo}/releases/latest")["tag_name"]
        return tag, self._github(f"{repo}/commits/{tag}")["sha"]

    def package(self, name: str) -> str:
        return str(self._get(f"https://pypi.org/pypi/{name}/json")[0]["info"]["version"])

    def wheel_hashes(self, name: str, version: str) -> dict[str, str]:
        # The newest release's files come with the project's page (one request fewer).
        release = self._get(f"https://pypi.org/pypi/{name}/json")[0]
        if release["info"]["version"] != version:
            release = self._get(f"https://pypi.org/pypi/{name}/{version}/json")[0]
        return {
            file["filename"]: file["digests"]["sha256"]
            for file in release["urls"]
            if file["filename"].endswith(".whl")
        }

    def image(self, reference: str) -> str:
        """Docker Hub (``python:3.12-slim``, ``library/`` implied) or another registry's
        ``host/name:tag``: the digest of the tag's index, as ``docker pull`` resolves it."""
        name, tag = reference.rsplit(":", 1)
        host, _, path = name.partition("/") if "." in name.split("/")[0] else ("", "", name)
        if not host:
            path = path if "/" in path else f"library/{path}"
            token = self._get(
                "https://auth.docker.io/token?service=registry.docker.io"
                f"&scope=repository:{path}:pull"
            )[0]["token"]
            host, headers = "registry-1.docker.io", {"Authorization": f"Bearer {token}"}
        else:
            headers = {}
        headers["Accept"] = ", ".join([
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
        ])  # fmt: skip
        request = urllib.request.Request(
            f"https://{host}/v2/{path}/manifests/{tag}", headers=headers, method="HEAD"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                digest = response.headers.get("Docker-Content-Digest", "")
        except urllib.error.URLError as error:
            raise LookupError(f"{request.full_url}: {getattr(error, 'reason', error)}") from error
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
            raise LookupError(f"{reference}: the registry answered no digest")
        return digest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bump-pins", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=TEMPLATE_DIR, help="the tree to rewrite")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a pin is out of date"
    )
    args = parser.parse_args(argv)
    try:
        changes = bump(args.root, Online(), write=not args.check)
    except (OSError, LookupError, KeyError, ValueError) as error:
        print(f"bump-pins: error: a look-up failed: {error}", file=sys.stderr)
        return 2
    for change in changes:
        print(change)
    if not changes:
        print("bump-pins: every pin is current")
    return 1 if args.check and changes else 0


if __name__ == "__main__":
    sys.exit(main())
