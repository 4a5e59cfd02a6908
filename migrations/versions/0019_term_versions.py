"""A version per search term: ``resource_term_stats.version``, given a new random value by the
filing triggers (and an import's bulk filing) whenever the term's postings change, so that a
process holding postings in memory re-reads only the terms a change touched
(``bot.db.ranking.versioned_statements``, ``bot.db.resident``).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

from bot.db import ranking

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in ranking.versioned_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in ranking.unversioned_statements(op.get_bind().dialect.name):
        op.execute(statement)
