"""JSON endpoints for items: list the latest, create one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from {{ cookiecutter.project_slug }}.database import get_session
from {{ cookiecutter.project_slug }}.errors import storable_text
from {{ cookiecutter.project_slug }}.json_api import JsonRoute
from {{ cookiecutter.project_slug }}.models import Item

PAGE_SIZE = 100

router = APIRouter(prefix="/items", tags=["items"], route_class=JsonRoute)
DatabaseSession = Annotated[Session, Depends(get_session)]


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
