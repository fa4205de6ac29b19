"""Alembic environment: the database and the models come from the service's own modules."""

from __future__ import annotations

from alembic import context

from {{ cookiecutter.project_slug }}.database import engine
from {{ cookiecutter.project_slug }}.models import Base

if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported: run against DATABASE_URL.")


def owned_by_models(name: str | None, type_: str, parent_names: object) -> bool:
    """procrastinate's queue tables come from its own schema (migration 0002), not from models."""
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        include_name=owned_by_models,
    )
    with context.begin_transaction():
        context.run_migrations()
