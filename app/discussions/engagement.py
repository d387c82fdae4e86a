"""Engagement: «Полезно», bookmarks and watching — the verbs and the selects behind their pages.

Verbs flush, never commit. Counters (`useful_count` on posts and threads) change in SQL in the same transaction as
the reaction, so concurrent clicks keep them exact. Unread and the home page's activity live in `unread.py`.
"""

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from app.associations.models import Association, Membership, MembershipStatus, Visibility
from app.associations.queries import visible_to
from app.auth.models import Role, User, UserStatus
from app.db import prepared, rows
from app.discussions import notices, services
from app.discussions.models import (
    AssociationWatch,
    Bookmark,
    Post,
    Reaction,
    Thread,
    ThreadReader,
    WatchLevel,
)
from app.discussions.privacy import private_visible
from app.extensions import db

POSTS_PER_PAGE = 20  # the thread page's page size: a post's page is computed from its number
LIST_PER_PAGE = 20


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


# --- links ----------------------------------------------------------------------------------------------------------


def page_of(number: int) -> int:
    """The thread page (20 posts a page, in number order) that shows the post with this number."""
    return (max(number, 1) - 1) // POSTS_PER_PAGE + 1


def post_url(thread_id: int, number: int) -> str:
    """/threads/<id>?page=N#post-<number>."""
    return url_for(
        "discussions.thread_show", thread_id=thread_id, page=page_of(number), _anchor=f"post-{max(number, 1)}"
    )


# --- «Полезно» ------------------------------------------------------------------------------------------------------


def _insert_once(row) -> bool:
    """Add a row keyed by its primary key; False if it is there already (a concurrent request may have added it)."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


def set_useful(user: User, post: Post, on: bool | None = None) -> bool:
    """Mark (or unmark) a post «Полезно» for the user; `on=None` toggles. Returns whether it is marked now."""
    if on is None:
        on = db.session.get(Reaction, (post.id, user.id)) is None
    if on:
        changed = _insert_once(Reaction(post_id=post.id, user_id=user.id))
    else:
        stmt = sa.delete(Reaction).where(Reaction.post_id == post.id, Reaction.user_id == user.id)
        changed = db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount > 0
    if changed:
        delta = 1 if on else -1
        db.session.execute(sa.update(Post).where(Post.id == post.id).values(useful_count=Post.useful_count + delta))
        db.session.execute(
            sa.update(Thread).where(Thread.id == post.thread_id).values(useful_count=Thread.useful_count + delta)
        )
        if on:
            notices.on_useful(user, post)
        else:  # tells nobody, but the author's unread notice no longer counts them
            notices.on_useful_taken_back(user, post)
    db.session.flush()
    return on


@prepared
def _marks():
    """(post id, 'useful' or 'bookmark') for what :user_id marked among :post_ids: both kinds in one query."""
    ids = sa.bindparam("post_ids", expanding=True)
    useful = sa.select(Reaction.post_id, sa.literal("useful").label("mark")).where(
        Reaction.user_id == sa.bindparam("user_id"), Reaction.post_id.in_(ids)
    )
    bookmarked = sa.select(Bookmark.post_id, sa.literal("bookmark").label("mark")).where(
        Bookmark.user_id == sa.bindparam("user_id"), Bookmark.post_id.in_(ids)
    )
    return sa.union_all(useful, bookmarked)


def reader_marks(user, post_ids) -> tuple[dict[int, bool], set[int]]:
    """For a page of posts, in one query: post id → whether the user found it useful, and the ids they bookmarked."""
    post_ids = list(post_ids)
    useful: set[int] = set()
    bookmarks: set[int] = set()
    if _signed_in(user) and post_ids:
        for post_id, mark in rows(_marks(), {"user_id": user.id, "post_ids": post_ids}):
            (useful if mark == "useful" else bookmarks).add(post_id)
    return {post_id: post_id in useful for post_id in post_ids}, bookmarks


def useful_people(post: Post, page: int = 1):
    """Who found the post useful, earliest first, paginated."""
    stmt = (
        sa.select(User)
        .join(Reaction, Reaction.user_id == User.id)
        .where(Reaction.post_id == post.id)
        .order_by(Reaction.created_at, User.id)
    )
    return db.paginate(stmt, page=page, per_page=50, error_out=False)


# --- bookmarks ------------------------------------------------------------------------------------------------------


def set_bookmark(user: User, post: Post, on: bool | None = None) -> bool:
    """Add (or remove) the post to the user's bookmarks; `on=None` toggles. Returns whether it is bookmarked now."""
    if on is None:
        on = db.session.get(Bookmark, (user.id, post.id)) is None
    if on:
        _insert_once(Bookmark(user_id=user.id, post_id=post.id))
    else:
        stmt = sa.delete(Bookmark).where(Bookmark.user_id == user.id, Bookmark.post_id == post.id)
        db.session.execute(stmt, execution_options={"synchronize_session": False})
    db.session.flush()
    return on


def _readable_posts():
    """Conditions for a post and its thread being shown to everyone who may read the association."""
    return (
        Post.deleted_at.is_(None),
        Post.hidden_at.is_(None),
        Thread.deleted_at.is_(None),
        Thread.hidden_at.is_(None),
    )


def bookmarks_of(user: User, page: int = 1):
    """The user's bookmarks, newest first, with post, author, thread and association loaded; posts the user may no
    longer see (removed, hidden, or in a members-only association they left) are left out in SQL."""
    stmt = (
        sa.select(Bookmark)
        .join(Bookmark.post)
        .join(Post.thread)
        .join(Thread.association)
        .where(Bookmark.user_id == user.id, *_readable_posts(), visible_to(user), private_visible(user))
        .options(
            contains_eager(Bookmark.post).contains_eager(Post.thread).contains_eager(Thread.association),
            contains_eager(Bookmark.post).joinedload(Post.author),
        )
        .order_by(Bookmark.created_at.desc(), Bookmark.post_id.desc())
    )
    return db.paginate(stmt, page=page, per_page=LIST_PER_PAGE, error_out=False)


# --- watching -------------------------------------------------------------------------------------------------------


def thread_watch_level(user, thread: Thread) -> WatchLevel:
    if not _signed_in(user):
        return WatchLevel.NORMAL
    level = db.session.scalar(
        sa.select(ThreadReader.level).where(ThreadReader.user_id == user.id, ThreadReader.thread_id == thread.id)
    )
    return level or WatchLevel.NORMAL


def set_thread_watch(user: User, thread: Thread, level: WatchLevel) -> ThreadReader:
    """How closely the user follows a thread."""
    reader = services.set_watch_level(user, thread, WatchLevel(level))
    db.session.flush()
    return reader


def association_watch_level(user, association: Association) -> WatchLevel:
    if not _signed_in(user):
        return WatchLevel.NORMAL
    level = rows(_association_watch(), {"user_id": user.id, "association_id": association.id}).scalar()
    return level or WatchLevel.NORMAL


@prepared
def _association_watch():
    return sa.select(AssociationWatch.level).where(
        AssociationWatch.user_id == sa.bindparam("user_id"),
        AssociationWatch.association_id == sa.bindparam("association_id"),
    )


def set_association_watch(user: User, association: Association, level: WatchLevel) -> AssociationWatch:
    """How closely the user follows an association: watching = every new post, muted = its new threads are not
    counted as unread."""
    watch = db.session.get(AssociationWatch, (user.id, association.id))
    if watch is None:
        watch = AssociationWatch(user_id=user.id, association_id=association.id)
        db.session.add(watch)
    watch.level = WatchLevel(level)
    db.session.flush()
    return watch


def watchers_of(thread: Thread) -> set[int]:
    """Ids of the users to tell about every new post in the thread: those watching it or its association, minus
    those who muted the thread, and only active users who may still read the association."""
    on_thread = sa.select(ThreadReader.user_id).where(
        ThreadReader.thread_id == thread.id, ThreadReader.level == WatchLevel.WATCHING
    )
    on_association = sa.select(AssociationWatch.user_id).where(
        AssociationWatch.association_id == thread.association_id, AssociationWatch.level == WatchLevel.WATCHING
    )
    muted = sa.select(ThreadReader.user_id).where(
        ThreadReader.thread_id == thread.id, ThreadReader.level == WatchLevel.MUTED
    )
    stmt = sa.select(User.id).where(
        User.id.in_(sa.union(on_thread, on_association)),
        User.id.not_in(muted),
        User.status == UserStatus.ACTIVE,
    )
    if thread.association.visibility != Visibility.PUBLIC:
        members = sa.select(Membership.user_id).where(
            Membership.association_id == thread.association_id, Membership.status == MembershipStatus.ACTIVE
        )
        stmt = stmt.where(sa.or_(User.id.in_(members), User.role == Role.ADMIN))
    return set(db.session.scalars(stmt))
