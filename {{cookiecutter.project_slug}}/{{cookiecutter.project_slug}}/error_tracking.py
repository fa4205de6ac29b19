"""Unhandled errors reported to Sentry, or to any service that speaks its protocol.

Off unless ``SENTRY_DSN`` is set: then sentry_sdk is not even imported. On, each gunicorn worker
starts its own client after the fork (the thread that sends events would not survive one) and
flushes it as it stops. The SDK's own variables (``SENTRY_ENVIRONMENT``, ``SENTRY_RELEASE``) name
the deploy.

No personal data leaves: events carry no client address, cookies, authorization headers,
request bodies or the local variables of the failing code (which would hold all of them). Each
event is tagged with the request id of the request it happened in, and its trace id when
tracing is on, so a reported error leads to that request's log lines and its trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from {{ cookiecutter.project_slug }} import logs

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

# Seconds a stopping worker waits for its last events to be sent.
FLUSH_SECONDS = 2.0

_started = False


def start(dsn: str) -> bool:
    """Start reporting to ``dsn`` from this process, if it is set. Returns whether it is."""
    global _started
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        # No client addresses, cookies, users or authorization headers.
        send_default_pii=False,
        # A stack frame's local variables hold the raw request (an ASGI scope keeps every header,
        # cookies and tokens included) and whatever a view was handling: the SDK would send them
        # whatever send_default_pii says. The traceback's file, line and code are enough.
        include_local_variables=False,
        # Request bodies are what clients sent, personal data included.
        max_request_body_size="never",
        before_send=with_request_ids,
    )
    _started = True
    return True


def with_request_ids(event: Event, hint: Hint) -> Event:
    """Tag an event with the ids that lead to its request's log lines and trace."""
    tags = dict(event.get("tags") or {})
    current = logs.request_id.get()
    if current:
        tags["request_id"] = current
    ids = logs.trace_ids()
    if ids:
        tags["trace_id"] = ids[0]
    event["tags"] = tags
    return event


def flush() -> None:
    """Send what is still queued: the worker is about to exit."""
    if _started:
        import sentry_sdk

        sentry_sdk.flush(timeout=FLUSH_SECONDS)
