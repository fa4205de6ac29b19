"""Prometheus's ``/metrics``, and the request count and duration it shows (request_metrics.py).

Added to the app only when ``PROMETHEUS_METRICS`` is on. It leaves out the probes, which would
otherwise fill the counts every few seconds, and runs before host validation: Prometheus scrapes
each process by its pod or container address, as orchestrators call the probes.
"""

from __future__ import annotations

import time

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.project_slug }}.middleware import PROBE_PATHS
from {{ cookiecutter.project_slug }}.request_metrics import (
    METRICS_PATH,
    UNMATCHED_ROUTE,
    exposition,
    observe,
)


class PrometheusMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PROBE_PATHS:
            await self.app(scope, receive, send)
            return
        if scope["path"] == METRICS_PATH:
            body, content_type = exposition()
            await Response(body, headers={"Content-Type": content_type})(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            # The router records the matched route in the scope: "/items/{item_id}", not
            # "/items/42".
            route = getattr(scope.get("route"), "path", UNMATCHED_ROUTE)
            observe(scope["method"], route, status, time.perf_counter() - started)
