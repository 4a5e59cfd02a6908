"""Imports file their new resources' search postings a batch at a time: ``resource_terms_deferred``,
which a writer fills inside its own transaction (and empties before committing), sets SQLite's
insert trigger on ``resources`` aside meanwhile (``bot.db.postings.filing_in_bulk``). PostgreSQL's
triggers already file once per statement: there the table is only created.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

from bot.db import postings

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in postings.gated_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in postings.ungated_statements(op.get_bind().dialect.name):
        op.execute(statement)
