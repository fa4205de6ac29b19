"""III. Config: configuration in the environment, documented, never in the code."""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator

from ..ignore import docker_ignored, git_ignored
from ..kubernetes import WORKLOADS, Manifest, cluster
from ..parsers import (
    commented_out_entries,
    constant_str,
    dotted,
    env_file_entries,
    string_constants,
    walk,
)
from ..project import Project
from ..registry import check
from ..results import Finding, missing
from ..secrets import (
    CREDENTIAL_URL,
    is_high_entropy,
    is_label,
    is_secret_name,
    known_tokens,
    looks_like_credential,
)
from ..settings import settings_reads


def copies_the_build_context(project: Project) -> bool:
    """Whether a Dockerfile copies the whole build context (``COPY . .``), where a developer's
    ``.env`` sits."""
    for _, instructions in project.dockerfiles():
        for instruction in instructions:
            if instruction.keyword in {"COPY", "ADD"} and "--from" not in instruction.arguments:
                words = [w for w in instruction.arguments.split() if not w.startswith("--")]
                if any(word.strip('[]",') in {".", "./"} for word in words[:-1]):
                    return True
    return False


# Files that hold checksums, not configuration: never scanned for secrets.
CHECKSUM_FILES = frozenset(
    {"uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock", "package-lock.json", "yarn.lock",
     "pnpm-lock.yaml", ".cruft.json", "go.sum"}
)  # fmt: skip
# Where a .env file may turn up; every one of them must stay out of git and out of the image.
# A project of this template's shape (strict) also keeps ``.env.<name>`` variants out.
ENV_FILE_PROBES = (".env",)
STRICT_ENV_FILE_PROBES = (".env", ".env.production", "deploy/.env", "a/b/.env", "config/.env.local")
# Variables that a compose file, the platform or the container images read, not the service.
NOT_THE_SERVICE = re.compile(
    r"^(?:POSTGRES_|PG|MYSQL_|MARIADB_|REDIS_PASSWORD$|RABBITMQ_|MONGO_INITDB_|COMPOSE_|DOCKER_|"
    r"UID$|GID$|TZ$|PUID$|PGID$|DJANGO_SETTINGS_MODULE$|PYTHON|VIRTUAL_ENV$|"
    # OpenTelemetry's SDK reads its own variables.
    r"OTEL_)"
)


@check
def example_env(project: Project) -> Iterator[Finding]:
    """The example env file lists what the settings read.

    ``example.env`` (or ``.env.example``, ``.env.sample``, ``env.template``...) is the one place
    that says which variables the service reads; a variable read but not listed is found only
    when a deploy fails, one listed but never read misleads.
    """
    path = project.example_env_path()
    if path is None:
        yield missing(
            "no example env file (example.env, .env.example, .env.sample, env.template, ...): the "
            "variables the service reads are documented nowhere",
            "example.env",
        )
        return
    entries = env_file_entries(project.text(path) or "")
    reads = settings_reads(project)
    listed: dict[str, int] = {}
    for entry in entries:
        if entry.name in listed:
            yield Finding(
                f"lists {entry.name} twice (first on line {listed[entry.name]})", path, entry.line
            )
        listed.setdefault(entry.name, entry.line)
    # An optional variable may be documented commented out, with an example value.
    optional = {entry.name for entry in commented_out_entries(project.text(path) or "")}
    unlisted = sorted(
        ((name, where) for name, where in reads.items() if name not in {*listed, *optional}),
        key=lambda item: item[1],
    )
    if len(unlisted) == 1:
        name, (where, line) = unlisted[0]
        yield Finding(f"reads {name}, which {path} does not list", where, line)
    elif unlisted:
        names = ", ".join(name for name, _ in unlisted)
        where, line = unlisted[0][1]
        yield Finding(
            f"reads {len(unlisted)} variables that {path} does not list ({names}); the first here",
            where,
            line,
        )
    consumers = _other_consumers(project)
    unread = [
        (name, line)
        for name, line in listed.items()
        if name not in reads and not NOT_THE_SERVICE.match(name) and name not in consumers
    ]
    if len(unread) == 1:
        yield Finding(f"lists {unread[0][0]}, which the settings never read", path, unread[0][1])
    elif unread:
        names = ", ".join(name for name, _ in unread)
        yield Finding(
            f"lists {len(unread)} variables the settings never read ({names})", path, unread[0][1]
        )


def _other_consumers(project: Project) -> set[str]:
    """Variables that compose files, Dockerfiles and start scripts use (``${NAME}``)."""
    names: set[str] = set()
    sources = [*project.compose_files(), *project.dockerfile_paths(), *project.start_scripts()]
    for path in sources:
        names.update(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", project.text(path) or ""))
    return names


def _python_secret_assignments(tree: ast.Module) -> Iterator[tuple[str, ast.AST, int]]:
    """(name, value, line) for values bound to names: assignments, keywords, dict entries."""
    for node in walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                name = dotted(target)
                if isinstance(target, ast.Subscript):
                    name = constant_str(target.slice) or ""
                yield name, node.value, node.lineno
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            yield dotted(node.target), node.value, node.lineno
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg:
                    yield keyword.arg, keyword.value, node.lineno
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                key_name = constant_str(key)
                if key_name:
                    yield key_name, value, value.lineno
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            positional = node.args.posonlyargs + node.args.args
            for argument, default in zip(
                positional[len(positional) - len(node.args.defaults) :],
                node.args.defaults,
                strict=True,
            ):
                yield argument.arg, default, node.lineno
            for argument, maybe_default in zip(
                node.args.kwonlyargs, node.args.kw_defaults, strict=True
            ):
                if maybe_default is not None:
                    yield argument.arg, maybe_default, node.lineno


SECRET_WRAPPERS = frozenset({"SecretStr", "SecretBytes", "Secret", "str", "bytes"})
# Quick looks at the text before parsing it (parsing every module of a large repository takes
# seconds): a secret-looking name bound to a literal (in the lower-cased text), a URL with a
# password, or a long literal that is random-looking.
NAME_AND_LITERAL = re.compile(
    r"""(?:secret|passw|passphrase|pwd|token|credential|key)\w*["']?\s*(?::[^=\n]{0,60})?"""
    r"""[:=]\s*(?:\w+\()?[rbu]?["'][^"'\s]{6,}"""
)
URL_WITH_PASSWORD = re.compile(r"""://[^\s:/@"']+:[^\s@/"']+@""")
LONG_LITERAL = re.compile(r"""["']([A-Za-z0-9+/=_-]{24,})["']""")


def _may_hold_a_secret(text: str) -> bool:
    return bool(
        NAME_AND_LITERAL.search(text.lower())
        or ("://" in text and URL_WITH_PASSWORD.search(text))
        or any(is_high_entropy(match.group(1)) for match in LONG_LITERAL.finditer(text))
    )


def _literal(value: ast.AST) -> str | None:
    """A string literal, or a literal wrapped in one call (``SecretStr("...")``)."""
    text = constant_str(value)
    if (
        text is None
        and isinstance(value, ast.Call)
        and dotted(value.func).split(".")[-1] in SECRET_WRAPPERS
        and len(value.args) == 1
    ):
        text = constant_str(value.args[0])
    return text


def python_secret_findings(
    project: Project, path: str, placeholders: frozenset[str] = frozenset()
) -> Iterator[tuple[int, str]]:
    if not _may_hold_a_secret(project.text(path) or ""):
        return
    tree = project.tree(path)
    if tree is None:
        return
    for name, value, line in _python_secret_assignments(tree):
        literal = _literal(value)
        if (
            literal is not None
            and is_secret_name(name)
            and looks_like_credential(literal)
            and literal.lower() not in placeholders
            and not is_label(name, literal)
        ):
            yield line, f"a literal value for {name}: read secrets from the environment"
    for text, number in string_constants(tree):
        url = CREDENTIAL_URL.search(text)
        if url and looks_like_credential(url.group(1)) and url.group(1).lower() not in placeholders:
            yield number, "a URL with a literal password: read it from the environment"
        if is_high_entropy(text):
            yield number, "a high-entropy literal, which looks like a hard-coded secret"


CONFIG_ASSIGNMENT = re.compile(
    r"""(?:^|[\s,{(\-])["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(?:=|:(?=\s))\s*"""
    r"""(["']?)([^\s"',}#]+)\2"""
)
CONFIG_SUFFIXES = (".env", ".yml", ".yaml", ".ini", ".cfg", ".toml", ".json", ".sh", ".conf")


SECRET_WORDS_IN_TEXT = re.compile(r"secret|passw|passphrase|pwd|token|credential|key|://")


def config_secret_findings(
    text: str, *, high_entropy: bool, placeholders: frozenset[str] = frozenset()
) -> Iterator[tuple[int, str]]:
    if not high_entropy and not SECRET_WORDS_IN_TEXT.search(text.lower()):
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("#", "//", ";")):
            continue
        if not high_entropy and not SECRET_WORDS_IN_TEXT.search(line.lower()):
            continue
        for match in CONFIG_ASSIGNMENT.finditer(line):
            name, value = match.group(1), match.group(3)
            if (
                is_secret_name(name)
                and looks_like_credential(value)
                and value.lower() not in placeholders
                and not is_label(name, value)
            ):
                yield number, f"a literal value for {name}: set it in the environment instead"
                break
            if high_entropy and is_high_entropy(value):
                yield number, f"a high-entropy value for {name}, which looks like a secret"
                break
        else:
            for url in CREDENTIAL_URL.finditer(line):
                if looks_like_credential(url.group(1)) and url.group(1).lower() not in placeholders:
                    yield number, "a URL with a literal password: set it in the environment"
                    break


TRANSLATIONS = frozenset({"lang", "langs", "locale", "locales", "i18n", "l10n", "translations"})


def local_names(project: Project) -> frozenset[str]:
    """The project's own name: as a value (``POSTGRES_PASSWORD: mealie``) it is the credential
    of a throwaway local database, a convention like ``postgres``, not a secret."""
    names = {project.name, project.root.name, project.package or ""}
    return frozenset(n.lower() for n in names if n) | frozenset(
        n.lower().replace("-", "_") for n in names if n
    )


def _is_example_env(project: Project, path: str) -> bool:
    return path == project.example_env_path()


@check
def secrets(project: Project) -> Iterator[Finding]:
    """No hard-coded secrets.

    Application code and configuration files are checked for literal values of secret-looking
    names, credentials in URLs, known token formats and high-entropy literals; test code,
    fixtures and development tools only for real-looking tokens of known formats. Placeholders
    (``change-me``, ``postgres``) and obvious fakes are not secrets. The Dockerfile's secrets
    are factor V's.
    """
    placeholders = local_names(project)
    for path in project.files:
        name = path.rsplit("/", 1)[-1]
        if (
            name in CHECKSUM_FILES
            or name.startswith(("LICENSE", "COPYING"))
            or name == "Dockerfile"
            or re.match(r"^requirements.*\.txt$", name)
        ):
            continue
        if TRANSLATIONS.intersection(path.split("/")[:-1]):
            continue  # translated labels ("password": "Passwort") are text, not configuration
        kind = project.kind(path)
        if kind == "test" and not path.endswith(".py"):
            continue  # test data (recorded pages, fixtures): development material, not secrets
        if name.endswith(".json") and path.count("/") > 1 and kind == "runtime":
            continue  # data files of the app, not its configuration
        text = project.text(path)
        if text is None:
            continue
        found: dict[int, str] = {}
        for line, label in known_tokens(text):
            if kind == "test" and label == "a private key":
                continue  # a key pair made for the tests signs nothing real
            found.setdefault(
                line, f"{label} in the repository: revoke it, then read it from the environment"
            )
        development = project.kind(path) != "runtime"
        if path.endswith(".py") and not development:
            for line, message in python_secret_findings(project, path, placeholders):
                found.setdefault(line, message)
        elif not development and (
            name.endswith(CONFIG_SUFFIXES)
            or name in {"Makefile", "Procfile"}
            or _is_example_env(project, path)
        ):
            is_env = name.endswith(".env") or _is_example_env(project, path)
            for line, message in config_secret_findings(
                text, high_entropy=is_env, placeholders=placeholders
            ):
                found.setdefault(line, message)
        for line, message in sorted(found.items()):
            yield Finding(message, path, line)


@check
def env_ignored(project: Project) -> Iterator[Finding]:
    """``.env`` files are ignored by git and by the image build.

    A ``.env`` holds a developer's real secrets: ``.gitignore`` and ``.dockerignore`` must leave
    it out at every depth, and must not leave out the example env file.
    """

    def git(path: str) -> bool:
        return git_ignored(project.gitignore, path)

    def docker(path: str) -> bool:
        return docker_ignored(project.dockerignore, path)

    ignore_files = [(".gitignore", project.gitignore_text, git, project.gitignore)]
    if copies_the_build_context(project):
        ignore_files.append(
            (".dockerignore", project.dockerignore_text, docker, project.dockerignore)
        )
    for ignore_file, text, ignored, rules in ignore_files:
        if text is None:
            yield Finding(
                f"no {ignore_file}: a .env file with real secrets would be "
                f"{'committed' if ignore_file == '.gitignore' else 'copied into the image'}",
                ignore_file,
            )
            continue
        probes = STRICT_ENV_FILE_PROBES if project.strict else ENV_FILE_PROBES
        missed = [probe for probe in probes if not ignored(probe)]
        if missed:
            # Point at the negation that lets one in, if that is what happened.
            negations = [rule for rule in rules if rule.negate and rule.pattern.match(missed[0])]
            yield Finding(
                f"does not ignore {', '.join(missed)}: .env files must be ignored at every depth "
                "(e.g. `**/.env` and `**/.env.*`)",
                ignore_file,
                negations[-1].line if negations else None,
            )
    example = project.example_env_path()
    if example and git_ignored(project.gitignore, example):
        yield Finding(
            f"ignores {example}, the one environment file that belongs in the repository",
            ".gitignore",
        )


def _workload_variables(project: Project, workload: Manifest) -> tuple[set[str], list[str]]:
    """The variable names a workload's containers get, and the sources whose names cannot be
    read (a Secret mounted whole, a ConfigMap defined nowhere in the codebase)."""
    found: set[str] = set()
    unknown: list[str] = []
    config = project.memo(cluster).config_entries(project)
    by_map: dict[str, set[str]] = {}
    for name, _, path, _ in config:
        by_map.setdefault(path, set()).add(name)
    maps = {
        m.name: set(m.body.get("data") or {})
        for m in project.memo(cluster).manifests
        if m.kind == "ConfigMap"
    }
    for kustomization in project.memo(cluster).kustomizations:
        for generator in kustomization.body.get("configMapGenerator") or []:
            names = maps.setdefault(str(generator.get("name")), set())
            names.update(
                str(literal).partition("=")[0] for literal in generator.get("literals") or []
            )
            for env in generator.get("envs") or []:
                path = posixpath.normpath(posixpath.join(kustomization.directory, str(env)))
                names.update(by_map.get(path, set()))
    for container in workload.containers(init=False):
        found.update(str(item.get("name")) for item in container.get("env") or [])
        for source in container.get("envFrom") or []:
            reference = source.get("configMapRef") or {}
            if str(reference.get("name")) in maps:
                found.update(maps[str(reference.get("name"))])
            else:
                kind = "Secret" if "secretRef" in source else "ConfigMap"
                referenced = (reference or source.get("secretRef") or {}).get("name")
                unknown.append(f"{kind} {referenced}")
    return found, unknown


def _commented_config(project: Project) -> set[str]:
    """Optional variables the ConfigMaps' env files list commented out."""
    found: set[str] = set()
    for kustomization in project.memo(cluster).kustomizations:
        for generator in kustomization.body.get("configMapGenerator") or []:
            for env in generator.get("envs") or []:
                path = posixpath.normpath(posixpath.join(kustomization.directory, str(env)))
                found.update(e.name for e in commented_out_entries(project.text(path) or ""))
    return found


@check
def k8s_variables(project: Project) -> Iterator[Finding]:
    """Kubernetes sets exactly the variables example.env lists.

    A variable listed but not in the manifests is found only when a pod fails to start or runs
    on a default; one in the manifests but not listed is configuration nobody documented.
    """
    example = project.example_env_path()
    if example is None:
        return
    listed = {entry.name for entry in env_file_entries(project.text(example) or "")}
    optional = {entry.name for entry in commented_out_entries(project.text(example) or "")}
    mentioned = _commented_config(project)
    for workload in project.memo(cluster).serving():
        given, unknown = _workload_variables(project, workload)
        unmentioned = sorted(optional - given - mentioned)
        if unmentioned:
            yield Finding(
                f"{workload.kind} {workload.name} does not mention {', '.join(unmentioned)} "
                f"({example} documents them as optional): set them in the ConfigMap, or list "
                "them there commented out",
                workload.path,
                workload.line,
            )
        for source in unknown:
            yield missing(
                f"{workload.kind} {workload.name} takes every key of {source}: name the "
                "variables (env with configMapKeyRef/secretKeyRef) so they can be compared with "
                f"{example}",
                workload.path,
            )
        absent, extra = sorted(listed - given), sorted(given - listed - optional)
        if absent and not unknown:
            yield Finding(
                f"{workload.kind} {workload.name} does not set {', '.join(absent)} "
                f"({example} lists them)",
                workload.path,
                workload.line,
            )
        if extra:
            yield Finding(
                f"{workload.kind} {workload.name} sets {', '.join(extra)}, which {example} "
                "does not list",
                workload.path,
                workload.line,
            )


@check
def k8s_secret_values(project: Project) -> Iterator[Finding]:
    """Kubernetes manifests name secrets, never hold them.

    A Secret with data, a secret variable with a ``value:`` or in a ConfigMap puts the value in
    git and in every clone; the manifests refer to a Secret created in the cluster instead.
    """
    kube = project.memo(cluster)
    for manifest in kube.manifests:
        if manifest.kind == "Secret" and (
            manifest.body.get("data") or manifest.body.get("stringData")
        ):
            yield Finding(
                f"Secret {manifest.name} carries values; create it in the cluster and commit "
                "only references to it",
                manifest.path,
                manifest.line,
            )
        for container in manifest.containers() if manifest.kind in WORKLOADS else []:
            for item in container.get("env") or []:
                name, value = str(item.get("name")), item.get("value")
                if value not in (None, "") and (
                    is_secret_name(name) or CREDENTIAL_URL.search(str(value))
                ):
                    yield Finding(
                        f"{manifest.kind} {manifest.name} sets secret {name} to a value; use "
                        "valueFrom.secretKeyRef",
                        manifest.path,
                        manifest.line,
                    )
    for kustomization in kube.kustomizations:
        for generator in kustomization.body.get("secretGenerator") or []:
            if generator.get("literals") or generator.get("envs") or generator.get("files"):
                yield Finding(
                    f"secretGenerator {generator.get('name')} puts secret values in the "
                    "repository; create the Secret in the cluster",
                    kustomization.path,
                )
    for name, value, path, line in kube.config_entries(project):
        if value and (is_secret_name(name) or CREDENTIAL_URL.search(value)):
            yield Finding(
                f"{name} is a secret in a ConfigMap; reference it from a Secret instead",
                path,
                line or None,
            )
