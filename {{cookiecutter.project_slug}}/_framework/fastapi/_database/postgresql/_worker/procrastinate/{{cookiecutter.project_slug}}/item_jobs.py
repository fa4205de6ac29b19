"""The endpoint that hands work to the worker process instead of doing it during the request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from {{ cookiecutter.project_slug }} import logs, worker
from {{ cookiecutter.project_slug }}.database import get_session
from {{ cookiecutter.project_slug }}.models import Item


@asynccontextmanager
async def queue_connection(app: FastAPI) -> AsyncIterator[None]:
    """Deferring a job needs the queue's connection pool: open while the app runs."""
    async with worker.app.open_async():
        yield


# No JsonRoute: the request has no body to parse.
router = APIRouter(prefix="/items", tags=["items"], lifespan=queue_connection)
DatabaseSession = Annotated[Session, Depends(get_session)]


class JobOut(BaseModel):
    job_id: int


@router.post("/{item_id}/normalise", status_code=status.HTTP_202_ACCEPTED)
async def normalise(item_id: int, session: DatabaseSession) -> JobOut:
    """Queue the normalisation of an item's name: 202 with the job's id, the work done later."""
    if await run_in_threadpool(session.get, Item, item_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"there is no item {item_id}")
    job_id = await worker.normalise_item_name.defer_async(
        item_id=item_id, request_id=logs.request_id.get()
    )
    return JobOut(job_id=job_id)
