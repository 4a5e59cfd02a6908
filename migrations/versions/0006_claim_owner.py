"""Claim owners: which process holds a reminder delivery, for several processes on one database.

A delivery claimed by a process carries that process's id (``claimed_by``); the process renews the
claim while it works and settles only what it still holds. A process that dies stops renewing, and
after the claim timeout another process takes the delivery over (same nonce, so Discord posts it
once).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both engines (no batch copy: the table keeps its indexes and data).
    op.add_column("reminder_deliveries", sa.Column("claimed_by", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reminder_deliveries") as batch:
        batch.drop_column("claimed_by")
