"""JSON endpoints for items: list the latest, create one, show one with its reference data."""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from {{ cookiecutter.project_slug }}.database import get_session
from {{ cookiecutter.project_slug }}.errors import storable_text
from {{ cookiecutter.project_slug }}.json_api import JsonRoute
from {{ cookiecutter.project_slug }}.models import Item
from {{ cookiecutter.project_slug }}.reference_data import ReferenceDataClient, ReferenceDataError
from {{ cookiecutter.project_slug }}.settings import settings

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
# The id column is a PostgreSQL bigint: a larger number can name no item.
MAX_ID = 2**63 - 1

router = APIRouter(prefix="/items", tags=["items"], route_class=JsonRoute)
DatabaseSession = Annotated[Session, Depends(get_session)]


@functools.cache
def reference_data() -> ReferenceDataClient:
    """One client per worker process, so its connections to the API are reused across requests.

    Created on first use, after gunicorn has forked the worker.
    """
    return ReferenceDataClient(
        settings.reference_data_api_url, settings.reference_data_api_token.get_secret_value()
    )


ReferenceData = Annotated[ReferenceDataClient, Depends(reference_data)]


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")

    @field_validator("name")
    @classmethod
    def _storable(cls, value: str) -> str:
        problem = storable_text(value)
        if problem:
            raise ValueError(problem)
        return value


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime


class ItemDetail(ItemOut):
    reference_data: dict[str, Any]


class ItemList(BaseModel):
    items: list[ItemOut]


@router.get("")
def list_items(session: DatabaseSession) -> ItemList:
    query = select(Item).order_by(Item.created_at.desc(), Item.id.desc()).limit(PAGE_SIZE)
    return ItemList(items=[ItemOut.model_validate(item) for item in session.scalars(query)])


@router.post("", status_code=status.HTTP_201_CREATED)
def create_item(payload: ItemIn, session: DatabaseSession) -> ItemOut:
    item = Item(name=payload.name.strip())
    session.add(item)
    session.commit()
    session.refresh(item)
    return ItemOut.model_validate(item)


@router.get("/{item_id}")
def get_item(
    item_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: DatabaseSession, api: ReferenceData
) -> ItemDetail:
    """One item, with what the reference-data API knows about its name."""
    item = session.get(Item, item_id)
    if item is None:
        raise HTTPException(404, f"there is no item {item_id}")
    try:
        reference = api.lookup("items", name=item.name)
    except ReferenceDataError as error:
        # An attached resource that is down is answered like the database: 503, retry later.
        logger.warning("reference-data API unavailable", extra={"error": str(error)})
        raise HTTPException(503, "the reference-data API is unavailable; retry later") from None
    return ItemDetail(**ItemOut.model_validate(item).model_dump(), reference_data=reference)
