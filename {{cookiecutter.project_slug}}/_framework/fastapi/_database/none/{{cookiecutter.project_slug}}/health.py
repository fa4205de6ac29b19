"""Liveness and readiness probes (factor IX).

``/healthz`` says the process is up and touches nothing else. ``/readyz`` says whether the
service can do its work now; a load balancer stops sending traffic while it answers 503, as it
does while the process drains on SIGTERM. Both run on the event loop, never in the thread pool.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from {{ cookiecutter.project_slug }}.lifecycle import draining

router = APIRouter(tags=["health"])


def readiness() -> tuple[int, dict[str, str]]:
    """HTTP status and per-dependency results."""
    if draining():
        return 503, {"shutdown": "draining"}
    return 200, {}


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz() -> JSONResponse:
    status, checks = readiness()
    body = {"status": "ok" if status == 200 else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=status)
