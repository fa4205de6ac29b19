"""The PostgreSQL connection pool, built from DATABASE_URL (factor IV).

The pool is created when the app starts and disposed when it stops (see main.py's lifespan),
so a worker that is shut down closes its connections instead of leaving them to time out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.project_slug }}.settings import settings


def sqlalchemy_url(database_url: str) -> str:
    """``postgresql://...`` as SQLAlchemy's psycopg 3 dialect wants it."""
    url = make_url(database_url).set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


# The database is down, unreachable or too slow to hand out a connection: 503, not 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)


{% include "database/postgresql/connection_limits.py.jinja" %}

def create_database_engine() -> Engine:
    return create_engine(
        sqlalchemy_url(settings.database_url.get_secret_value()),
        pool_size=settings.database_pool_size,
        max_overflow=0,
        # A request waits this long for a free connection, then gets 503.
        pool_timeout=settings.database_timeout,
        # Check a pooled connection before use: the database may have restarted since.
        pool_pre_ping=True,
        connect_args=connection_limits(settings.database_timeout),
        # Values a client sent never reach an error message or a log line.
        hide_parameters=True,
    )


engine = create_database_engine()
SessionFactory = sessionmaker(engine, expire_on_commit=False)


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one session per request, closed afterwards."""
    with SessionFactory() as session:
        yield session
