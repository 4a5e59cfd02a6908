"""Tabletop exercises: exercises, their members, teams, injects and deliveries, decisions,
observations and hot-wash answers; the server's exercises channel.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.base import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exercises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("control_language", sa.String(length=8), nullable=True),
        sa.Column("scenario", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("loaded_by", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("control_thread_id", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=16), server_default="loaded", nullable=False),
        sa.Column("speed", sa.Float(), server_default="1", nullable=False),
        sa.Column("clock_base", sa.Float(), server_default="0", nullable=False),
        sa.Column("clock_anchor", UTCDateTime(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercises")),
    )
    op.create_index("ix_exercises_guild_state", "exercises", ["guild_id", "state"], unique=False)
    op.create_table(
        "exercise_hotwash",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_hotwash_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_hotwash")),
    )
    op.create_index("ix_exercise_hotwash_exercise", "exercise_hotwash", ["exercise_id"], unique=False)
    op.create_table(
        "exercise_injects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("scripted", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("offset", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("sent_offset", sa.Float(), nullable=True),
        sa.Column("late", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_injects_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_injects")),
    )
    op.create_index(
        "ix_exercise_injects_exercise_number", "exercise_injects", ["exercise_id", "number"], unique=False
    )
    op.create_table(
        "exercise_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_members_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_members")),
        sa.UniqueConstraint("exercise_id", "user_id", name="uq_exercise_members_exercise_user"),
    )
    op.create_index(
        "ix_exercise_members_guild_user", "exercise_members", ["guild_id", "user_id"], unique=False
    )
    op.create_table(
        "exercise_teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_teams_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_teams")),
        sa.UniqueConstraint("exercise_id", "name", name="uq_exercise_teams_exercise_name"),
    )
    op.create_index("ix_exercise_teams_thread", "exercise_teams", ["thread_id"], unique=False)
    op.create_table(
        "exercise_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("inject_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("offset", sa.Float(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_decisions_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["inject_id"],
            ["exercise_injects.id"],
            name=op.f("fk_exercise_decisions_inject_id_exercise_injects"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_decisions")),
    )
    op.create_index("ix_exercise_decisions_exercise", "exercise_decisions", ["exercise_id"], unique=False)
    op.create_table(
        "exercise_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("inject_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("state", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("nonce", sa.String(length=25), nullable=True),
        sa.Column("late", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_deliveries_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["inject_id"],
            ["exercise_injects.id"],
            name=op.f("fk_exercise_deliveries_inject_id_exercise_injects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_deliveries")),
        sa.UniqueConstraint("inject_id", "channel_id", name="uq_exercise_deliveries_inject_channel"),
    )
    op.create_index("ix_exercise_deliveries_exercise", "exercise_deliveries", ["exercise_id"], unique=False)
    op.create_index(
        "ix_exercise_deliveries_state_due", "exercise_deliveries", ["state", "due_at"], unique=False
    )
    op.create_table(
        "exercise_observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("inject_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.Column("offset", sa.Float(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_observations_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["inject_id"],
            ["exercise_injects.id"],
            name=op.f("fk_exercise_observations_inject_id_exercise_injects"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_observations")),
    )
    op.create_index(
        "ix_exercise_observations_exercise", "exercise_observations", ["exercise_id"], unique=False
    )
    op.add_column("guild_settings", sa.Column("exercises_channel_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guild_settings") as batch:
        batch.drop_column("exercises_channel_id")
    op.drop_index("ix_exercise_observations_exercise", table_name="exercise_observations")
    op.drop_table("exercise_observations")
    op.drop_index("ix_exercise_deliveries_state_due", table_name="exercise_deliveries")
    op.drop_index("ix_exercise_deliveries_exercise", table_name="exercise_deliveries")
    op.drop_table("exercise_deliveries")
    op.drop_index("ix_exercise_decisions_exercise", table_name="exercise_decisions")
    op.drop_table("exercise_decisions")
    op.drop_index("ix_exercise_teams_thread", table_name="exercise_teams")
    op.drop_table("exercise_teams")
    op.drop_index("ix_exercise_members_guild_user", table_name="exercise_members")
    op.drop_table("exercise_members")
    op.drop_index("ix_exercise_injects_exercise_number", table_name="exercise_injects")
    op.drop_table("exercise_injects")
    op.drop_index("ix_exercise_hotwash_exercise", table_name="exercise_hotwash")
    op.drop_table("exercise_hotwash")
    op.drop_index("ix_exercises_guild_state", table_name="exercises")
    op.drop_table("exercises")
