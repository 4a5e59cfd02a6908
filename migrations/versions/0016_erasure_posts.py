"""The bot's posts that ``/me delete`` must find again: an exercise decision's posts
(``exercise_decisions.message_id``, ``mirror_message_id``) and the posts quoting a question's title
outside its thread (``qa_question_posts``: weekly digests, moderators' escalation notices).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exercise_decisions") as batch:
        batch.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("mirror_message_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "qa_question_posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "question_id",
            sa.Integer(),
            sa.ForeignKey("qa_questions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_qa_question_posts_question", "qa_question_posts", ["question_id"])


def downgrade() -> None:
    op.drop_index("ix_qa_question_posts_question", table_name="qa_question_posts")
    op.drop_table("qa_question_posts")
    with op.batch_alter_table("exercise_decisions") as batch:
        batch.drop_column("mirror_message_id")
        batch.drop_column("message_id")
