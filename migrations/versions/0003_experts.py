"""Experts: profiles, the server's expertise areas, profile areas and languages.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.base import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "expert_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("agency", sa.String(length=100), nullable=False),
        sa.Column("agency_key", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("bio", sa.String(length=500), nullable=True),
        sa.Column("visibility", sa.String(length=16), server_default="members", nullable=False),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.Column("consent_at", UTCDateTime(), nullable=False),
        sa.Column("verified_by", sa.BigInteger(), nullable=True),
        sa.Column("verified_at", UTCDateTime(), nullable=True),
        sa.Column("verified_until", UTCDateTime(), nullable=True),
        sa.Column("expiry_warned_at", UTCDateTime(), nullable=True),
        sa.Column("left_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_profiles")),
        sa.UniqueConstraint("guild_id", "user_id", name=op.f("uq_expert_profiles_guild_id")),
    )
    op.create_index("ix_expert_profiles_guild_country", "expert_profiles", ["guild_id", "country"])
    op.create_table(
        "expertise_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("curated", sa.Boolean(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expertise_areas")),
        sa.UniqueConstraint("guild_id", "key", name=op.f("uq_expertise_areas_guild_id")),
    )
    op.create_table(
        "expert_areas",
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["expertise_areas.id"],
            name=op.f("fk_expert_areas_area_id_expertise_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["expert_profiles.id"],
            name=op.f("fk_expert_areas_profile_id_expert_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("profile_id", "area_id", name=op.f("pk_expert_areas")),
    )
    op.create_index("ix_expert_areas_guild_area", "expert_areas", ["guild_id", "area_id", "profile_id"])
    op.create_table(
        "expert_languages",
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["expert_profiles.id"],
            name=op.f("fk_expert_languages_profile_id_expert_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("profile_id", "code", name=op.f("pk_expert_languages")),
    )
    op.create_index("ix_expert_languages_guild_code", "expert_languages", ["guild_id", "code", "profile_id"])
    op.create_table(
        "expert_directory_state",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_expert_directory_state")),
    )
    op.create_table(
        "expert_directory_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_directory_changes")),
    )
    op.create_index(
        "ix_expert_directory_changes_guild_version", "expert_directory_changes", ["guild_id", "version"]
    )


def downgrade() -> None:
    op.drop_index("ix_expert_directory_changes_guild_version", table_name="expert_directory_changes")
    op.drop_table("expert_directory_changes")
    op.drop_table("expert_directory_state")
    op.drop_index("ix_expert_languages_guild_code", table_name="expert_languages")
    op.drop_table("expert_languages")
    op.drop_index("ix_expert_areas_guild_area", table_name="expert_areas")
    op.drop_table("expert_areas")
    op.drop_table("expertise_areas")
    op.drop_index("ix_expert_profiles_guild_country", table_name="expert_profiles")
    op.drop_table("expert_profiles")
