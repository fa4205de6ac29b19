"""Mutations that break factor IX. Disposability."""

from __future__ import annotations

from support.mutations.edits import (
    BOTH_DATABASES,
    CMD,
    DEPLOYMENT,
    K8S_BASE,
    KUBERNETES,
    SLUG,
    Mutation,
    drop_lines,
    edit,
)

MUTATIONS = [
    Mutation(
        "shell-form CMD",
        frozenset({"disposability.exec-form"}),
        r"Dockerfile:\d+: shell-form CMD: /bin/sh becomes PID 1",
        lambda p, f: edit(p, "Dockerfile", CMD, "CMD gunicorn --config gunicorn.conf.py"),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "a shell without exec in an exec-form CMD",
        frozenset({"disposability.exec-form"}),
        r"Dockerfile:\d+: CMD runs the server under a shell without `exec`",
        lambda p, f: edit(
            p, "Dockerfile", CMD, 'CMD ["sh", "-c", "gunicorn --config gunicorn.conf.py"]'
        ),
    ),
    Mutation(
        "no /readyz",
        frozenset({"disposability.probes"}),
        rf"{SLUG}/: no /readyz route",
        lambda p, f: edit(p, f"{SLUG}/health.py", '"/readyz"', '"/version"'),
        databases=BOTH_DATABASES,
    ),
    Mutation(
        "no /healthz",
        frozenset({"disposability.probes"}),
        rf"{SLUG}/: no /healthz route",
        lambda p, f: edit(p, f"{SLUG}/health.py", '"/healthz"', '"/about"'),
    ),
    Mutation(
        "no graceful timeout",
        frozenset({"disposability.graceful-timeout"}),
        r"gunicorn\.conf\.py: no graceful_timeout",
        lambda p, f: drop_lines(p, "gunicorn.conf.py", "graceful_timeout ="),
    ),
    Mutation(
        "a Kubernetes readiness probe on a path the service does not serve",
        frozenset({"disposability.k8s-probes"}),
        r"deploy/k8s/base/deployment\.yaml:\d+: Deployment web, container web: readinessProbe "
        r"asks /ready, which the service does not serve",
        lambda p, f: edit(p, DEPLOYMENT, "path: /readyz", "path: /ready"),
        databases=BOTH_DATABASES,
        answers=KUBERNETES,
    ),
    Mutation(
        "a Kubernetes liveness probe on the readiness route",
        frozenset({"disposability.k8s-probes"}),
        r"livenessProbe asks /readyz; use the liveness \(/healthz\) route",
        lambda p, f: edit(
            p,
            DEPLOYMENT,
            "livenessProbe:\n            httpGet:\n              path: /healthz",
            "livenessProbe:\n            httpGet:\n              path: /readyz",
        ),
        answers=KUBERNETES,
    ),
    Mutation(
        "a Kubernetes grace period shorter than the preStop pause plus GRACEFUL_TIMEOUT",
        frozenset({"disposability.k8s-grace-period"}),
        r"deploy/k8s/base/deployment\.yaml:\d+: Deployment web: terminationGracePeriodSeconds 30 "
        r"does not exceed the preStop pause plus GRACEFUL_TIMEOUT=25",
        lambda p, f: edit(
            p, DEPLOYMENT, "terminationGracePeriodSeconds: 40", "terminationGracePeriodSeconds: 30"
        ),
        answers=KUBERNETES,
    ),
    Mutation(
        "a Kubernetes worker grace period shorter than WORKER_SHUTDOWN_TIMEOUT",
        frozenset({"disposability.k8s-grace-period"}),
        r"deploy/k8s/base/worker\.yaml:\d+: Deployment worker: terminationGracePeriodSeconds 20 "
        r"does not exceed the preStop pause plus WORKER_SHUTDOWN_TIMEOUT=25",
        lambda p, f: edit(
            p,
            f"{K8S_BASE}/worker.yaml",
            "terminationGracePeriodSeconds: 40",
            "terminationGracePeriodSeconds: 20",
        ),
        frameworks=("django",),
        workers=("procrastinate",),
        answers=KUBERNETES,
    ),
]
