"""Posts keep their place in the tree view (posts.tree_path), so the tree of a long thread is one indexed ORDER BY.

Revision ID: d8e1f3a5b7c9
Revises: c5d2a8e4f1b6
Create Date: 2026-11-26 00:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d8e1f3a5b7c9"
down_revision = "c5d2a8e4f1b6"
branch_labels = None
depends_on = None

MAX_REPLY_DEPTH = 4  # app.discussions.services.MAX_REPLY_DEPTH when this was written


def _key(number: int) -> str:
    return f"{number:010d}"


def upgrade():
    # A plain ADD COLUMN (SQLite takes it with a constant default): no rebuild of the biggest table.
    op.add_column("posts", sa.Column("tree_path", sa.String(length=60), nullable=False, server_default=sa.text("''")))
    # Existing posts: the same rule as services.place_in_tree, thread by thread in number order (parents first).
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, thread_id, number, reply_to_id FROM posts ORDER BY thread_id, number"))
    placed: dict[int, tuple[int, int, str]] = {}  # post id → (number, depth, path)
    updates = []
    for post_id, _thread_id, number, reply_to_id in rows:
        parent = placed.get(reply_to_id) if reply_to_id is not None else None
        if parent is None or parent[0] == 1:
            depth, path = 0, _key(number)
        elif parent[1] < MAX_REPLY_DEPTH:
            depth, path = parent[1] + 1, f"{parent[2]}/{_key(number)}"
        else:
            depth, path = parent[1], f"{parent[2].rsplit('/', 1)[0]}/{_key(number)}"
        placed[post_id] = (number, depth, path)
        updates.append({"id": post_id, "path": path})
    if updates:
        bind.execute(sa.text("UPDATE posts SET tree_path = :path WHERE id = :id"), updates)
    op.create_index("ix_posts_thread_tree", "posts", ["thread_id", "tree_path"])


def downgrade():
    op.drop_index("ix_posts_thread_tree", table_name="posts")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("tree_path")
