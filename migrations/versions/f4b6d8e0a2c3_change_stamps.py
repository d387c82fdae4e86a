"""Change stamps for per-worker caches: associations.content_version, threads.content_version and users.view_version,
raised by triggers.

Revision ID: f4b6d8e0a2c3
Revises: e2a4c6b8d0f1
Create Date: 2026-11-26 03:00:00
"""

import sqlalchemy as sa
from alembic import op

from app.stamps import create_triggers, drop_triggers

revision = "f4b6d8e0a2c3"
down_revision = "e2a4c6b8d0f1"
branch_labels = None
depends_on = None

# The tables this revision watches (later revisions add triggers for their own tables).
TABLES = ("threads", "thread_tags", "memberships", "association_subjects", "association_levels", "schools", "subjects",
          "posts", "attachments", "thread_readers", "association_watches", "associations", "users")  # fmt: skip


def upgrade():
    op.add_column("associations", sa.Column("content_version", sa.BigInteger(), server_default="0", nullable=False))
    op.add_column("threads", sa.Column("content_version", sa.BigInteger(), server_default="0", nullable=False))
    op.add_column("users", sa.Column("view_version", sa.BigInteger(), server_default="0", nullable=False))
    create_triggers(op.get_bind(), TABLES)


def downgrade():
    drop_triggers(op.get_bind(), TABLES)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("view_version")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("content_version")
    with op.batch_alter_table("associations") as batch:
        batch.drop_column("content_version")
