"""What counts as a secret: secret-looking names, credential-looking values, known token
formats and high-entropy literals, with the placeholders and fakes that are not secrets."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator


def shannon_entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def name_words(name: str) -> list[str]:
    """``reference_data_apiToken`` -> ``["reference", "data", "api", "token"]``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [word.lower() for word in re.split(r"[^A-Za-z0-9]+", spaced) if word]


SECRET_WORDS = frozenset(
    {
        "secret",
        "secrets",
        "password",
        "passwords",
        "passwd",
        "passphrase",
        "pwd",
        "token",
        "tokens",
        "credential",
        "credentials",
        "apikey",
        "privatekey",
    }
)
# ``<qualifier>_KEY`` is a secret; other ``*_KEY`` names (cache keys, sort keys) are not.
KEY_QUALIFIERS = frozenset(
    {
        "api",
        "secret",
        "private",
        "access",
        "signing",
        "encryption",
        "auth",
        "master",
        "client",
        "app",
        "license",
        "webhook",
        "session",
        "account",
    }
)


def is_secret_name(name: str) -> bool:
    """Whether ``name`` names a secret itself: it ends in a secret word (``DB_PASSWORD``,
    ``api_token``) or in a qualified key (``SECRET_KEY``, ``aws_access_key``), not merely
    mentions one (``password_reset_url``, ``email_password_status``)."""
    words = name_words(name)
    if not words:
        return False
    if words[-1] in SECRET_WORDS:
        return True
    return len(words) >= 2 and words[-1] == "key" and words[-2] in KEY_QUALIFIERS


# Values that stand for a secret without being one: the service refuses these unless DEBUG=true,
# and the official database images' conventional local credentials.
PLACEHOLDER_VALUES = frozenset(
    {
        "change-me",
        "changeme",
        "change_me",
        "changethis",
        "replace-me",
        "replaceme",
        "secret",
        "password",
        "passwd",
        "postgres",
        "example",
        "dummy",
        "fake",
        "test",
        "testing",
        "todo",
        "placeholder",
    }
)
# Words that mark a documented example value wherever they appear in it.
PLACEHOLDER_MARKERS = (
    "fixme",
    "changeme",
    "change-me",
    "change_me",
    "replace",
    "your-",
    "your_",
    "placeholder",
    "example",
    "dummy",
    "insecure",
    "xxxx",
    "<",
    "todo",
)
PLACEHOLDER_PREFIXES = ("your-", "your_", "example", "dummy", "fake", "placeholder", "change")
# Values of secret-looking keys that are not credentials (GitHub's ``id-token: write``).
NON_SECRET_VALUES = frozenset(
    {"read", "write", "none", "true", "false", "null", "yes", "no", "on", "off", "required"}
)
MINIMUM_CREDENTIAL_LENGTH = 6


def is_reference(value: str) -> bool:
    """A value taken from elsewhere at run time: ``$VAR``, ``${VAR}``, GitHub's secrets."""
    return value.startswith("$") or "${" in value or "$(" in value or "%(" in value


IDENTIFIER = re.compile(r"^[a-z]+(?:[_.-][a-z]+)*$")
SECRET_WORD_IN_VALUE = re.compile(r"secret|passw|token|credential|key")


def is_label(name: str, value: str) -> bool:
    """``INVALID_PASSWORD = "invalid_password"``: an identifier naming the secret (an error
    code, an event name, a form field), not the secret."""
    lowered = value.lower()
    if re.sub(r"[-_.]", "", lowered) == re.sub(r"[-_.]", "", name.lower()):
        return True
    return bool(IDENTIFIER.match(lowered) and SECRET_WORD_IN_VALUE.search(lowered))


def looks_like_credential(value: str) -> bool:
    value = value.strip().strip("\"'").strip()
    lowered = value.lower()
    if not value or is_reference(value) or (value.startswith("<") and value.endswith(">")):
        return False
    if any(char.isspace() for char in value):
        return False  # a sentence (a label, an error message), not a credential
    if lowered in PLACEHOLDER_VALUES or lowered in NON_SECRET_VALUES:
        return False
    if lowered.startswith(PLACEHOLDER_PREFIXES) or set(value) <= set("x*.-_ "):
        return False
    if any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return False
    return len(value) >= MINIMUM_CREDENTIAL_LENGTH


TOKEN_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern))
    for label, pattern in (
        ("a GitHub token", r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b"),
        ("a GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b"),
        ("an AWS access key id", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        ("a Stripe live key", r"\b(?:sk|rk)_live_[0-9A-Za-z]{10,}\b"),
        ("a Slack token", r"\bxox[abposr]-[0-9A-Za-z-]{10,}"),
        ("a Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
        ("a GitLab token", r"\bglpat-[0-9A-Za-z_-]{20,}"),
        ("an npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("a PyPI token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
        ("a private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    )
)
FAKE_MARKERS = re.compile(
    r"(?i)example|fake|dummy|test|sample|placeholder|x{6}|0{6}|0123456|123456|abcdef"
)


def is_obviously_fake(token: str) -> bool:
    if "PRIVATE KEY" in token:
        return False
    return bool(FAKE_MARKERS.search(token)) or shannon_entropy(token) < 3.0


ANY_TOKEN_FORMAT = re.compile("|".join(pattern.pattern for _, pattern in TOKEN_FORMATS))


# Substrings every token format starts with: a fast look before the regular expressions.
TOKEN_MARKERS = (
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "AKIA", "ASIA", "ABIA", "ACCA",
    "_live_", "xox", "AIza", "glpat-", "npm_", "pypi-AgEI", "PRIVATE KEY",
)  # fmt: skip


def known_tokens(text: str) -> Iterator[tuple[int, str]]:
    """(line, what) for each real-looking token of a known format in ``text``."""
    if not any(marker in text for marker in TOKEN_MARKERS) or not ANY_TOKEN_FORMAT.search(text):
        return
    for number, line in enumerate(text.splitlines(), start=1):
        for label, pattern in TOKEN_FORMATS:
            match = pattern.search(line)
            if match and not is_obviously_fake(match.group(0)):
                yield number, label
                break


HIGH_ENTROPY_CANDIDATE = re.compile(r"^[A-Za-z0-9+/=_-]{24,}$")
HEX_CANDIDATE = re.compile(r"^[0-9a-fA-F]{32,}$")


def is_high_entropy(value: str) -> bool:
    if HEX_CANDIDATE.match(value):
        has_letters = any(char.isalpha() for char in value)
        return has_letters and any(c.isdigit() for c in value) and shannon_entropy(value) > 3.3
    if not HIGH_ENTROPY_CANDIDATE.match(value):
        return False
    kinds = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
        )
    )
    return kinds == 3 and shannon_entropy(value) > 4.0


CREDENTIAL_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@\"']+:([^\s@/\"']+)@")
