"""Search index: search_documents (one row per post; a tsvector with a GIN index on PostgreSQL) and, on SQLite, the
FTS5 table search_fts of stems. Fill it afterwards with `flask search reindex`.

Revision ID: b7c41d2e9f03
Revises: 6beaaf601a12
Create Date: 2026-11-25 23:50:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b7c41d2e9f03"
down_revision = "6beaaf601a12"
branch_labels = None
depends_on = None

FTS_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, body, "
    "tokenize = 'unicode61 remove_diacritics 0')"
)


def upgrade():
    op.create_table(
        "search_documents",
        sa.Column("post_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.Enum("discussion", "question", "experience", "link", "announcement",
                                  name="threadkind", native_enum=False, create_constraint=False, length=20),
                  nullable=False),  # fmt: skip
        sa.Column("is_opening", sa.Boolean(), nullable=False),
        sa.Column("visible", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("search_vector", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True),
        sa.ForeignKeyConstraint(["association_id"], ["associations.id"],
                                name=op.f("fk_search_documents_association_id_associations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_search_documents_author_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_search_documents_post_id_posts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_search_documents_thread_id_threads"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_search_documents")),
    )  # fmt: skip
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index("ix_search_documents_thread_id", ["thread_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_search_documents_search_vector", "search_documents", ["search_vector"],
                        postgresql_using="gin")  # fmt: skip
        op.create_index("ix_search_documents_opening_vector", "search_documents", ["search_vector"],
                        postgresql_using="gin", postgresql_where=sa.text("is_opening"))  # fmt: skip
        op.create_index("ix_search_documents_association_post", "search_documents", ["association_id", "post_id"])
        op.create_index("ix_search_documents_kind_post", "search_documents", ["kind", "post_id"])
    else:
        op.execute(FTS_CREATE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_search_documents_kind_post", table_name="search_documents")
        op.drop_index("ix_search_documents_association_post", table_name="search_documents")
        op.drop_index("ix_search_documents_opening_vector", table_name="search_documents")
        op.drop_index("ix_search_documents_search_vector", table_name="search_documents")
    else:
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_thread_id")
    op.drop_table("search_documents")
