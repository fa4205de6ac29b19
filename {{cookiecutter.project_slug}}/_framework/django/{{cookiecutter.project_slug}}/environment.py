"""Read typed configuration from environment variables, reporting every problem at once.

Each accessor records what is wrong instead of raising, so that :meth:`Environment.check` can
fail start-up with one message that lists every missing or invalid variable. Secret values are
never included in a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

# Values that example files and tutorials use for secrets; refused unless DEBUG is on.
PLACEHOLDER_SECRETS = frozenset(
    {"change-me", "changeme", "changethis", "secret", "password", "todo"}
)
MINIMUM_SECRET_LENGTH = 32


class ConfigurationError(SystemExit):
    """Start-up cannot continue; Python prints the message and exits with status 1."""


class Environment:
    """Typed accessors over a mapping of environment variables."""

    def __init__(self, variables: Mapping[str, str]) -> None:
        self._variables = variables
        self.problems: list[str] = []

    def _raw(self, name: str, default: str | None) -> str | None:
        """The variable's text, its default when unset or empty, or None (recorded) if required."""
        value = self._variables.get(name, "")
        if value != "":
            return value
        if default is None:
            self.problems.append(f"{name} is missing")
        return default

    def string(self, name: str, *, default: str | None = None) -> str:
        return self._raw(name, default) or ""

    def boolean(self, name: str, *, default: bool) -> bool:
        value = self._raw(name, "true" if default else "false") or ""
        normalised = value.strip().lower()
        if normalised in {"1", "true", "yes", "on"}:
            return True
        if normalised in {"0", "false", "no", "off"}:
            return False
        self.problems.append(f"{name}={value!r} is not a boolean (use true or false)")
        return default

    def integer(self, name: str, *, default: int, minimum: int, maximum: int) -> int:
        value = self._raw(name, str(default)) or ""
        try:
            number = int(value)
        except ValueError:
            number = minimum - 1
        if not minimum <= number <= maximum:
            self.problems.append(f"{name}={value!r} is not an integer from {minimum} to {maximum}")
            return default
        return number

    def choice(self, name: str, *, default: str, choices: tuple[str, ...]) -> str:
        value = self._raw(name, default) or default
        if value not in choices:
            self.problems.append(f"{name}={value!r} is not one of {', '.join(choices)}")
            return default
        return value

    def csv(self, name: str) -> list[str]:
        value = self._raw(name, None)
        if value is None:
            return []
        items = [item.strip() for item in value.split(",") if item.strip()]
        if not items:
            self.problems.append(f"{name}={value!r} is empty (give a comma-separated list)")
        return items

    def url(self, name: str, *, schemes: tuple[str, ...]) -> str:
        value = self._raw(name, None)
        if value is None:
            return ""
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.netloc:
            # A URL may carry credentials, so only the variable and the expected scheme are shown.
            self.problems.append(f"{name} is not a URL with scheme {' or '.join(schemes)}")
        return value

    def secret(self, name: str, *, allow_placeholder: bool) -> str:
        value = self._raw(name, None)
        if value is None or allow_placeholder:
            return value or ""
        if value.strip().lower() in PLACEHOLDER_SECRETS:
            self.problems.append(f"{name} holds a placeholder value, allowed only with DEBUG=true")
        elif len(value) < MINIMUM_SECRET_LENGTH:
            self.problems.append(f"{name} is shorter than {MINIMUM_SECRET_LENGTH} characters")
        return value

    def check(self) -> None:
        """Fail start-up if any variable was missing or invalid."""
        if self.problems:
            listing = "\n".join(f"  - {problem}" for problem in self.problems)
            raise ConfigurationError(
                f"Configuration error: {len(self.problems)} environment variable(s) need fixing "
                f"(see example.env):\n{listing}"
            )
