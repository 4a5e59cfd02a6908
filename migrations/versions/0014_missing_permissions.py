"""Missing permissions: what Liaison found it may not do at run time, one row per server, channel
and permission, so the moderators are told once (and again only after it came back and went).

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.base import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "missing_permissions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("permission", sa.String(40), nullable=False),
        sa.Column("feature", sa.String(40), nullable=False),
        sa.Column("found_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("guild_id", "channel_id", "permission", name="uq_missing_permissions"),
    )


def downgrade() -> None:
    op.drop_table("missing_permissions")
