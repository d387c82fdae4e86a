"""A small association with a leader, two members, a thread and a reply, for the editing and drafts tests."""

from dataclasses import dataclass

import sqlalchemy as sa

from app.associations.models import Association
from app.discussions.models import Post, Thread
from app.extensions import db
from tests.factories import make_association, make_post, make_thread, make_user


@dataclass
class World:
    leader: object
    author: object
    other: object
    association: Association
    thread: Thread
    opening: Post
    reply: Post


def make_world(**association_kwargs) -> World:
    leader, author, other = make_user(), make_user(), make_user()
    association = make_association(leader=leader, members=[author, other], **association_kwargs)
    thread = make_thread(author, association, title="Как готовить к ВПР", body="Делимся опытом подготовки.")
    opening = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))
    reply = make_post(thread, author, body="Первый вариант ответа про дроби.")
    make_post(thread, other, body="Спасибо, пригодится.")
    return World(leader, author, other, association, thread, opening, reply)


def counts(world: World) -> dict:
    """The stored counters beside the same numbers counted from the rows."""
    db.session.expire_all()
    thread = db.session.get(Thread, world.thread.id)
    association = db.session.get(Association, world.association.id)
    visible = (Post.deleted_at.is_(None), Post.hidden_at.is_(None))
    replies = db.session.scalar(
        sa.select(sa.func.count(Post.id)).where(Post.thread_id == thread.id, Post.number > 1, *visible)
    )
    shown_threads = sa.select(Thread.id).where(
        Thread.association_id == association.id, Thread.deleted_at.is_(None), Thread.hidden_at.is_(None)
    )
    posts = db.session.scalar(sa.select(sa.func.count(Post.id)).where(Post.thread_id.in_(shown_threads), *visible))
    threads = db.session.scalar(sa.select(sa.func.count()).select_from(shown_threads.subquery()))
    return {
        "stored": (thread.reply_count, association.thread_count, association.post_count),
        "counted": (replies, threads, posts),
    }


def assert_counts(world: World, reply_count: int, thread_count: int, post_count: int) -> None:
    result = counts(world)
    assert result["stored"] == (reply_count, thread_count, post_count)
    assert result["counted"] == result["stored"]
