"""Indexes for the association page (pinned threads, newest members) and the unread counter.

Revision ID: c5d2a8e4f1b6
Revises: b7c41d2e9f03
Create Date: 2026-11-26 00:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c5d2a8e4f1b6"
down_revision = "b7c41d2e9f03"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_threads_association_pinned",
        "threads",
        ["association_id", "last_posted_at"],
        sqlite_where=sa.text("pinned_at IS NOT NULL"),
        postgresql_where=sa.text("pinned_at IS NOT NULL"),
    )
    op.create_index("ix_memberships_recent", "memberships", ["association_id", "status", "joined_at", "id"])
    op.create_index(
        "ix_thread_readers_user_state", "thread_readers", ["user_id", "thread_id", "level", "last_read_number"]
    )


def downgrade():
    op.drop_index("ix_thread_readers_user_state", table_name="thread_readers")
    op.drop_index("ix_threads_association_pinned", table_name="threads")
    op.drop_index("ix_memberships_recent", table_name="memberships")
