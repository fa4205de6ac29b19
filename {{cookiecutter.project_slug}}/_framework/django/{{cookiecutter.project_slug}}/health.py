"""Liveness and readiness probes (factor IX), answered before host validation.

``/healthz`` says the process is up and touches nothing else, so a slow dependency never gets a
healthy process restarted. ``/readyz`` says whether the service can do its work now (readiness.py
decides); a load balancer stops sending traffic while it answers 503, as it does while the process
drains on SIGTERM.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from {{ cookiecutter.project_slug }}.readiness import readiness


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            status, checks = readiness()
            return JsonResponse(
                {"status": "ok" if status == 200 else "unavailable", "checks": checks},
                status=status,
            )
        return self.get_response(request)
