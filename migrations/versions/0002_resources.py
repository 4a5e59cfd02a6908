"""Resources: the library, tags, suggestions, glossary, and the full-text index over the library.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db import search
from bot.db.base import UTCDateTime
from bot.db.models.resources import RESOURCES_INDEX

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("tags", sa.String(length=500), server_default="", nullable=False),
        sa.Column("language", sa.String(length=8), server_default="en", nullable=False),
        sa.Column("label", sa.String(length=16), server_default="TLP:GREEN", nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.Column("suggested_by", sa.BigInteger(), nullable=True),
        sa.Column("views", sa.Integer(), server_default="0", nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("verified_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
        sa.UniqueConstraint("guild_id", "url", name=op.f("uq_resources_guild_url")),
    )
    op.create_index("ix_resources_guild_views", "resources", ["guild_id", "views"])
    op.create_table(
        "resource_tags",
        sa.Column("resource_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resources.id"],
            name=op.f("fk_resource_tags_resource_id_resources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_id", "tag", name=op.f("pk_resource_tags")),
    )
    op.create_index("ix_resource_tags_guild_tag", "resource_tags", ["guild_id", "tag"])
    op.create_table(
        "resource_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("tags", sa.String(length=500), server_default="", nullable=False),
        sa.Column("language", sa.String(length=8), server_default="en", nullable=False),
        sa.Column("suggested_by", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reviewer_id", sa.BigInteger(), nullable=True),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resources.id"],
            name=op.f("fk_resource_suggestions_resource_id_resources"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_suggestions")),
    )
    op.create_index(
        "ix_resource_suggestions_guild_status", "resource_suggestions", ["guild_id", "status", "id"]
    )
    op.create_table(
        "resource_glossary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("acronym", sa.String(length=32), nullable=False),
        sa.Column("expansions", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_glossary")),
        sa.UniqueConstraint("guild_id", "acronym", name=op.f("uq_resource_glossary_guild_acronym")),
    )
    dialect = op.get_bind().dialect.name
    for statement in search.create_statements(RESOURCES_INDEX, dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in search.drop_statements(RESOURCES_INDEX, dialect):
        op.execute(statement)
    op.drop_table("resource_glossary")
    op.drop_index("ix_resource_suggestions_guild_status", table_name="resource_suggestions")
    op.drop_table("resource_suggestions")
    op.drop_index("ix_resource_tags_guild_tag", table_name="resource_tags")
    op.drop_table("resource_tags")
    op.drop_index("ix_resources_guild_views", table_name="resources")
    op.drop_table("resources")
