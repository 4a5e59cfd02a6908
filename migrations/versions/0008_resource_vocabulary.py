"""The library's vocabulary on PostgreSQL, kept by the database: "did you mean" reads it.

SQLite's full-text index has its own vocabulary (``fts5vocab``). PostgreSQL's had none, so the
first correction after each change to a library built one from the rows (0.7 s at 100,000
resources). Now a table of (term, number of documents) is counted by statement-level triggers on
``resources``, as SQLite's is. Nothing changes on SQLite.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

from bot.db import search
from bot.db.models.resources import RESOURCES_INDEX

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in search.vocabulary_create_statements(RESOURCES_INDEX, op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in search.vocabulary_drop_statements(RESOURCES_INDEX, op.get_bind().dialect.name):
        op.execute(statement)
