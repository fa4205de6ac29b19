"""ASGI middleware: request ids with one log event per request (factor XI), and host checks."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.project_slug }}.logs import request_id

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
                response = PlainTextResponse("Invalid host header", status_code=400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
