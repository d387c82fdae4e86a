"""Helpers for the thread moderation tests: counters recounted from rows, compared with the stored ones."""

import sqlalchemy as sa

from app.associations.models import Association
from app.discussions.models import Post, Thread
from app.extensions import db


def thread_recount(thread_id: int) -> tuple:
    """(post_count, reply_count, useful_count, last_posted_at, last_poster_id) as the thread's rows say."""
    posts = db.session.execute(
        sa.select(Post.number, Post.deleted_at, Post.hidden_at, Post.useful_count, Post.created_at, Post.author_id)
        .where(Post.thread_id == thread_id)
    ).all()  # fmt: skip
    visible = [p for p in posts if p.deleted_at is None and p.hidden_at is None]
    latest = max(visible, key=lambda p: (p.created_at, p.number), default=None)
    stored = db.session.get(Thread, thread_id)
    return (
        max((p.number for p in posts), default=0),
        sum(1 for p in visible if p.number > 1),
        sum(p.useful_count for p in posts),
        latest.created_at if latest else stored.last_posted_at,
        latest.author_id if latest else stored.last_poster_id,
    )


def thread_stored(thread_id: int) -> tuple:
    row = db.session.execute(
        sa.select(Thread.post_count, Thread.reply_count, Thread.useful_count, Thread.last_posted_at,
                  Thread.last_poster_id).where(Thread.id == thread_id)
    ).one()  # fmt: skip
    return tuple(row)


def association_recount(association_id: int) -> tuple:
    """(thread_count, post_count, last_posted_at): threads shown to every reader and their visible posts."""
    threads = db.session.execute(
        sa.select(Thread.id, Thread.last_posted_at).where(
            Thread.association_id == association_id,
            Thread.deleted_at.is_(None),
            Thread.hidden_at.is_(None),
            ~Thread.is_private,
        )
    ).all()
    ids = [t.id for t in threads]
    posts = db.session.scalar(
        sa.select(sa.func.count(Post.id)).where(
            Post.thread_id.in_(ids), Post.deleted_at.is_(None), Post.hidden_at.is_(None)
        )
    )
    return len(threads), posts, max((t.last_posted_at for t in threads), default=None)


def association_stored(association_id: int) -> tuple:
    row = db.session.execute(
        sa.select(Association.thread_count, Association.post_count, Association.last_posted_at).where(
            Association.id == association_id
        )
    ).one()
    return tuple(row)


def numbering(thread_id: int) -> list[tuple[int, int, str]]:
    """(number, depth, tree_path) of the thread's posts, by number."""
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(Post.number, Post.depth, Post.tree_path).where(Post.thread_id == thread_id).order_by(Post.number)
        )
    ]


def assert_exact(*, threads=(), associations=()) -> None:
    """Every stored counter equals its recount; posts are numbered 1…n without gaps, each at the end of its path."""
    db.session.expire_all()
    for thread_id in threads:
        assert thread_stored(thread_id) == thread_recount(thread_id), thread_id
        rows = numbering(thread_id)
        assert [number for number, _depth, _path in rows] == list(range(1, len(rows) + 1)), rows
        for number, depth, path in rows:
            assert path.split("/")[-1] == f"{number:010d}" and path.count("/") == depth, (number, depth, path)
    for association_id in associations:
        assert association_stored(association_id) == association_recount(association_id), association_id
