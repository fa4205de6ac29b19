"""Rules for configuration values that every framework's settings apply the same way.

Each rule returns the parsed value or raises ``ValueError`` with a message that completes the
sentence "<VARIABLE> ...". URL messages never quote the value: a URL may carry a password.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

# Python's int() also takes " 8080", "8_000" and digits of other scripts; a deploy setting that
# looks like that is a typo to report, not a number to guess.
ASCII_INTEGER = re.compile(r"[0-9]+")
# Characters a URL may hold as they are; anything else (spaces, quotes, non-ASCII, controls)
# must be percent-encoded.
URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
PERCENT_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
PLACEHOLDER_SECRETS = frozenset(
    {"change-me", "changeme", "changethis", "secret", "password", "todo"}
)
# Django's deploy check asks for 50 characters and 5 different ones; the same for every secret
# that signs something.
SECRET_KEY_LENGTH = 50
TOKEN_LENGTH = 32
MINIMUM_DISTINCT_CHARACTERS = 5


def integer(value: str, *, minimum: int, maximum: int) -> int:
    """A plain decimal integer within bounds."""
    if not ASCII_INTEGER.fullmatch(value) or not minimum <= int(value) <= maximum:
        raise ValueError(f"is not an integer from {minimum} to {maximum}")
    return int(value)


def _port(parts: SplitResult) -> None:
    host_and_port = parts.netloc.rpartition("@")[2]
    if host_and_port.endswith("]") or ":" not in host_and_port:
        return
    port = host_and_port.rpartition(":")[2]
    if port and (not ASCII_INTEGER.fullmatch(port) or not 1 <= int(port) <= 65535):
        raise ValueError("has a port that is not a number from 1 to 65535")


def url(value: str, *, schemes: tuple[str, ...]) -> str:
    """An absolute URL with one of ``schemes``, a host, and reserved characters encoded."""
    allowed = " or ".join(schemes)
    if not URL_CHARACTERS.fullmatch(value) or PERCENT_ESCAPE.search(value):
        raise ValueError(
            "holds characters that must be percent-encoded (spaces, quotes, non-ASCII, a % not "
            "followed by two hex digits)"
        )
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise ValueError(f"is not a URL with scheme {allowed}")
    if "@" in parts.path + parts.query + parts.fragment or parts.netloc.count("@") > 1:
        raise ValueError(
            "has a user or password with reserved characters (/ ? # @ :) that must be "
            "percent-encoded"
        )
    if not parts.hostname and "host=" not in parts.query:
        raise ValueError("has no host")
    _port(parts)
    return value


def secret(value: str, *, minimum_length: int) -> str:
    """A real secret: no example placeholder, long and varied enough to resist guessing."""
    if value.strip().lower() in PLACEHOLDER_SECRETS:
        raise ValueError("holds a placeholder value, allowed only with DEBUG=true")
    if len(value) < minimum_length:
        raise ValueError(f"is shorter than {minimum_length} characters")
    if len(set(value)) < MINIMUM_DISTINCT_CHARACTERS:
        raise ValueError(f"has fewer than {MINIMUM_DISTINCT_CHARACTERS} different characters")
    return value
