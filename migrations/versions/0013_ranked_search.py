"""Ranked search over every match, the same on both engines: postings filed from ``search_terms``.

Each resource gets ``search_terms`` (its (term, impact) pairs, computed in Python by
``bot.db.analysis``: identifiers kept whole, stop words out, English and French stems, pairs of
neighbouring words); triggers file them in ``resource_terms`` and count them in
``resource_term_stats`` (``bot.db.postings``). Existing rows are reindexed here. The glossary's
``acronym`` column widens to hold terms of several words (cross-language term pairs).

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db import postings
from bot.db.analysis import document_json

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("resources", sa.Column("search_terms", sa.Text(), server_default="[]", nullable=False))
    with op.batch_alter_table("resource_glossary") as batch:
        batch.alter_column("acronym", type_=sa.String(length=100), existing_nullable=False)
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT id, title, tags, description FROM resources WHERE id > :last ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            break
        connection.execute(
            sa.text("UPDATE resources SET search_terms = :terms WHERE id = :id"),
            [{"id": r.id, "terms": document_json(r.title, r.tags, r.description)} for r in rows],
        )
        last = rows[-1].id
    for statement in postings.create_statements(dialect):
        op.execute(statement)


def downgrade() -> None:
    for statement in postings.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table("resource_glossary") as batch:
        batch.alter_column("acronym", type_=sa.String(length=32), existing_nullable=False)
    op.execute("ALTER TABLE resources DROP COLUMN search_terms")  # no batch copy: it drops the FTS triggers
