"""Prometheus's ``/metrics``, and the request count and duration it shows (request_metrics.py).

Listed in MIDDLEWARE after the probes, which would otherwise fill the counts every few seconds,
and before host validation: Prometheus scrapes each process by its pod or container address, as
orchestrators call the probes. With ``PROMETHEUS_METRICS`` off it takes itself out of the chain
before importing prometheus_client, so ``/metrics`` is a 404 like any unknown path.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse


class PrometheusMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.PROMETHEUS_METRICS:
            raise MiddlewareNotUsed
        from {{ cookiecutter.project_slug }} import request_metrics

        self.get_response = get_response
        self.metrics = request_metrics

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == self.metrics.METRICS_PATH:
            body, content_type = self.metrics.exposition()
            return HttpResponse(body, content_type=content_type)
        started = time.perf_counter()
        response = self.get_response(request)
        # Known once the URL resolver has run: "/items/<int:item_id>", not "/items/42".
        match = request.resolver_match
        route = f"/{match.route}" if match else self.metrics.UNMATCHED_ROUTE
        seconds = time.perf_counter() - started
        self.metrics.observe(request.method or "", route, response.status_code, seconds)
        return response
