"""Liveness and readiness probes (factor IX).

``/healthz`` says the process is up and touches nothing else, so a slow dependency never gets a
healthy process restarted. ``/readyz`` says whether the service can do its work now (readiness.py
decides); a load balancer stops sending traffic while it answers 503, as it does while the process
drains on SIGTERM. Both run on the event loop, never in the thread pool that blocking requests may
fill.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from {{ cookiecutter.project_slug }}.readiness import readiness

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz() -> JSONResponse:
    status, checks = await readiness()
    body = {"status": "ok" if status == 200 else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=status)
