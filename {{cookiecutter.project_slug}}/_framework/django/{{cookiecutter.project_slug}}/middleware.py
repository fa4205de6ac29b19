"""Give every request an id and log one event when it finishes (factor XI)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from {{ cookiecutter.project_slug }}.logs import request_id

logger = logging.getLogger("{{ cookiecutter.project_slug }}.requests")

# An id from an upstream proxy is kept so one request can be followed across services; anything
# that does not look like an id is replaced rather than written into the logs.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
PROBE_PATHS = frozenset({"/healthz", "/readyz"})


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        current = incoming if VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(current)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = current
            # Probes arrive every few seconds; keep them out of the default log level.
            level = logging.DEBUG if request.path in PROBE_PATHS else logging.INFO
            logger.log(
                level,
                "request finished",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            request_id.reset(token)
