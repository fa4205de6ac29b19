"""ASGI middleware: request ids with one log event per request (factor XI), the error contract
for what no route handles (oversized bodies, unhandled exceptions), security headers, host checks.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.project_slug }}.errors import error_body
from {{ cookiecutter.project_slug }}.logs import request_id
from {{ cookiecutter.project_slug }}.security import SECURITY_HEADERS, hsts

logger = logging.getLogger("{{ cookiecutter.project_slug }}.requests")

# An id from an upstream proxy is kept so one request can be followed across services; anything
# that does not look like an id is replaced rather than written into the logs.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
PROBE_PATHS = frozenset({"/healthz", "/readyz"})


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        current = incoming if VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(current)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = current
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # Probes arrive every few seconds; keep them out of the default log level.
            level = logging.DEBUG if scope["path"] in PROBE_PATHS else logging.INFO
            logger.log(
                level,
                "request finished",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id.reset(token)


class AllowedHostsMiddleware:
    """Refuse requests for other host names, as Django's ALLOWED_HOSTS does.

    Probes pass whatever their Host header: orchestrators call them by pod or container IP.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.allowed_hosts = [host.lower() for host in allowed_hosts]

    def is_allowed(self, host: str) -> bool:
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        name = name.lower()
        return any(
            pattern == "*"
            or name == pattern
            or (pattern.startswith(".") and (name.endswith(pattern) or name == pattern[1:]))
            for pattern in self.allowed_hosts
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in PROBE_PATHS:
            host = Headers(scope=scope).get("host", "")
            if not self.is_allowed(host):
                response = JSONResponse(error_body(400, "unknown host"), status_code=400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ErrorContractMiddleware:
    """Bodies over ``max_bytes`` get 413 unread; an unhandled exception is logged once, with
    the request id, and answered 500 as JSON; every response gets the security headers."""

    def __init__(self, app: ASGIApp, max_bytes: int, hsts_seconds: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.hsts_seconds = hsts_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"request bodies are limited to {self.max_bytes} bytes"
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:  # a chunked body with no Content-Length
                raise HTTPException(413, too_large)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if self.hsts_seconds and self._over_tls(scope):
                    headers.setdefault("Strict-Transport-Security", hsts(self.hsts_seconds))
            await send(message)

        declared = Headers(scope=scope).get("content-length", "0")
        if not (declared.isascii() and declared.isdigit()):
            await self._send_error(scope, send_with_headers, 400, "Content-Length is not a number")
            return
        if int(declared) > self.max_bytes:
            await self._send_error(scope, send_with_headers, 413, too_large)
            return
        try:
            await self.app(scope, limited_receive, send_with_headers)
        except Exception:
            logger.exception("unhandled error", extra={"path": scope["path"]})
            if not started:
                detail = "the service failed; the X-Request-ID header identifies this request"
                await self._send_error(scope, send_with_headers, 500, detail)

    @staticmethod
    def _over_tls(scope: Scope) -> bool:
        # TLS ends at the platform's proxy, which says so in this header.
        return Headers(scope=scope).get("x-forwarded-proto") == "https"

    async def _send_error(self, scope: Scope, send: Send, status: int, detail: str) -> None:
        response = JSONResponse(error_body(status, detail), status_code=status)

        async def no_body() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, no_body, send)
