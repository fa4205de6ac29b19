"""Logs as an event stream (factor XI): one JSON object per line on stdout, nothing on disk.

The platform collects stdout; the service never opens a log file. ``LOG_FORMAT=console`` gives
a human-readable line instead, for local work.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# Python warnings (a deprecation, a missing static directory) become log events like any other,
# not raw text on stderr in the middle of the JSON stream.
logging.captureWarnings(True)

# The id of the request being handled, added to every log line written while handling it.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged,
# except uvicorn's copy of each message with terminal colour codes.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


class RequestIdFilter(logging.Filter):
    """Copy the current request id onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: timestamp, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES:
                event[key] = value
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, default=str)


class ConsoleFormatter(logging.Formatter):
    """A readable line for a developer's terminal, extras appended as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{key}={value}"
            for key, value in vars(record).items()
            if key not in _STANDARD_ATTRIBUTES and value is not None
        )
        line = super().format(record)
        return f"{line} {extras}" if extras else line


def logging_config(level: str, log_format: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` mapping that sends every logger to stdout."""
    formatter = JsonFormatter if log_format == "json" else ConsoleFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": {"()": formatter}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["request_id"],
                "formatter": "default",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        # Server and framework loggers keep their own handlers otherwise; route them to stdout too.
        "loggers": {
            **{
                name: {"handlers": [], "level": level, "propagate": True}
                for name in ("gunicorn.error", "django", "uvicorn", "uvicorn.error")
            },
            # The app logs each request itself, with its request id: no second access log.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": True},
            # Below WARNING these log every SQL statement with its parameters: client data.
            **{
                name: {"handlers": [], "level": "WARNING", "propagate": True}
                for name in ("django.db.backends", "sqlalchemy.engine")
            },
        },
    }
