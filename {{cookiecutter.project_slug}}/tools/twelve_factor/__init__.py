"""Twelve-factor conformance checker: a scorecard of https://12factor.net for a project.

Usage: ``python -m tools.twelve_factor [PATH] [--strict] [--json | --format github]
[--waive CHECK=REASON]... [--list]``, or ``twelve-factor`` when installed from the template
repository (``pip install git+<template>``), or its pre-commit hook.

It reads the project tree (static analysis only: nothing is imported, installed or run), needs
only the standard library and is the same in every project. It reports, per factor, pass or
fail with evidence as ``file:line: why [check id]``; a convention that is simply absent (no
Procfile, no example env file) is a *missing fact*, which fails only with ``--strict`` (or
``strict = true`` under ``[tool.twelve-factor]`` in pyproject.toml). The exit status is 1 when a
factor fails. Waive a check with a reason under ``[tool.twelve-factor.waive]``.

Layout: ``project`` (the files, read once, and what they declare), ``ignore`` (.gitignore and
.dockerignore), ``parsers``, ``packages`` (names, requirements, locks: shared with the template's
hooks and tests), ``settings`` (the variables a service reads), ``secrets``, ``registry`` (the
factors and the check ids), ``results``, ``runner``, ``cli``, and ``factors/``, one module per
factor, each check a function whose docstring is its title and explanation.

The checks (``--list``; this table is tested against the registry):

I     codebase.one-settings             One settings module, not one per environment.
I     codebase.settings-switch          No DJANGO_SETTINGS_MODULE chosen per environment.
I     codebase.environment-branch       The settings do not branch on the environment's name.
I     codebase.one-repository           No repository nested in the repository.
I     codebase.conflict-markers         No unresolved merge conflicts.
II    dependencies.declared             Every third-party import is declared.
II    dependencies.lock-missing         A lock pins what is declared.
II    dependencies.lock-stale           The lock matches the declaration.
II    dependencies.locked-install       The image installs the lock.
III   config.example-env                The example env file lists what the settings read.
III   config.secrets                    No hard-coded secrets.
III   config.env-ignored                ``.env`` files are ignored by git and by the image build.
III   config.k8s-variables              Kubernetes sets exactly the variables example.env lists.
III   config.k8s-secret-values          Kubernetes manifests name secrets, never hold them.
IV    backing-services.attached         No backing-service address in the code.
V     build.no-env-file                 No ``.env`` file copied into the image.
V     build.no-secret                   No secret passed to or baked into the build.
VI    processes.no-local-writes         No file written at run time.
VII   port-binding.env-port             The server binds the port from the environment.
VIII  concurrency.process-types         The process types are declared.
VIII  concurrency.workers               The worker count comes from the environment.
VIII  concurrency.worker-concurrency    A job worker's concurrency comes from the environment.
VIII  concurrency.no-daemon             No daemon and no PID file.
IX    disposability.exec-form           The image's start command gets SIGTERM.
IX    disposability.graceful-timeout    gunicorn says how long requests in flight get after SIGTERM.
IX    disposability.probes              Liveness and readiness routes.
IX    disposability.k8s-probes          Kubernetes probes ask the service's own probe routes.
IX    disposability.k8s-grace-period    The grace period covers preStop and the shutdown timeout.
X     parity.postgres-major             One PostgreSQL major everywhere.
X     parity.python-version             One Python everywhere.
X     parity.no-sqlite                  No SQLite standing in for the production database.
XI    logs.stdout                       Logs are an event stream on stdout.
XII   admin.release                     A release process type for one-off admin tasks.
XII   admin.no-boot-migration           No migrations at start-up or build.
XII   admin.k8s-release-job             Kubernetes migrates in a Job, never in the serving pods.
"""

from .registry import FACTORS, REGISTRY, checks, checks_table
from .results import Finding, Scorecard
from .runner import check_project

__all__ = ["FACTORS", "REGISTRY", "Finding", "Scorecard", "check_project", "checks", "checks_table"]
