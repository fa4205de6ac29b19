"""Read typed configuration from environment variables, reporting every problem at once.

Each accessor records what is wrong instead of raising, so that :meth:`Environment.check` can
fail start-up with one message that lists every missing or invalid variable. Secret values are
never included in a message.
"""

from __future__ import annotations

from collections.abc import Mapping

from {{ cookiecutter.project_slug }} import configuration


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
            return configuration.integer(value, minimum=minimum, maximum=maximum)
        except ValueError as error:
            self.problems.append(f"{name}={value!r} {error}")
            return default

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

    def url(self, name: str, *, schemes: tuple[str, ...], default: str | None = None) -> str:
        """A URL; required unless a ``default`` is given ("" for an optional one)."""
        value = self._raw(name, default)
        if not value:
            return ""
        try:
            return configuration.url(value, schemes=schemes)
        except ValueError as error:
            # A URL may carry credentials: the message names the rule, never the value.
            self.problems.append(f"{name} {error}")
            return ""

    def secret(self, name: str, *, allow_placeholder: bool, minimum_length: int) -> str:
        value = self._raw(name, None)
        if value is None or allow_placeholder:
            return value or ""
        try:
            return configuration.secret(value, minimum_length=minimum_length)
        except ValueError as error:
            self.problems.append(f"{name} {error}")
            return value

    def require(self, holds: bool, problem: str) -> None:
        """Record ``problem`` unless ``holds``: a rule that spans two variables."""
        if not holds:
            self.problems.append(problem)

    def check(self) -> None:
        """Fail start-up if any variable was missing or invalid."""
        if self.problems:
            listing = "\n".join(f"  - {problem}" for problem in self.problems)
            raise ConfigurationError(
                f"Configuration error: {len(self.problems)} environment variable(s) need fixing "
                f"(see example.env):\n{listing}"
            )
