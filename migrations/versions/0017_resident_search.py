"""Resource search from the bot's memory, exactly fresh: ``search_generation`` holds a random token
that triggers on ``resources`` replace on every change the postings are filed from, so that each
process knows, with one read, whether the postings it holds are still the library's
(``bot.db.resident``). The postings tables themselves are unchanged.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

from bot.db import resident

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in resident.create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in resident.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
