"""Create procrastinate's job queue: its tables, functions and triggers.

Revision ID: 0002
Revises: 0001

The schema is the one the installed procrastinate ships (``procrastinate schema --read``).
Applied here, by the release one-off, it is applied exactly once per database and never by a
booting process. When the procrastinate pin moves to a release with a new schema, add a revision
that runs the release's files from procrastinate's ``sql/migrations/``.
"""

from collections.abc import Sequence

import psycopg
from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Straight to psycopg, in the migration's transaction: without parameters it sends the
    # schema's colons and percent signs as the SQL they are.
    connection = op.get_bind().connection.driver_connection
    if not isinstance(connection, psycopg.Connection):
        raise RuntimeError("migrations run on psycopg: DATABASE_URL must be a postgresql:// URL")
    connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    raise RuntimeError(
        "procrastinate ships no script that removes its schema: restore a backup taken before "
        "revision 0002 instead"
    )
