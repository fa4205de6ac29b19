"""The one settings module (factors III and X): every deploy runs this file unchanged.

Development, CI, staging and production differ only in environment variables; ``example.env``
lists each of them. Importing this module validates them all and fails start-up with a single
message naming every missing or invalid one. Secrets are ``SecretStr``: never printed or logged.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from {{ cookiecutter.project_slug }} import configuration

SECRETS = {
    "secret_key": configuration.SECRET_KEY_LENGTH,
    "reference_data_api_token": configuration.TOKEN_LENGTH,
}
URLS = ("database_url", "reference_data_api_url", "sentry_dsn")


class ConfigurationError(SystemExit):
    """Start-up cannot continue; Python prints the message and exits with status 1."""


def integer(minimum: int, maximum: int) -> BeforeValidator:
    """The same integer rule as every other framework's settings (configuration.integer)."""

    def parse(value: object) -> object:
        if isinstance(value, str):
            return configuration.integer(value, minimum=minimum, maximum=maximum)
        return value

    return BeforeValidator(parse)


class Settings(BaseSettings):
    # Only the process environment: no .env file is read by the service itself.
    model_config = SettingsConfigDict(env_ignore_empty=True, frozen=True)

    debug: bool = False
    secret_key: SecretStr
    allowed_hosts: Annotated[list[str], NoDecode]

    # Process model (factors VII, VIII, IX), read by gunicorn.conf.py.
    port: Annotated[int, integer(1, 65535)] = 8000
    web_concurrency: Annotated[int, integer(1, 64)] = 2
    graceful_timeout: Annotated[int, integer(1, 600)] = 25
    drain_seconds: Annotated[int, integer(0, 599)] = 5

    # Request bodies above this size are refused (413) before they are read.
    request_max_bytes: Annotated[int, integer(1024, 1_073_741_824)] = 1_048_576
    # Switched on for deploys served over TLS (the proxy sets X-Forwarded-Proto).
    hsts_seconds: Annotated[int, integer(0, 63_072_000)] = 0
    # The service sets no cookies yet; any it sets must pass secure=settings.secure_cookies.
    secure_cookies: bool = False

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    # Optional, off unless set: a /metrics endpoint for Prometheus to scrape, and unhandled errors
    # reported to Sentry. Traces and metrics over OTLP are configured by OpenTelemetry's own
    # OTEL_* variables (telemetry.py).
    prometheus_metrics: bool = False
    sentry_dsn: SecretStr = SecretStr("")

    # Attached resources (factor IV): swapping one is a change of URL, not of code.
{%- if cookiecutter.database == "postgresql" %}
    database_url: SecretStr
    database_pool_size: Annotated[int, integer(1, 100)] = 5
    # Bounds every database operation: connecting, each statement, and a silent network.
    database_timeout: Annotated[int, integer(1, 300)] = 5
{%- endif %}
{%- if cookiecutter.worker == "procrastinate" %}
    # The background worker (Procfile `worker`): jobs it runs at once, and the seconds a running
    # job gets to finish after SIGTERM before it is aborted and retried by another worker.
    worker_concurrency: Annotated[int, integer(1, 100)] = 4
    worker_shutdown_timeout: Annotated[int, integer(1, 3600)] = 25
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
        return configuration.url(value, schemes=("http", "https"))
{%- if cookiecutter.database == "postgresql" %}

    @field_validator("sentry_dsn")
    @classmethod
    def _optional_http_url(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value():
            configuration.url(value.get_secret_value(), schemes=("http", "https"))
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr) -> SecretStr:
        configuration.url(value.get_secret_value(), schemes=("postgres", "postgresql"))
        return value
{%- endif %}

    @field_validator(*SECRETS)
    @classmethod
    def _real_secret(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        if not info.data.get("debug"):
            minimum_length = SECRETS[str(info.field_name)]
            configuration.secret(value.get_secret_value(), minimum_length=minimum_length)
        return value

    @model_validator(mode="after")
    def _drain_within_graceful_timeout(self) -> Settings:
        if self.drain_seconds >= self.graceful_timeout:
            raise ValueError(
                f"DRAIN_SECONDS={self.drain_seconds} must be less than "
                f"GRACEFUL_TIMEOUT={self.graceful_timeout}"
            )
        return self


def _describe(error: ErrorDetails) -> str:
    name = str(error["loc"][0]).upper() if error["loc"] else "configuration"
    if error["type"] == "missing":
        return f"{name} is missing"
    message = error["msg"].removeprefix("Value error, ")
    if not error["loc"]:
        return message
    if error["loc"][0] in (*SECRETS, *URLS):
        # The value is a secret or may carry one: name the rule, never the value.
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
