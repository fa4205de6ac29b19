"""V. Build, release, run: the image is built once, without configuration or secrets."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

from ..ignore import docker_ignored
from ..parsers import Instruction
from ..project import Project
from ..registry import check
from ..results import Finding
from ..secrets import is_reference, is_secret_name, known_tokens, looks_like_credential


def _copy_sources(instruction: Instruction) -> list[str]:
    form = instruction.exec_form()
    words = form if form is not None else instruction.arguments.split()
    words = [word for word in words if not word.startswith("--")]
    return words[:-1]


def _is_env_file(name: str) -> bool:
    base = name.rstrip("/").rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(probe, base) for probe in (".env", ".env.production"))


@check
def no_env_file(project: Project) -> Iterator[Finding]:
    """No ``.env`` file copied into the image.

    Configuration belongs to the release, not the build: an image with a ``.env`` inside is one
    environment's image, and carries its secrets.
    """
    for path, instructions in project.dockerfiles():
        for instruction in instructions:
            if instruction.keyword not in {"COPY", "ADD"} or "--from" in instruction.arguments:
                continue
            for source in _copy_sources(instruction):
                if _is_env_file(source):
                    yield Finding(
                        f"copies {source} into the image: configuration belongs to the release, "
                        "not the build",
                        path,
                        instruction.line,
                    )
                    continue
                if source.strip('"') not in {".", "./"}:
                    continue  # a sub-folder: not where a developer's .env sits
                probes = (".env", "deploy/.env") if project.strict else (".env",)
                leaked = [
                    probe for probe in probes if not docker_ignored(project.dockerignore, probe)
                ]
                if leaked:
                    yield Finding(
                        f"`{instruction.keyword} {instruction.arguments}` would copy {leaked[0]} "
                        "into the image: .dockerignore must exclude .env files",
                        path,
                        instruction.line,
                    )


@check
def no_secret(project: Project) -> Iterator[Finding]:
    """No secret passed to or baked into the build.

    A secret in a build argument, an ``ENV`` or the Dockerfile's text stays in the image and its
    history; read it at run time or use ``RUN --mount=type=secret``.
    """
    for path, instructions in project.dockerfiles():
        for line, label in known_tokens(project.text(path) or ""):
            yield Finding(
                f"{label} in the Dockerfile: it stays in the image; revoke it", path, line
            )
        for instruction in instructions:
            if instruction.keyword == "ARG":
                for word in instruction.arguments.split():
                    name = word.split("=", 1)[0]
                    if is_secret_name(name):
                        yield Finding(
                            f"build argument {name}: a secret passed to the build stays in the "
                            "image history; use `RUN --mount=type=secret` or read it at run time",
                            path,
                            instruction.line,
                        )
            elif instruction.keyword == "ENV":
                pairs = re.findall(
                    r"([A-Za-z_][A-Za-z0-9_]*)[= ](\"[^\"]*\"|'[^']*'|\S+)", instruction.arguments
                )
                for name, value in pairs:
                    value = value.strip("\"'")
                    if is_secret_name(name) and (
                        looks_like_credential(value) or is_reference(value)
                    ):
                        yield Finding(
                            f"ENV {name} bakes a secret into the image; set it in the "
                            "environment at release",
                            path,
                            instruction.line,
                        )
    for path in project.files:
        is_build_script = path in {"Makefile", "compose.yaml", "compose.yml"} or path.endswith(
            (".sh", ".yml", ".yaml")
        )
        text = project.text(path) if is_build_script else None
        if not text or "--build-arg" not in text:
            continue
        for number, source_line in enumerate(text.splitlines(), start=1):
            if source_line.lstrip().startswith("#"):
                continue
            for name in re.findall(r"--build-arg[= ]\s*([A-Za-z_][A-Za-z0-9_]*)", source_line):
                if is_secret_name(name):
                    yield Finding(
                        f"passes {name} to the build with --build-arg: it stays in the image",
                        path,
                        number,
                    )
