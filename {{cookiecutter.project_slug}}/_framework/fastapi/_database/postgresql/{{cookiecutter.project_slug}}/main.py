"""The ASGI application that gunicorn's uvicorn workers serve (see gunicorn.conf.py)."""

from __future__ import annotations

import logging.config
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from {{ cookiecutter.project_slug }} import error_tracking, health, {{ "item_jobs, " if cookiecutter.worker == "procrastinate" else "" }}items, telemetry
from {{ cookiecutter.project_slug }}.database import DATABASE_UNAVAILABLE, engine
from {{ cookiecutter.project_slug }}.json_api import install_error_contract
from {{ cookiecutter.project_slug }}.logs import logging_config
from {{ cookiecutter.project_slug }}.middleware import (
    AllowedHostsMiddleware,
    ErrorContractMiddleware,
    RequestLogMiddleware,
)
from {{ cookiecutter.project_slug }}.settings import settings

logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))
logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    logger.info("service started")
    yield
    # Close pooled connections on shutdown (factor IX) rather than let the database time them out.
    engine.dispose()
    logger.info("service stopped")
    # Export the spans and metrics still buffered. Here rather than in gunicorn's worker_exit:
    # uvicorn's worker ends by re-raising SIGTERM, which skips that hook.
    telemetry.shutdown()
    error_tracking.flush()


app = FastAPI(
    # The package name: always a plain identifier, whatever the human-readable name holds.
    title="{{ cookiecutter.project_slug }}",
    debug=settings.debug,
    lifespan=lifespan,
    # The schema and interactive docs only where DEBUG is on: production publishes no map of
    # its endpoints.
    openapi_url="/openapi.json" if settings.debug else None,
    docs_url="/docs" if settings.debug else None,
    redoc_url=None,
)
install_error_contract(app, unavailable=DATABASE_UNAVAILABLE)
app.add_middleware(AllowedHostsMiddleware, allowed_hosts=settings.allowed_hosts)
app.add_middleware(
    ErrorContractMiddleware,
    max_bytes=settings.request_max_bytes,
    hsts_seconds=settings.hsts_seconds,
)
if settings.prometheus_metrics:
    # Imported only when switched on, so that off, prometheus_client is never loaded.
    from {{ cookiecutter.project_slug }}.metrics_middleware import PrometheusMiddleware

    app.add_middleware(PrometheusMiddleware)
# Added last, so it runs first: every response, even a refused host, gets an id and a log line.
app.add_middleware(RequestLogMiddleware)
app.include_router(health.router)
app.include_router(items.router)
{%- if cookiecutter.worker == "procrastinate" %}
app.include_router(item_jobs.router)
{%- endif %}


@app.get("/")
def index() -> dict[str, str]:
    """Say which service this is, so a person poking at the URL knows where they are."""
    return {"service": "{{ cookiecutter.project_slug }}"}
