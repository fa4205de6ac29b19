"""IX. Disposability: fast start-up, graceful shutdown, probes to start and stop safely."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from typing import Any

from ..kubernetes import cluster
from ..parsers import constant_str, dotted, env_file_entries, walk
from ..project import Project
from ..registry import check
from ..results import Finding, missing


@check
def exec_form(project: Project) -> Iterator[Finding]:
    """The image's start command gets SIGTERM.

    A shell-form ``CMD`` (or a shell without ``exec``) makes ``/bin/sh`` PID 1: the server never
    gets SIGTERM and is killed mid-request when the platform stops it.
    """
    for path, instructions in project.dockerfiles():
        final = max((i.stage for i in instructions), default=0)
        for instruction in instructions:
            if instruction.keyword not in {"CMD", "ENTRYPOINT"} or instruction.stage != final:
                continue
            form = instruction.exec_form()
            if form is None:
                yield Finding(
                    f"shell-form {instruction.keyword}: /bin/sh becomes PID 1 and the server "
                    f'never gets SIGTERM; write {instruction.keyword} ["...", "..."]',
                    path,
                    instruction.line,
                )
            elif (
                len(form) >= 3
                and form[0].rsplit("/", 1)[-1] in {"sh", "bash", "dash"}
                and form[1] == "-c"
                and "exec " not in form[2]
            ):
                yield Finding(
                    f"{instruction.keyword} runs the server under a shell without `exec`: "
                    "SIGTERM stops the shell, not the server",
                    path,
                    instruction.line,
                )


@check
def graceful_timeout(project: Project) -> Iterator[Finding]:
    """gunicorn says how long requests in flight get after SIGTERM.

    Without ``graceful_timeout`` the platform's stop timeout and the server's disagree, and
    requests are cut off.
    """
    config = project.gunicorn_config()
    if config is None:
        return
    settings = project.gunicorn_settings()
    commands = " ".join(command for _, _, command in project.web_commands())
    if "graceful_timeout" not in settings and "--graceful-timeout" not in commands:
        yield Finding(
            "no graceful_timeout: say how long in-flight requests get after SIGTERM "
            "(GRACEFUL_TIMEOUT)",
            config,
        )


ROUTE_CALLS = frozenset(
    {"get", "head", "route", "api_route", "add_api_route", "add_route", "path", "re_path", "url"}
)
LIVENESS = frozenset(
    {"healthz", "health", "livez", "live", "liveness", "alive", "ping", "heartbeat", "status",
     "health/live", "healthcheck", "health-check", "_health", "-/health", "api/health",
     "api/healthz", "api/v1/health", "api/app/about", "ht"}
)  # fmt: skip
READINESS = frozenset({"readyz", "ready", "readiness", "health/ready", "api/ready", "-/ready"})
# A string literal that is a probe's path, before parsing a module to find its routes. Words
# that are common values too ("status", "ready") count only with a slash.
HINT = re.compile(
    r"""["']\^?/?(?:healthz?|readyz?|livez|liveness|readiness|healthcheck|health-check|_health|"""
    r"""health/\w+|api/(?:v\d/)?health\w*|api/app/about)/?\$?["']|"""
    r"""["']\^?(?:/(?:ready|live|alive|ping|heartbeat|status|ht|-/\w+)/?|"""
    r"""(?:ready|live|alive|ping|heartbeat|status|ht)/)\$?["']"""
)


def probe_routes(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """Paths that a route, a URL pattern or a path comparison answers."""
    for node in walk(tree):
        candidates: Sequence[ast.expr] = []
        if isinstance(node, ast.Call):
            callee = dotted(node.func).split(".")[-1]
            if callee in ROUTE_CALLS or callee == "Route":
                candidates = node.args[:1]
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(dotted(side).split(".")[-1] in {"path", "path_info"} for side in sides):
                candidates = [
                    element
                    for side in sides
                    for element in (
                        side.elts if isinstance(side, ast.Set | ast.Tuple | ast.List) else [side]
                    )
                ]
        if isinstance(node, ast.Call) and re.search(r"(?i)health|probe", dotted(node.func)):
            # A probe wrapped around the app: ``health_check(application, "/health/")``.
            candidates = [*candidates, *node.args, *(k.value for k in node.keywords)]
        for candidate in candidates:
            value = constant_str(candidate)
            if value is not None:
                yield value.strip("/^$"), getattr(node, "lineno", 0)


def routes(project: Project) -> set[str]:
    found: set[str] = set()
    for path in project.application_python():
        if not HINT.search(project.text(path) or ""):
            continue
        tree = project.tree(path)
        if tree is not None:
            found.update(route for route, _ in probe_routes(tree))
    return found


@check
def probes(project: Project) -> Iterator[Finding]:
    """Liveness and readiness routes.

    The platform starts and stops instances safely only when it can ask each whether it is
    alive (``/healthz``, ``/health``...) and ready for traffic (``/readyz``, ``/ready``...).
    """
    found = project.memo(routes)
    for kinds, purpose in ((LIVENESS, "liveness (/healthz)"), (READINESS, "readiness (/readyz)")):
        if not (found & kinds):
            probe = "healthz" if kinds is LIVENESS else "readyz"
            yield missing(
                f"no /{probe} route: no {purpose} probe found to start and stop instances safely",
                project.package_dir(),
            )


def _serves_http(container: dict[str, Any]) -> bool:
    """A container of the web process: it declares a port, or runs the image's own command
    (the Procfile's ``web``). Another process type (a worker) has a command and no port."""
    return bool(container.get("ports")) or not container.get("command")


def _probe_path(container: dict[str, Any], probe: str) -> str | None:
    action = (container.get(probe) or {}).get("httpGet") or {}
    path = action.get("path")
    return str(path) if path is not None else None


@check
def k8s_probes(project: Project) -> Iterator[Finding]:
    """Kubernetes probes ask the service's own probe routes.

    A readiness probe on a path the service does not serve keeps every pod out of the Service;
    a liveness probe there restarts pods forever; without a readiness probe a rollout sends
    traffic to pods that cannot answer yet.
    """
    served = project.memo(routes)
    for workload in project.memo(cluster).serving():
        for container in filter(_serves_http, workload.containers(init=False)):
            where = f"{workload.kind} {workload.name}, container {container.get('name')}"
            for probe, kinds in (("readinessProbe", READINESS), ("livenessProbe", LIVENESS)):
                path = _probe_path(container, probe)
                if path is None:
                    yield Finding(f"{where}: no HTTP {probe}", workload.path, workload.line)
                elif path.strip("/") not in served:
                    yield Finding(
                        f"{where}: {probe} asks {path}, which the service does not serve",
                        workload.path,
                        workload.line,
                    )
                elif path.strip("/") not in kinds:
                    route = "readiness (/readyz)" if kinds is READINESS else "liveness (/healthz)"
                    yield Finding(
                        f"{where}: {probe} asks {path}; use the {route} route",
                        workload.path,
                        workload.line,
                    )


def _pre_stop_seconds(container: dict[str, Any]) -> int:
    pre_stop = (container.get("lifecycle") or {}).get("preStop") or {}
    seconds = (pre_stop.get("sleep") or {}).get("seconds")
    command = (pre_stop.get("exec") or {}).get("command") or []
    if seconds is None and len(command) == 2 and str(command[0]).endswith("sleep"):
        seconds = command[1]
    return int(str(seconds)) if str(seconds).isdigit() else 0


def _timeout(project: Project, variable: str) -> tuple[int, str] | None:
    """A timeout variable as the manifests configure it, else as example.env documents it."""
    for name, value, path, _ in project.memo(cluster).config_entries(project):
        if name == variable and value.isdigit():
            return int(value), path
    example = project.example_env_path()
    for entry in env_file_entries(project.text(example) or "") if example else []:
        if entry.name == variable and entry.value.isdigit():
            return int(entry.value), example or ""
    return None


@check
def k8s_grace_period(project: Project) -> Iterator[Finding]:
    """The grace period covers preStop and the shutdown timeout.

    After ``terminationGracePeriodSeconds`` the kubelet kills the pod: shorter than the preStop
    pause plus the server's GRACEFUL_TIMEOUT, requests in flight are cut off at every rollout;
    shorter than a worker's WORKER_SHUTDOWN_TIMEOUT, running jobs are killed, not handed back.
    """
    for workload in project.memo(cluster).serving():
        grace = workload.pod_spec().get("terminationGracePeriodSeconds", 30)
        for container in workload.containers(init=False):
            variable = "GRACEFUL_TIMEOUT" if _serves_http(container) else "WORKER_SHUTDOWN_TIMEOUT"
            timeout = _timeout(project, variable)
            if timeout is None:
                if variable == "GRACEFUL_TIMEOUT":
                    yield missing(f"{variable} is set nowhere: the grace period cannot be judged")
                continue
            needed = _pre_stop_seconds(container) + timeout[0]
            if not isinstance(grace, int) or grace <= needed:
                yield Finding(
                    f"{workload.kind} {workload.name}: terminationGracePeriodSeconds {grace} does "
                    f"not exceed the preStop pause plus {variable}={timeout[0]} "
                    f"({timeout[1]}): {needed} s; make it longer",
                    workload.path,
                    workload.line,
                )
