"""Response headers every answer carries, whichever framework serves it.

The service answers JSON only: nothing of it should be sniffed as another type, framed, or given
a referrer. ``Strict-Transport-Security`` is added only on requests that arrived over TLS (the
proxy says so in ``X-Forwarded-Proto``) and only when ``HSTS_SECONDS`` switches it on.
"""

from __future__ import annotations

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    # JSON needs no scripts, styles, frames or forms from anywhere.
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


def hsts(seconds: int) -> str:
    return f"max-age={seconds}; includeSubDomains"
