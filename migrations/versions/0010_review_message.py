"""Where a suggestion was announced: ``resource_suggestions.review_channel_id`` and
``review_message_id``, so that ``/me delete`` can edit the review channel's announcement that
named the member (and, for a suggestion that is erased, its title).

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("resource_suggestions") as batch:
        batch.add_column(sa.Column("review_channel_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("review_message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resource_suggestions") as batch:
        batch.drop_column("review_message_id")
        batch.drop_column("review_channel_id")
