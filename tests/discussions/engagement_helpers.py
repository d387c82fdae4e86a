"""Helpers for the engagement tests: «Полезно», bookmarks, watching, unread."""

import sqlalchemy as sa

from app.discussions.models import Post, Thread, ThreadReader
from app.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def opening_post(thread: Thread) -> Post:
    return db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def useful_counts(post: Post) -> tuple[int, int]:
    """(post.useful_count, thread.useful_count) as the database has them now."""
    row = db.session.execute(
        sa.select(Post.useful_count, Thread.useful_count).join(Post.thread).where(Post.id == post.id)
    ).one()
    return tuple(row)


def reader_of(user, thread: Thread) -> ThreadReader | None:
    return db.session.scalar(
        sa.select(ThreadReader)
        .where(ThreadReader.user_id == user.id, ThreadReader.thread_id == thread.id)
        .execution_options(populate_existing=True)
    )


def set_read(user, thread: Thread, number: int, level=None) -> ThreadReader:
    """Pretend the user has read the thread up to post `number` (and follows it at `level`, if given)."""
    reader = reader_of(user, thread)
    if reader is None:
        reader = ThreadReader(user_id=user.id, thread_id=thread.id)
        db.session.add(reader)
    reader.last_read_number = number
    if level is not None:
        reader.level = level
    db.session.flush()
    return reader
