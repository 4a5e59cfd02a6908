"""Qa: questions, expert notifications, digest marks, and the full-text index of solved questions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db import search
from bot.db.base import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of bot.services.qa.fulltext.QA_INDEX: what this revision created, whatever the code
# says later. Every question row is indexed; queries keep solved ones.
QA_INDEX = search.FullTextIndex(
    name="qa_fts",
    table="qa_questions",
    columns=("title", "topic", "details", "accepted_text"),
    weights=(4.0, 3.0, 1.0, 2.0),
)


def upgrade() -> None:
    op.create_table(
        "qa_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("starter_message_id", sa.BigInteger(), nullable=True),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("topic", sa.String(length=100), nullable=True),
        sa.Column("agencies", sa.String(length=300), nullable=True),
        sa.Column("label", sa.String(length=24), server_default="TLP:GREEN", nullable=False),
        sa.Column("language", sa.String(length=8), server_default="en", nullable=False),
        sa.Column("state", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("reply_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_answer_message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_answer_author_id", sa.BigInteger(), nullable=True),
        sa.Column("accepted_message_id", sa.BigInteger(), nullable=True),
        sa.Column("accepted_text", sa.Text(), nullable=True),
        sa.Column("accepted_author_id", sa.BigInteger(), nullable=True),
        sa.Column("escalation_level", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("first_reply_at", UTCDateTime(), nullable=True),
        sa.Column("last_activity_at", UTCDateTime(), nullable=False),
        sa.Column("solved_at", UTCDateTime(), nullable=True),
        sa.Column("escalated_at", UTCDateTime(), nullable=True),
        sa.Column("archived_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_questions")),
        sa.UniqueConstraint("guild_id", "thread_id", name="uq_qa_questions_guild_thread"),
    )
    op.create_index(
        "ix_qa_questions_guild_state_created", "qa_questions", ["guild_id", "state", "created_at"]
    )
    op.create_table(
        "qa_expert_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.Integer(), server_default="0", nullable=False),
        sa.Column("notified_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["qa_questions.id"],
            name=op.f("fk_qa_expert_notifications_question_id_qa_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_expert_notifications")),
    )
    op.create_index(
        op.f("ix_qa_expert_notifications_question_id"), "qa_expert_notifications", ["question_id"]
    )
    op.create_index(
        "ix_qa_expert_notifications_guild_expert_at",
        "qa_expert_notifications",
        ["guild_id", "expert_id", "notified_at"],
    )
    op.create_table(
        "qa_digest_marks",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("last_posted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_qa_digest_marks")),
    )
    dialect = op.get_bind().dialect.name
    for statement in search.create_statements(QA_INDEX, dialect):
        op.execute(statement)


def downgrade() -> None:
    for statement in search.drop_statements(QA_INDEX, op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("qa_digest_marks")
    op.drop_index("ix_qa_expert_notifications_guild_expert_at", table_name="qa_expert_notifications")
    op.drop_index(op.f("ix_qa_expert_notifications_question_id"), table_name="qa_expert_notifications")
    op.drop_table("qa_expert_notifications")
    op.drop_index("ix_qa_questions_guild_state_created", table_name="qa_questions")
    op.drop_table("qa_questions")
