"""Unhandled errors reported to Sentry, or to any service that speaks its protocol.

Off unless ``SENTRY_DSN`` is set: then sentry_sdk is not even imported. On, each gunicorn worker
starts its own client after the fork (the thread that sends events would not survive one) and
flushes it as it stops. The SDK's own variables (``SENTRY_ENVIRONMENT``, ``SENTRY_RELEASE``) name
the deploy.

No personal data leaves: ``send_default_pii`` stays false, so events carry no client address,
cookies, authorization headers or request bodies. Each event is tagged with the request id of
the request it happened in, and its trace id when tracing is on, so a reported error leads to
that request's log lines and its trace.
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

    sentry_sdk.init(dsn=dsn, send_default_pii=False, before_send=_with_request_ids)
    _started = True
    return True


def _with_request_ids(event: Event, hint: Hint) -> Event:
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
