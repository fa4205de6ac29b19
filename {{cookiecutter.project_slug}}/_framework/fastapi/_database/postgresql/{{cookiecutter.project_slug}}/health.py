"""Liveness and readiness probes (factor IX).

``/healthz`` says the process is up and touches nothing else, so a slow database never gets a
healthy process restarted. ``/readyz`` says whether the service can do its work now; a load
balancer stops sending traffic while it answers 503.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from {{ cookiecutter.project_slug }}.database import engine

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


def readiness() -> tuple[int, dict[str, str]]:
    """HTTP status and per-dependency results."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        logger.warning("readiness check failed: database unavailable", extra={"error": str(error)})
        return 503, {"database": "unavailable"}
    return 200, {"database": "ok"}


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz() -> JSONResponse:
    status, checks = readiness()
    body = {"status": "ok" if status == 200 else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=status)
