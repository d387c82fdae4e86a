"""An index of threads by last activity, for the latest threads of the whole district (visitors' home page).

Revision ID: e2a4c6b8d0f1
Revises: d8e1f3a5b7c9
Create Date: 2026-11-26 00:50:00
"""

from alembic import op

revision = "e2a4c6b8d0f1"
down_revision = "d8e1f3a5b7c9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_threads_activity", "threads", ["last_posted_at", "id"])


def downgrade():
    op.drop_index("ix_threads_activity", table_name="threads")
