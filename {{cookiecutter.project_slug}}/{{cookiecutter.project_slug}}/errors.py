"""The error contract, the same for every framework: what a client gets when a request fails.

Every error is a small JSON object, ``{"error": <code>, "detail": <sentence>}``, with the HTTP
status carrying the rest. A detail never holds a stack trace and never more than a short excerpt
of what the client sent, so a hostile request cannot make the answer (or the log) large.

Request bodies are parsed here, strictly, so both frameworks refuse the same inputs with the same
statuses: malformed JSON, over-deep nesting and over-long numbers are 400; text that UTF-8 or
PostgreSQL cannot store is 422.
"""

from __future__ import annotations

import json
from typing import Any

CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}
# Seconds a client should wait before retrying a 503: long enough for a database fail-over.
RETRY_AFTER_SECONDS = 5
# JSON deeper than any real payload of this API; the parser's own limit is a RecursionError.
MAX_DEPTH = 32
# Longer numbers are refused before Python converts them (int() is quadratic in the digits).
MAX_NUMBER_LENGTH = 100
EXCERPT_LENGTH = 40


class ClientError(Exception):
    """A request the service refuses; the framework turns it into the JSON error body."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def error_body(status: int, detail: str) -> dict[str, str]:
    """The one shape of every error response."""
    return {"error": CODES.get(status, "error"), "detail": detail}


def excerpt(value: object, limit: int = EXCERPT_LENGTH) -> str:
    """A short, printable excerpt of client input, safe to put in a detail or a log line."""
    text = value if isinstance(value, str) else repr(value)
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "..."


def is_json_media_type(content_type: str | None) -> bool:
    """``application/json`` (any parameters, any ``+json`` suffix); nothing else."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def require_json_media_type(content_type: str | None) -> None:
    # A missing or form content type is what a cross-site HTML form sends: refuse it.
    if not is_json_media_type(content_type):
        raise ClientError(415, "send the body as application/json")


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER_LENGTH:
        raise ClientError(400, f"numbers are limited to {MAX_NUMBER_LENGTH} characters")
    return float(text) if any(mark in text for mark in ".eE") else int(text)


def _no_constant(name: str) -> None:
    raise ClientError(400, f"{name} is not valid JSON")


def _depth(value: Any) -> int:
    deepest, pending = 0, [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, depth)
            children = current.values() if isinstance(current, dict) else current
            pending.extend((child, depth + 1) for child in children)
    return deepest


def parse_json(body: bytes) -> Any:
    """Decode a request body as strict JSON, or raise :class:`ClientError` (400)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ClientError(400, "the body is not valid UTF-8") from None
    try:
        value = json.loads(
            text, parse_int=_number, parse_float=_number, parse_constant=_no_constant
        )
    except json.JSONDecodeError as error:
        raise ClientError(400, f"the body is not valid JSON ({error.msg})") from None
    except RecursionError:
        raise ClientError(400, f"JSON nesting is limited to {MAX_DEPTH} levels") from None
    if _depth(value) > MAX_DEPTH:
        raise ClientError(400, f"JSON nesting is limited to {MAX_DEPTH} levels")
    return value


def storable_text(value: str) -> str | None:
    """Why PostgreSQL cannot store ``value`` as text, or None if it can."""
    if "\x00" in value:
        return "must not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode (no unpaired surrogates)"
    return None
