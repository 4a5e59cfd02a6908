"""Events: events, RSVPs, reminders and reminder deliveries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.base import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), server_default="60", nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("repeat", sa.String(length=16), server_default="none", nullable=False),
        sa.Column("reminder_offsets", sa.String(length=200), nullable=False),
        sa.Column("materialized_until", UTCDateTime(), nullable=False),
        sa.Column("rsvp_seq", sa.Integer(), server_default="0", nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index("ix_events_guild_starts", "events", ["guild_id", "starts_at"])
    op.create_table(
        "event_rsvps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), server_default="0", nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_rsvps_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_rsvps")),
        sa.UniqueConstraint("event_id", "user_id", name="uq_event_rsvps_event_user"),
    )
    op.create_index("ix_event_rsvps_guild_user", "event_rsvps", ["guild_id", "user_id"])
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("offset_minutes", sa.Integer(), nullable=True),
        sa.Column("occurrence_start", UTCDateTime(), nullable=True),
        sa.Column("fire_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("late", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_reminders_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    op.create_index("ix_reminders_state_fire", "reminders", ["state", "fire_at"])
    op.create_index("ix_reminders_event", "reminders", ["event_id"])
    op.create_index("ix_reminders_guild_user", "reminders", ["guild_id", "user_id"])
    op.create_table(
        "reminder_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("nonce", sa.String(length=25), nullable=True),
        sa.Column("late", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["reminder_id"],
            ["reminders.id"],
            name=op.f("fk_reminder_deliveries_reminder_id_reminders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_deliveries")),
        sa.UniqueConstraint("reminder_id", "target", "target_id", name="uq_reminder_deliveries_target"),
    )
    op.create_index("ix_reminder_deliveries_state", "reminder_deliveries", ["state"])
    op.create_index("ix_reminder_deliveries_guild_state", "reminder_deliveries", ["guild_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_reminder_deliveries_guild_state", table_name="reminder_deliveries")
    op.drop_index("ix_reminder_deliveries_state", table_name="reminder_deliveries")
    op.drop_table("reminder_deliveries")
    op.drop_index("ix_reminders_guild_user", table_name="reminders")
    op.drop_index("ix_reminders_event", table_name="reminders")
    op.drop_index("ix_reminders_state_fire", table_name="reminders")
    op.drop_table("reminders")
    op.drop_index("ix_event_rsvps_guild_user", table_name="event_rsvps")
    op.drop_table("event_rsvps")
    op.drop_index("ix_events_guild_starts", table_name="events")
    op.drop_table("events")
