"""Most-viewed resources in index order: ``(guild_id, views, id)`` replaces ``(guild_id, views)``.

Autocomplete on an empty or one-letter entry lists a server's most viewed resources, ordered by
``views DESC, id DESC``. Most resources share a view count, so the order within a count decides;
SQLite's index carries the rowid and was already in order, PostgreSQL's was not (a sort over the
whole server: 100-180 ms at 100k resources, 2-5 ms with this index).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_resources_guild_views_id", "resources", ["guild_id", "views", "id"])
    op.drop_index("ix_resources_guild_views", table_name="resources")


def downgrade() -> None:
    op.create_index("ix_resources_guild_views", "resources", ["guild_id", "views"])
    op.drop_index("ix_resources_guild_views_id", table_name="resources")
