"""Search facets (SQLite): the FTS5 table search_fts gains a column of the filters' values as words (association,
thread kind, author, month, tags), so that a filtered search is one FTS5 query. Rebuilt from the index in place:
the stems are copied, the facet words computed from search_documents. PostgreSQL: nothing changes.

Revision ID: a9c3e5f7b1d2
Revises: d4f6a8c0e2b5
Create Date: 2026-11-26 12:30:00
"""

from alembic import op

revision = "a9c3e5f7b1d2"
down_revision = "d4f6a8c0e2b5"
branch_labels = None
depends_on = None

FACETS = (
    "'_a' || d.association_id || ' _k' || d.kind || ' _u' || coalesce(d.author_id, 0)"
    " || ' _m' || strftime('%Y%m', d.created_at) || coalesce((SELECT ' _t' || group_concat(tag_id, ' _t')"
    " FROM thread_tags WHERE thread_tags.thread_id = d.thread_id), '')"
)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_fts_new USING fts5(title, body, facets, "
        "tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\")"
    )
    op.execute(
        f"INSERT INTO search_fts_new (rowid, title, body, facets) SELECT f.rowid, f.title, f.body, {FACETS} "  # noqa: S608
        "FROM search_fts AS f JOIN search_documents AS d ON d.post_id = f.rowid"
    )
    op.execute("DROP TABLE search_fts")
    op.execute("ALTER TABLE search_fts_new RENAME TO search_fts")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_fts_old USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0')"
    )
    op.execute("INSERT INTO search_fts_old (rowid, title, body) SELECT rowid, title, body FROM search_fts")
    op.execute("DROP TABLE search_fts")
    op.execute("ALTER TABLE search_fts_old RENAME TO search_fts")
