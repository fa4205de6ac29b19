"""Liveness and readiness probes (factor IX).

``/healthz`` says the process is up and touches nothing else, so a slow dependency never gets a
healthy process restarted. ``/readyz`` says whether the service can do its work now: with no
database to check, whenever it answers at all.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


def readiness() -> tuple[int, dict[str, str]]:
    """HTTP status and per-dependency results."""
    return 200, {}


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz() -> JSONResponse:
    status, checks = readiness()
    body = {"status": "ok" if status == 200 else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=status)
