"""The JSON error contract (errors.py) wired into FastAPI.

FastAPI answers errors in its own shape and echoes a client's whole input in a 422; these
handlers give every error the one small shape instead. Request bodies go through the same strict
parser as in every other framework's service (see :class:`JsonRoute`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from {{ cookiecutter.project_slug }}.errors import (
    RETRY_AFTER_SECONDS,
    ClientError,
    error_body,
    excerpt,
    parse_json,
    require_json_media_type,
)

logger = logging.getLogger(__name__)

# Said instead of the bare status phrase that Starlette gives ("Not Found").
DEFAULT_DETAILS = {
    400: "the request is malformed",
    404: "there is nothing at this path",
    405: "this method is not allowed here",
    413: "the request body is too large",
    503: "the service is unavailable; retry later",
}


def json_error(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    headers = dict(headers or {})
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return JSONResponse(error_body(status, detail), status_code=status, headers=headers)


class StrictJsonRequest(Request):
    """A request whose JSON body is parsed by the shared strict parser."""

    async def json(self) -> Any:
        if not hasattr(self, "_strict_json"):
            try:
                self._strict_json = parse_json(await self.body())
            except ClientError as error:
                # FastAPI passes HTTPException through its body parsing; anything else is 400.
                raise HTTPException(error.status, error.detail) from None
        return self._strict_json


class JsonRoute(APIRoute):
    """Routes that take JSON: other content types get 415, bodies the strict parser."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            if request.method in {"POST", "PUT", "PATCH"}:
                try:
                    require_json_media_type(request.headers.get("content-type"))
                except ClientError as error:
                    return json_error(error.status, error.detail)
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict_handler


async def _http_error(request: Request, error: Exception) -> Response:
    error = cast(HTTPException, error)
    detail = str(error.detail)
    if detail == HTTPStatus(error.status_code).phrase:
        detail = DEFAULT_DETAILS.get(error.status_code, detail)
    return json_error(error.status_code, detail, dict(error.headers or {}))


async def _invalid(request: Request, error: Exception) -> Response:
    error = cast(RequestValidationError, error)
    # The first problem only, and never the input itself: a 422 must not echo a large body.
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
    return json_error(422, excerpt(f"{where}: {message}" if where else message, limit=120))


async def _client_error(request: Request, error: Exception) -> Response:
    error = cast(ClientError, error)
    return json_error(error.status, error.detail)


async def _unavailable(request: Request, error: Exception) -> Response:
    # Expected while a backing service restarts or fails over: a warning, not a traceback.
    logger.warning("backing service unavailable", extra={"error": type(error).__name__})
    return json_error(503, "a backing service is unavailable; retry later")


def install_error_contract(app: FastAPI, unavailable: tuple[type[Exception], ...] = ()) -> None:
    """Answer errors as JSON; ``unavailable`` are the exceptions of a backing service that is
    down or unreachable, answered 503 with Retry-After."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(ClientError, _client_error)
    for exception in unavailable:
        app.add_exception_handler(exception, _unavailable)
