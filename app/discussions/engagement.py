"""Engagement: «Полезно», bookmarks, watching and unread — the verbs and the selects behind their pages.

Verbs flush, never commit. Counters (`useful_count` on posts and threads) change in SQL in the same transaction as
the reaction, so concurrent clicks keep them exact.

Unread, as in Discourse:
- a thread the user tracks or watches (their ThreadReader level) whose `post_count` is above the number of the last
  post shown to them;
- a thread in an association where they are an active member, started after they joined, by someone else, that they
  have never opened (no ThreadReader row), unless they muted the association.
Threads they may no longer see (deleted, hidden, or in a members-only association they left) and muted ones never
count.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager, joinedload

from app.associations.models import Association, Membership, MembershipStatus, Visibility
from app.associations.queries import visible_to
from app.auth.models import Role, User, UserStatus
from app.db import UTCDateTime, utcnow
from app.discussions import services
from app.discussions.models import (
    AssociationWatch,
    Bookmark,
    Post,
    Reaction,
    Thread,
    ThreadReader,
    WatchLevel,
)
from app.extensions import db

POSTS_PER_PAGE = 20  # the thread page's page size: a post's page is computed from its number
LIST_PER_PAGE = 20
NAV_UNREAD_CAP = 99  # the nav shows «99+» beyond this; counting stops there, so the query stays cheap
FOLLOWING = (WatchLevel.WATCHING, WatchLevel.TRACKING)


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
    db.session.flush()
    return on


def reaction_state(user, post_ids) -> dict[int, bool]:
    """For each post id, whether the user marked it «Полезно» (one query for a whole page; none for visitors)."""
    post_ids = list(post_ids)
    mine: set[int] = set()
    if _signed_in(user) and post_ids:
        mine = set(
            db.session.scalars(
                sa.select(Reaction.post_id).where(Reaction.user_id == user.id, Reaction.post_id.in_(post_ids))
            )
        )
    return {post_id: post_id in mine for post_id in post_ids}


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


def bookmarked_ids(user, post_ids) -> set[int]:
    """The ids among `post_ids` that the user bookmarked (one query; none for visitors)."""
    post_ids = list(post_ids)
    if not _signed_in(user) or not post_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Bookmark.post_id).where(Bookmark.user_id == user.id, Bookmark.post_id.in_(post_ids))
        )
    )


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
        .where(Bookmark.user_id == user.id, *_readable_posts(), visible_to(user))
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
    level = db.session.scalar(
        sa.select(AssociationWatch.level).where(
            AssociationWatch.user_id == user.id, AssociationWatch.association_id == association.id
        )
    )
    return level or WatchLevel.NORMAL


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


# --- unread ---------------------------------------------------------------------------------------------------------


def _visible_threads(user):
    return (Thread.deleted_at.is_(None), Thread.hidden_at.is_(None), visible_to(user))


def _tracked_unread(user):
    """Tracked or watched threads with posts past the last one shown: (thread id, last read number)."""
    return (
        sa.select(Thread.id.label("thread_id"), ThreadReader.last_read_number.label("last_read"))
        .join(ThreadReader, ThreadReader.thread_id == Thread.id)
        .join(Association, Association.id == Thread.association_id)
        .where(
            ThreadReader.user_id == user.id,
            ThreadReader.level.in_(FOLLOWING),
            Thread.post_count > ThreadReader.last_read_number,
            *_visible_threads(user),
        )
    )


def _new_threads(user):
    """Threads started by others in the user's associations since they joined, never opened: (thread id, 0)."""
    reader = aliased(ThreadReader)
    muted = aliased(AssociationWatch)
    return (
        sa.select(Thread.id.label("thread_id"), sa.literal(0).label("last_read"))
        .join(Membership, Membership.association_id == Thread.association_id)
        .join(Association, Association.id == Thread.association_id)
        .where(
            Membership.user_id == user.id,
            Membership.status == MembershipStatus.ACTIVE,
            Thread.created_at > sa.func.coalesce(Membership.joined_at, Membership.requested_at),
            sa.or_(Thread.author_id.is_(None), Thread.author_id != user.id),
            ~sa.exists().where(reader.user_id == user.id, reader.thread_id == Thread.id),
            ~sa.exists().where(
                muted.user_id == user.id,
                muted.association_id == Thread.association_id,
                muted.level == WatchLevel.MUTED,
            ),
            *_visible_threads(user),
        )
    )


def _unread_subquery(user):
    return sa.union_all(_tracked_unread(user), _new_threads(user)).subquery("unread")


def unread_count(user, cap: int = NAV_UNREAD_CAP) -> int:
    """How many threads have unread posts, counting no further than cap + 1 (one query; 0 for visitors)."""
    if not _signed_in(user):
        return 0
    limited = sa.union_all(_tracked_unread(user), _new_threads(user)).limit(cap + 1).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(limited)) or 0


@dataclass(frozen=True)
class UnreadThread:
    thread: Thread
    last_read: int

    @property
    def unread(self) -> int:
        return max(self.thread.post_count - self.last_read, 0)

    @property
    def first_unread(self) -> int:
        return self.last_read + 1

    @property
    def url(self) -> str:
        return post_url(self.thread.id, self.first_unread)


def _unread_threads_stmt(user):
    unread = _unread_subquery(user)
    return (
        sa.select(Thread)
        .join(unread, unread.c.thread_id == Thread.id)
        .options(joinedload(Thread.association), joinedload(Thread.last_poster))
        .order_by(Thread.last_posted_at.desc(), Thread.id.desc())
    )


def _with_last_read(user, threads: list[Thread]) -> list[UnreadThread]:
    ids = [t.id for t in threads]
    last_read = {}
    if ids:
        last_read = dict(
            db.session.execute(
                sa.select(ThreadReader.thread_id, ThreadReader.last_read_number).where(
                    ThreadReader.user_id == user.id, ThreadReader.thread_id.in_(ids)
                )
            ).all()
        )
    return [UnreadThread(thread, last_read.get(thread.id, 0)) for thread in threads]


def unread_threads(user, page: int = 1):
    """A page of threads with unread posts, newest activity first; `.rows` holds UnreadThread items."""
    pagination = db.paginate(_unread_threads_stmt(user), page=page, per_page=LIST_PER_PAGE, error_out=False)
    pagination.rows = _with_last_read(user, pagination.items)
    return pagination


def top_unread(user, limit: int = 5) -> list[UnreadThread]:
    if not _signed_in(user):
        return []
    threads = list(db.session.scalars(_unread_threads_stmt(user).limit(limit)))
    return _with_last_read(user, threads)


def mark_all_read(user: User) -> None:
    """Everything unread becomes read: one UPDATE for the threads the user follows, one INSERT … SELECT for the new
    threads never opened (they get a reader row at level «normal», read to the end)."""
    visible_ids = (
        sa.select(Thread.id)
        .join(Association, Association.id == Thread.association_id)
        .where(*_visible_threads(user))
        .correlate(None)
    )
    post_count = sa.select(Thread.post_count).where(Thread.id == ThreadReader.thread_id).scalar_subquery()
    db.session.execute(
        sa.update(ThreadReader)
        .where(
            ThreadReader.user_id == user.id,
            ThreadReader.level.in_(FOLLOWING),
            ThreadReader.last_read_number < post_count,
            ThreadReader.thread_id.in_(visible_ids),
        )
        .values(last_read_number=post_count, updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    new = _new_threads(user).subquery()
    rows = sa.select(
        sa.literal(user.id),
        Thread.id,
        sa.literal(WatchLevel.NORMAL.value),
        Thread.post_count,
        sa.literal(utcnow(), UTCDateTime),
    ).where(Thread.id.in_(sa.select(new.c.thread_id)))
    columns = ["user_id", "thread_id", "level", "last_read_number", "updated_at"]
    # A thread opened in another tab meanwhile has its reader row already: keep that one.
    db.session.execute(_insert(ThreadReader).from_select(columns, rows).on_conflict_do_nothing())


def _insert(model):
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


# --- home page ------------------------------------------------------------------------------------------------------


def _activity_stmt(limit: int):
    return (
        sa.select(Thread)
        .join(Association, Association.id == Thread.association_id)
        .where(Thread.deleted_at.is_(None), Thread.hidden_at.is_(None), Association.archived_at.is_(None))
        .options(joinedload(Thread.association), joinedload(Thread.last_poster))
        .order_by(Thread.last_posted_at.desc(), Thread.id.desc())
        .limit(limit)
    )


def activity_in_my_associations(user: User, limit: int = 10) -> list[Thread]:
    """The latest threads by last activity in the associations where the user is an active member (muted left out)."""
    mine = sa.select(Membership.association_id).where(
        Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE
    )
    muted = sa.select(ThreadReader.thread_id).where(
        ThreadReader.user_id == user.id, ThreadReader.level == WatchLevel.MUTED
    )
    stmt = _activity_stmt(limit).where(Thread.association_id.in_(mine), Thread.id.not_in(muted))
    return list(db.session.scalars(stmt))


def public_activity(limit: int = 10) -> list[Thread]:
    """The latest threads of public associations, for visitors."""
    return list(db.session.scalars(_activity_stmt(limit).where(Association.visibility == Visibility.PUBLIC)))
