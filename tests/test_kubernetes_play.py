"""deploy_target=kubernetes, run for real: the staging overlay's release Job and then its
Deployment and ConfigMap, with a Secret of test values, played by ``podman kube play`` on the
project's image against a real PostgreSQL.

One combination (the defaults): tests/test_kubernetes.py checks every combination's manifests
statically, and what this adds (a pod of the image starting from the manifests) does not depend
on the framework or the database driver. What ``kube play`` has no kind for is said in the test
output as checked statically only.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CONTAINER_SUMMARY, unavailable
from container_engine import Engine
from support.images import (
    TcpPostgres,
    build_image,
    image_python_version,
    image_tag,
    prune_old_test_images,
    unpin_stand_ins,
)
from support.service import PRODUCTION, create_database, find_python
from support.stand_in_images import ensure_python_base_image
from support.system import free_port, wait_http
from support.template import varying

pytestmark = [pytest.mark.container, pytest.mark.integration]

BIN = Path(sys.executable).parent
[COMBINATION] = varying(deploy_target="kubernetes")
# What `podman kube play` (4.3 and later) creates: the rest of the overlay is checked statically.
PLAYED = {"Deployment", "ConfigMap", "Job"}  # the Job as the Pod of its template


@contextlib.contextmanager
def forward(target_port: int, allowed: Callable[[str], bool]) -> Iterator[int]:
    """A TCP port on every interface that forwards to 127.0.0.1:``target_port``, for peers that
    ``allowed`` accepts (the containers' network): pods reach the loopback-only test database
    through it, as a cluster's pods reach a managed database."""
    listener = socket.create_server(("0.0.0.0", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def serve() -> None:
        while not stop.is_set():
            try:
                client, (peer, _) = listener.accept()
            except TimeoutError:
                continue
            if not allowed(peer):
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def container_network(engine: Engine) -> Callable[[str], bool]:
    """Whether an address belongs to a subnet of podman's networks (pods join the default)."""
    names = engine.cli("network", "ls", "--format", "{{.Name}}").stdout.split()
    found = json.loads(engine.cli("network", "inspect", *names).stdout)
    subnets = [
        ipaddress.ip_network(subnet["subnet"])
        for network in found
        for subnet in network.get("subnets") or []
    ]
    return lambda address: any(ipaddress.ip_address(address) in net for net in subnets)


@pytest.fixture(scope="module")
def played_image(
    engine: Engine, bake: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str, list[str]]:
    """The defaults with deploy_target=kubernetes: the project, its image and the notices."""
    if engine.name != "podman":
        unavailable(f"`podman kube play` needs podman; the engine here is {engine.name}")
    version = image_python_version()
    if version is None:
        unavailable("no local interpreter for any python_version of cookiecutter.json")
    combination = {**COMBINATION, "python_version": version}
    base = ensure_python_base_image(engine, version)
    prune_old_test_images(engine)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TWELVE_FACTOR_LOCK", "1")  # the image installs from the lock: make one
        patch.setenv("UV_PYTHON", find_python(version) or "")
        project = bake(**combination)
    context = tmp_path_factory.mktemp("kube-build") / "context"
    subprocess.run(["cp", "-a", str(project), str(context)], check=True)
    notices = [base, *unpin_stand_ins(context, [base])]
    # The image tests build the same Dockerfile: the engine's layer cache serves both.
    tag = f"{image_tag(combination)}-kubernetes"
    locks = (engine.cache or tmp_path_factory.getbasetemp()) / "locks"
    build_image(engine, context, tag, locks)
    return project, tag, notices


def staging(project: Path) -> list[dict[str, Any]]:
    built = subprocess.run(
        [BIN / "kubectl", "kustomize", "deploy/k8s/overlays/staging"],
        cwd=project, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [document for document in yaml.safe_load_all(built) if document]


def for_podman(
    manifests: list[dict[str, Any]], image: str, secret: str, port: int, suffix: str
) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    """The release Job's pod, and the Deployment with its ConfigMap, as this machine runs
    them; returns the changes made, each said in the test output."""
    [config] = [m for m in manifests if m["kind"] == "ConfigMap"]
    [deployment] = [m for m in manifests if m["kind"] == "Deployment"]
    [job] = [m for m in manifests if m["kind"] == "Job"]
    config["data"].update(PORT=str(port), ALLOWED_HOSTS="127.0.0.1,localhost", DRAIN_SECONDS="1")
    changes = [
        f"image: the local build {image}, not the registry digest deploy.yml pins",
        f"ConfigMap: PORT={port}, ALLOWED_HOSTS=127.0.0.1,localhost, DRAIN_SECONDS=1 (test values)",
        f"Secret web: podman secret {secret} with test values (podman 4.3 stores a played "
        "Secret in a form its own secretKeyRef cannot read)",
        f"Deployment: containerPort {port} published as hostPort {port}",
    ]
    for workload in (deployment, job):
        workload["metadata"].pop("namespace", None)
        for container in workload["spec"]["template"]["spec"]["containers"]:
            container["image"] = image
            for item in container.get("env") or []:
                item["valueFrom"]["secretKeyRef"]["name"] = secret
    config["metadata"].pop("namespace", None)
    deployment["metadata"]["name"] = f"web-{suffix}"
    [web] = deployment["spec"]["template"]["spec"]["containers"]
    web["ports"] = [{"name": "http", "containerPort": port, "hostPort": port}]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"release-{suffix}", "labels": job["metadata"]["labels"]},
        "spec": job["spec"]["template"]["spec"],
    }
    return pod, [config, deployment], changes


def play(engine: Engine, path: Path, documents: list[dict[str, Any]]) -> list[str]:
    """``podman kube play`` the documents; the containers it started (no infra container)."""
    path.write_text(yaml.safe_dump_all(documents))
    engine.cli("kube", "play", str(path), timeout=300)
    names = [
        f"{doc['metadata']['name']}-{container['name']}"
        if doc["kind"] == "Pod"
        else f"{doc['metadata']['name']}-pod-0-{container['name']}"
        for doc in documents
        if doc["kind"] in {"Pod", "Deployment"}
        for container in (doc["spec"] if doc["kind"] == "Pod" else doc["spec"]["template"]["spec"])[
            "containers"
        ]
    ]
    return names


def state(engine: Engine, container: str) -> dict[str, Any]:
    found = json.loads(engine.cli("inspect", container).stdout)
    return dict(found[0]["State"])


def logs(engine: Engine, container: str) -> str:
    result = engine.cli("logs", container, check=False)
    return result.stdout + result.stderr


def test_staging_overlay_releases_then_serves_and_stops_under_podman_kube_play(
    engine: Engine,
    played_image: tuple[Path, str, list[str]],
    postgres_tcp: TcpPostgres,
    tmp_path: Path,
    record_property: Any,
) -> None:
    project, image, notices = played_image
    suffix = uuid.uuid4().hex[:8]
    secret, port = f"web-{suffix}", free_port()
    manifests = staging(project)
    pod, serving, changes = for_podman(manifests, image, secret, port, suffix)
    grace = serving[1]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    database = create_database(postgres_tcp.server_url, f"kube_{suffix}")
    played: list[Path] = []
    with forward(postgres_tcp.port, container_network(engine)) as database_port:
        values = {
            "SECRET_KEY": PRODUCTION["SECRET_KEY"],
            "REFERENCE_DATA_API_TOKEN": PRODUCTION["REFERENCE_DATA_API_TOKEN"],
            "DATABASE_URL": database.replace(
                f"127.0.0.1:{postgres_tcp.port}", f"host.containers.internal:{database_port}"
            ),
        }
        # secretKeyRef reads a podman secret as a JSON object of base64 values.
        encoded = {
            name: base64.b64encode(value.encode()).decode() for name, value in values.items()
        }
        engine.cli("secret", "create", secret, "-", input=json.dumps(encoded))
        try:
            played.append(tmp_path / "release.yaml")
            [release] = play(engine, played[-1], [serving[0], pod])
            deadline = time.monotonic() + 180
            while state(engine, release)["Running"] and time.monotonic() < deadline:
                time.sleep(0.5)
            finished = state(engine, release)
            assert (finished["Running"], finished["ExitCode"]) == (False, 0), logs(engine, release)
            import psycopg

            with psycopg.connect(database) as connection:
                (tables,) = connection.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                ).fetchone() or (0,)
            assert tables > 0, "the release Job's pod applied no migrations"

            played.append(tmp_path / "web.yaml")
            [web] = play(engine, played[-1], serving)
            try:
                ready = wait_http(
                    f"http://127.0.0.1:{port}/readyz",
                    90,
                    statuses={200},
                    alive=lambda: bool(state(engine, web)["Running"]),
                )
            except (TimeoutError, RuntimeError) as error:
                raise AssertionError(f"{error}\n{logs(engine, web)}") from None
            assert json.loads(ready.body) == {"status": "ok", "checks": {"database": "ok"}}
            # The manifests' hardening is what the pod ran with.
            running = json.loads(engine.cli("inspect", web).stdout)[0]
            assert running["HostConfig"]["ReadonlyRootfs"] is True
            assert running["Config"]["User"].split(":")[0] == "10001"
            assert running["EffectiveCaps"] in (None, [])

            since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
            # As the kubelet ends a pod: SIGTERM, then the grace period before SIGKILL. `kube
            # down` alone on podman 4.3 kills the container (measured: exit 137, where SIGTERM
            # ends gunicorn with 0), so the pod is stopped first and `kube down` removes it.
            started = time.monotonic()
            engine.cli("pod", "stop", "--time", str(grace), f"{web.rsplit('-', 1)[0]}", timeout=120)
            took = time.monotonic() - started
            engine.cli("kube", "down", str(played.pop()), timeout=120)
            # The container is gone with its state: how it ended is in the engine's events.
            events = engine.cli(
                "events", "--stream=false", "--since", since, "--filter", f"container={web}",
                "--filter", "event=died", "--format", "json",
            ).stdout  # fmt: skip
        finally:
            for path in reversed(played):
                engine.cli("kube", "down", str(path), check=False, timeout=120)
            engine.cli("secret", "rm", secret, check=False)
    assert took < grace, f"the web pod took {took:.1f} s to stop"
    died = [json.loads(line) for line in events.splitlines() if line.strip()]
    # podman leaves an exit code of 0 out of the event.
    assert [event.get("ContainerExitCode", 0) for event in died] == [0], events
    kinds = sorted({m["kind"] for m in manifests} - PLAYED)
    lines = [
        *notices,
        *changes,
        "kube play (staging overlay): release Job (as its Pod), Deployment web, ConfigMap "
        "(Secret as a podman secret) ran against PostgreSQL",
        f"kube play (staging overlay): checked statically only: {', '.join(kinds)}",
        f"kube play: the web pod stopped on SIGTERM in {took:.1f} s (exit 0); kube down removed it",
    ]
    print(*lines, sep="\n")
    for line in lines[-3:]:
        record_property(CONTAINER_SUMMARY, line)
