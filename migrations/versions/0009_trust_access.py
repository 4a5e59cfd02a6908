"""Restricted Q&A and the verified role.

``guild_settings`` gains ``verified_role_id`` (the role Liaison gives verified members) and
``restricted_channel_id`` (where TLP:AMBER questions live). ``expert_profiles`` gains
``verification_ended_at``: when Liaison took the verified role back after an expiry, so the sweep
claims each expiry once. ``resource_suggestions`` gains ``label``: an accepted answer promoted to
the library keeps its question's sharing label.

Revision ID: 0009
Revises: 0014 (re-chained after the perms branch merged in; was 0008)
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.base import Snowflake, UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs on both engines (no batch copy: tables keep their indexes, data, triggers).
    op.add_column("guild_settings", sa.Column("verified_role_id", Snowflake, nullable=True))
    op.add_column("guild_settings", sa.Column("restricted_channel_id", Snowflake, nullable=True))
    op.add_column("expert_profiles", sa.Column("verification_ended_at", UTCDateTime(), nullable=True))
    op.add_column(
        "resource_suggestions",
        sa.Column("label", sa.String(24), nullable=False, server_default="TLP:GREEN"),
    )


def downgrade() -> None:
    # Native DROP COLUMN on both engines (SQLite 3.35+): a batch copy of expert_profiles would drop
    # the old table, and with foreign keys on that cascades into its areas and languages.
    for table, column in (
        ("resource_suggestions", "label"),
        ("expert_profiles", "verification_ended_at"),
        ("guild_settings", "restricted_channel_id"),
        ("guild_settings", "verified_role_id"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
