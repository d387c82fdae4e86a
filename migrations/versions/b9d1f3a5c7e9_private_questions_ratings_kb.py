"""Consultations, second part: private questions, the asker's rating and consent to publish, methodists'
endorsements of answers, and the knowledge base.

Revision ID: b9d1f3a5c7e9
Revises: a7c9e1f3b5d7
Create Date: 2026-11-26 06:00:00
"""

import sqlalchemy as sa
from alembic import op

from app.stamps import create_triggers, drop_triggers

revision = "b9d1f3a5c7e9"
down_revision = "a7c9e1f3b5d7"
branch_labels = None
depends_on = None

# Their changes raise their thread's change stamp; a subject's rename now also raises its questions' threads'.
TABLES = ("answer_endorsements", "knowledge_entries", "subjects")
# What the previous revisions watch: SQLite's batch copy of a table fails while other tables' triggers name it, so
# the downgrade drops every trigger first and makes these again at the end.
EARLIER = ("threads", "thread_tags", "memberships", "association_subjects", "association_levels", "schools",
           "subjects", "posts", "attachments", "thread_readers", "association_watches", "associations", "users",
           "questions", "question_events")  # fmt: skip


def upgrade():
    # Plain ADD COLUMN on both databases (no batch copy of the table, so the stamp triggers on it stay).
    op.add_column("threads", sa.Column("is_private", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index("ix_threads_private", "threads", ["association_id", "author_id"],
                    sqlite_where=sa.text("is_private"), postgresql_where=sa.text("is_private"))  # fmt: skip
    op.add_column("questions", sa.Column("helped", sa.Boolean(), nullable=True))
    op.add_column(
        "questions", sa.Column("rating_comment", sa.String(length=1000), server_default=sa.text("''"), nullable=False)
    )
    op.add_column("questions", sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("questions", sa.Column("publish_consent_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "answer_endorsements",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("methodist_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_answer_endorsements_post_id_posts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["methodist_id"], ["users.id"],
                                name=op.f("fk_answer_endorsements_methodist_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_answer_endorsements_thread_id_threads"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", "methodist_id", name=op.f("pk_answer_endorsements")),
    )  # fmt: skip
    op.create_index(op.f("ix_answer_endorsements_thread_id"), "answer_endorsements", ["thread_id"])
    op.create_table(
        "knowledge_entries",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("hide_asker", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["questions.thread_id"],
                                name=op.f("fk_knowledge_entries_thread_id_questions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"],
                                name=op.f("fk_knowledge_entries_published_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("thread_id", name=op.f("pk_knowledge_entries")),
    )  # fmt: skip
    op.create_index(op.f("ix_knowledge_entries_published_at"), "knowledge_entries", ["published_at"])
    create_triggers(op.get_bind(), TABLES)


def downgrade():
    drop_triggers(op.get_bind())
    op.drop_index(op.f("ix_knowledge_entries_published_at"), table_name="knowledge_entries")
    op.drop_table("knowledge_entries")
    op.drop_index(op.f("ix_answer_endorsements_thread_id"), table_name="answer_endorsements")
    op.drop_table("answer_endorsements")
    with op.batch_alter_table("questions") as batch:
        for column in ("publish_consent_at", "rated_at", "rating_comment", "helped"):
            batch.drop_column(column)
    op.drop_index("ix_threads_private", table_name="threads")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("is_private")
    create_triggers(op.get_bind(), EARLIER)
