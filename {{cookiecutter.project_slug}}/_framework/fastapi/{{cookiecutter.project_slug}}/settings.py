"""The one settings module (factors III and X): every deploy runs this file unchanged.

Development, CI, staging and production differ only in environment variables; ``example.env``
lists each of them. Importing this module validates them all and fails start-up with a single
message naming every missing or invalid one. Secrets are ``SecretStr``: never printed or logged.
"""

from __future__ import annotations

from typing import Annotated, Literal
{%- if cookiecutter.database == "postgresql" %}
from urllib.parse import urlsplit
{%- endif %}

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Values that example files and tutorials use for secrets; refused unless DEBUG is on.
PLACEHOLDER_SECRETS = frozenset(
    {"change-me", "changeme", "changethis", "secret", "password", "todo"}
)
MINIMUM_SECRET_LENGTH = 32
SECRETS = ("secret_key", "reference_data_api_token")


class ConfigurationError(SystemExit):
    """Start-up cannot continue; Python prints the message and exits with status 1."""


class Settings(BaseSettings):
    # Only the process environment: no .env file is read by the service itself.
    model_config = SettingsConfigDict(env_ignore_empty=True, frozen=True)

    debug: bool = False
    secret_key: SecretStr
    allowed_hosts: Annotated[list[str], NoDecode]

    # Process model (factors VII, VIII, IX), read by gunicorn.conf.py.
    port: int = Field(default=8000, ge=1, le=65535)
    web_concurrency: int = Field(default=2, ge=1, le=64)
    graceful_timeout: int = Field(default=25, ge=1, le=600)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"

    # Attached resources (factor IV): swapping one is a change of URL, not of code.
{%- if cookiecutter.database == "postgresql" %}
    database_url: SecretStr
    database_pool_size: int = Field(default=5, ge=1, le=100)
{%- endif %}
    reference_data_api_url: str
    reference_data_api_token: SecretStr

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            hosts = [host.strip() for host in value.split(",") if host.strip()]
            if not hosts:
                raise ValueError("is empty (give a comma-separated list)")
            return hosts
        return value

    @field_validator("reference_data_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("is not a URL with scheme http or https")
        return value
{%- if cookiecutter.database == "postgresql" %}

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr) -> SecretStr:
        url = urlsplit(value.get_secret_value())
        if url.scheme not in {"postgres", "postgresql"} or not url.netloc:
            # The URL carries the password, so only the expected scheme is shown.
            raise ValueError("is not a URL with scheme postgres or postgresql")
        return value
{%- endif %}

    @field_validator(*SECRETS)
    @classmethod
    def _real_secret(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        if info.data.get("debug"):
            return value
        secret = value.get_secret_value()
        if secret.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("holds a placeholder value, allowed only with DEBUG=true")
        if len(secret) < MINIMUM_SECRET_LENGTH:
            raise ValueError(f"is shorter than {MINIMUM_SECRET_LENGTH} characters")
        return value


def _describe(error: ErrorDetails) -> str:
    name = str(error["loc"][0]).upper() if error["loc"] else "configuration"
    if error["type"] == "missing":
        return f"{name} is missing"
    message = error["msg"].removeprefix("Value error, ")
    if error["loc"] and error["loc"][0] in (*SECRETS, "database_url"):
        return f"{name} {message}"
    if error["type"] == "value_error":
        return f"{name}={error['input']!r} {message}"
    return f"{name}={error['input']!r}: {message[0].lower()}{message[1:]}"


def load_settings() -> Settings:
    """Validate the environment, raising :class:`ConfigurationError` listing every problem."""
    try:
        return Settings()  # values come from the environment
    except ValidationError as error:
        problems = [_describe(detail) for detail in error.errors()]
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise ConfigurationError(
            f"Configuration error: {len(problems)} environment variable(s) need fixing "
            f"(see example.env):\n{listing}"
        ) from None


settings = load_settings()

if __name__ == "__main__":
    # `python -m <package>.settings` checks a deploy's configuration as a one-off process.
    print("Configuration is valid.")
