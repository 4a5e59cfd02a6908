"""Resource search reads each term's postings best first: the lookup index orders them by impact,
then newest first (``resource_id`` before ``restricted``), so that the best postings of a term are
read straight from the index instead of being sorted (``bot.db.ranking``).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX, TABLE = "ix_resource_terms_lookup", "resource_terms"


def upgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    op.execute(f"CREATE INDEX {INDEX} ON {TABLE} (guild_id, term, impact, resource_id, restricted)")


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    op.execute(f"CREATE INDEX {INDEX} ON {TABLE} (guild_id, term, impact, restricted, resource_id)")
