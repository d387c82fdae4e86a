"""Knowledge-base titles' stems (knowledge_entries.title_stems), so that search matches entries in SQL; filled for
the entries already published with the search index's own stemming.

Revision ID: b3d5f7a9c1e4
Revises: a9c3e5f7b1d2
Create Date: 2026-11-26 12:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b3d5f7a9c1e4"
down_revision = "a9c3e5f7b1d2"
branch_labels = None
depends_on = None


def upgrade():
    # ADD COLUMN in place (a batch would copy the table on SQLite and drop its change-stamp triggers)
    op.add_column(
        "knowledge_entries",
        sa.Column("title_stems", sa.String(length=600), server_default=sa.text("''"), nullable=False),
    )
    from app.search.indexing import title_stems  # the same stems the app writes from now on

    connection = op.get_bind()
    entries = sa.table("knowledge_entries", sa.column("thread_id"), sa.column("title"), sa.column("title_stems"))
    for thread_id, title in connection.execute(sa.select(entries.c.thread_id, entries.c.title)).all():
        connection.execute(
            sa.update(entries).where(entries.c.thread_id == thread_id).values(title_stems=title_stems(title or ""))
        )


def downgrade():
    op.drop_column("knowledge_entries", "title_stems")  # SQLite 3.35+ drops a column in place
