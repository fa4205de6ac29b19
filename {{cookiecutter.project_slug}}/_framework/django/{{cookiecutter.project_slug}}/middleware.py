"""Request ids and one log event per request (factor XI); the JSON error contract."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from {{ cookiecutter.project_slug }}.errors import RETRY_AFTER_SECONDS, ClientError, error_body
from {{ cookiecutter.project_slug }}.logs import request_id
from {{ cookiecutter.project_slug }}.security import SECURITY_HEADERS, hsts

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


# What a client is told for an error response the framework wrote itself (HTML or empty).
DEFAULT_DETAILS = {
    400: "the request is malformed",
    403: "this request is not allowed",
    404: "there is nothing at this path",
    405: "this method is not allowed here",
    413: "the request body is too large",
    500: "the service failed; the X-Request-ID header identifies this request in its logs",
    503: "the service is unavailable; retry later",
}


def json_error(status: int, detail: str) -> JsonResponse:
    response = JsonResponse(error_body(status, detail), status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ErrorContractMiddleware:
    """Every error as the JSON error contract, and the security headers on every response.

    Bodies over ``REQUEST_MAX_BYTES`` are refused from their Content-Length, unread. A database
    that is down or unreachable gives 503 with Retry-After; the worker is free again at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._refuse_body(request) or self.get_response(request)
        if response.status_code >= 400 and response.get("Content-Type") != "application/json":
            # Rewritten in place: its other headers (Allow) and Django's note that it has been
            # logged stay, so an error is logged once.
            detail = DEFAULT_DETAILS.get(response.status_code, "request failed")
            response.content = json.dumps(error_body(response.status_code, detail))
            response["Content-Type"] = "application/json"
            if response.has_header("Content-Length"):  # set by CommonMiddleware for the page
                response["Content-Length"] = str(len(response.content))
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if settings.HSTS_SECONDS and request.is_secure():
            response.headers.setdefault("Strict-Transport-Security", hsts(settings.HSTS_SECONDS))
        return response

    def _refuse_body(self, request: HttpRequest) -> HttpResponse | None:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isascii() or not length.isdigit():
            return json_error(400, "Content-Length is not a number")
        if int(length) > settings.REQUEST_MAX_BYTES:
            return json_error(
                413, f"request bodies are limited to {settings.REQUEST_MAX_BYTES} bytes"
            )
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ClientError):
            return json_error(exception.status, exception.detail)
        if isinstance(exception, OperationalError | InterfaceError):
            # Expected while the database restarts or fails over: a warning, not a traceback.
            logger.warning("database unavailable", extra={"error": type(exception).__name__})
            return json_error(503, "the database is unavailable; retry later")
        return None  # Django logs it with its traceback and answers 500


class BusyMiddleware:
    """Keep one of each worker's threads free of application requests.

    Requests that wait on a stalled database hold their threads; the probes must still be
    answered, so a request that finds every other thread busy gets 503 at once instead of
    queueing behind them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.slots = threading.BoundedSemaphore(settings.WORKER_THREADS - 1)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.slots.acquire(blocking=False):
            return json_error(503, "the service is busy; retry later")
        try:
            return self.get_response(request)
        finally:
            self.slots.release()
