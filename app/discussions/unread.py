"""Unread threads and the home page's activity: the selects behind /unread, the nav count and the home page.

Unread, as in Discourse:
- a thread the user tracks or watches (their ThreadReader level) whose `post_count` is above the number of the last
  post shown to them;
- a new thread: started by someone else in an association where the user is an active member, after they joined and
  within the last NEW_THREAD_DAYS, that they have never opened (no ThreadReader row), unless they muted the
  association.
Threads they may no longer see (deleted, hidden, or in a members-only association they left) and muted ones never
count.

Lists are found in two steps: a narrow select orders (id, last read, last activity) rows and cuts the page, then the
page's threads are loaded with what the template shows; sorting wide joined rows was the slow part on a large
district.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased, joinedload

from app.associations.models import Association, Membership, MembershipStatus, Visibility
from app.associations.queries import visible_to
from app.auth.models import User
from app.db import UTCDateTime, utcnow
from app.discussions.engagement import LIST_PER_PAGE, post_url
from app.discussions.models import AssociationWatch, Thread, ThreadReader, WatchLevel
from app.extensions import db

NAV_UNREAD_CAP = 99  # the nav shows «99+» beyond this; counting stops there, so the query stays cheap
NEW_THREAD_DAYS = 14  # a never-opened thread in one's association stops being «new» after this
FOLLOWING = (WatchLevel.WATCHING, WatchLevel.TRACKING)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _visible_threads(user):
    return (Thread.deleted_at.is_(None), Thread.hidden_at.is_(None), visible_to(user))


def _tracked_unread(user):
    """Tracked or watched threads with posts past the last one shown: (thread id, last read, last activity)."""
    return (
        sa.select(
            Thread.id.label("thread_id"),
            ThreadReader.last_read_number.label("last_read"),
            Thread.last_posted_at.label("last_posted_at"),
        )
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
    """Threads started by others in the user's associations since they joined, never opened: (thread id, 0, …)."""
    reader = aliased(ThreadReader)
    muted = aliased(AssociationWatch)
    since = utcnow() - timedelta(days=NEW_THREAD_DAYS)
    return (
        sa.select(
            Thread.id.label("thread_id"),
            sa.literal(0).label("last_read"),
            Thread.last_posted_at.label("last_posted_at"),
        )
        .join(Membership, Membership.association_id == Thread.association_id)
        .join(Association, Association.id == Thread.association_id)
        .where(
            Membership.user_id == user.id,
            Membership.status == MembershipStatus.ACTIVE,
            # last activity is never before creation: this bound lets the (association, activity) index cut the scan
            Thread.last_posted_at >= since,
            Thread.created_at >= since,
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


def _newest_first(stmt):
    return stmt.order_by(Thread.last_posted_at.desc(), Thread.id.desc())


def _unread_rows(user, limit: int | None = None):
    """The union of both kinds as (thread_id, last_read, last_posted_at); each branch cut to `limit` when given (the
    first `limit` of the union are among the first `limit` of each branch)."""
    if limit is None:
        return sa.union_all(_tracked_unread(user), _new_threads(user)).subquery("unread")
    # SQLite takes no ORDER BY/LIMIT inside a compound select: each cut branch is wrapped in a subquery.
    new = _newest_first(_new_threads(user)).limit(limit).subquery()
    return sa.union_all(sa.select(_first_tracked(user, limit).c), sa.select(new.c)).subquery("unread")


def _first_tracked(user, limit: int):
    """The first `limit` tracked unread threads by activity. Joining and sorting every reader row of someone who
    follows thousands of threads is the slow part, so the threads active within the last NEW_THREAD_DAYS come first,
    read through the (association, activity) index and probed for the user's reader row; all reader rows are sorted
    only when those hold fewer than `limit` (one statement: that branch's LIMIT is 0 otherwise, and it is skipped)."""
    since = utcnow() - timedelta(days=NEW_THREAD_DAYS)
    last_read = (
        sa.select(ThreadReader.last_read_number)
        .where(
            ThreadReader.user_id == user.id,
            ThreadReader.thread_id == Thread.id,
            ThreadReader.level.in_(FOLLOWING),
        )
        .scalar_subquery()
    )
    recent = (
        _newest_first(
            sa.select(
                Thread.id.label("thread_id"),
                last_read.label("last_read"),
                Thread.last_posted_at.label("last_posted_at"),
            ).where(
                Thread.association_id.in_(sa.select(Association.id).where(visible_to(user))),
                Thread.last_posted_at >= since,
                Thread.deleted_at.is_(None),
                Thread.hidden_at.is_(None),
                Thread.post_count > last_read,
            )
        )
        .limit(limit)
        .cte("recent_tracked")
    )  # a CTE: read once, used twice
    found = sa.select(sa.func.count()).select_from(recent).scalar_subquery()
    rest = _newest_first(_tracked_unread(user)).limit(sa.case((found < limit, limit), else_=0))
    # a thread found by both branches is the same row in each: UNION keeps one
    return sa.union(sa.select(recent.c), sa.select(rest.subquery().c)).subquery()


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


def _load(ids: list[int]) -> dict[int, Thread]:
    """Threads by id with their association and last poster (one query)."""
    if not ids:
        return {}
    stmt = (
        sa.select(Thread)
        .where(Thread.id.in_(ids))
        .options(joinedload(Thread.association), joinedload(Thread.last_poster))
    )
    return {thread.id: thread for thread in db.session.scalars(stmt)}


def _unread_page_rows(user, *, offset: int, limit: int) -> list[UnreadThread]:
    unread = _unread_rows(user, limit=offset + limit)
    order = (
        sa.select(unread.c.thread_id, unread.c.last_read)
        .order_by(unread.c.last_posted_at.desc(), unread.c.thread_id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = db.session.execute(order).all()
    threads = _load([thread_id for thread_id, _ in rows])
    return [UnreadThread(threads[thread_id], last_read) for thread_id, last_read in rows if thread_id in threads]


class UnreadPage(Pagination):
    """A page of /unread: `rows` (UnreadThread items), newest activity first; three queries whatever the size."""

    def __init__(self, user, page: int, per_page: int = LIST_PER_PAGE):
        self._user = user
        super().__init__(page=page, per_page=per_page, error_out=False)
        self.rows = self.items

    def _query_items(self) -> list:
        return _unread_page_rows(self._user, offset=self._query_offset, limit=self.per_page)

    def _query_count(self) -> int:
        rows = sa.union_all(_tracked_unread(self._user), _new_threads(self._user)).subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(rows)) or 0


def unread_threads(user, page: int = 1) -> UnreadPage:
    return UnreadPage(user, page)


def top_unread(user, limit: int = 5) -> list[UnreadThread]:
    """The few threads with unread posts and the newest activity, for the home page (two queries)."""
    if not _signed_in(user):
        return []
    return _unread_page_rows(user, offset=0, limit=limit)


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


def _latest_threads(limit: int, *conditions) -> list[Thread]:
    """The latest visible threads of associations that are not archived, matching `conditions` (two steps: the
    ordered ids, then the threads with association and last poster)."""
    ids = _newest_first(
        sa.select(Thread.id)
        .join(Association, Association.id == Thread.association_id)
        .where(Thread.deleted_at.is_(None), Thread.hidden_at.is_(None), Association.archived_at.is_(None), *conditions)
    ).limit(limit)
    ordered = ids.subquery()
    stmt = _newest_first(
        sa.select(Thread)
        .join(ordered, ordered.c.id == Thread.id)
        .options(joinedload(Thread.association), joinedload(Thread.last_poster))
    )
    return list(db.session.scalars(stmt))


def activity_in_my_associations(user: User, limit: int = 10) -> list[Thread]:
    """The latest threads by last activity in the associations where the user is an active member (muted left out).

    Each association's `limit`-th latest thread is found through its (association, activity) index; the latest of
    these dates is a lower bound of the overall `limit`-th, so the list is read from the index above that date: at
    most about `limit` threads of each association, instead of sorting every thread of all of them."""
    mine = sa.select(Membership.association_id).where(
        Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE
    )
    # NOT EXISTS probes the reader row by its key; NOT IN would first list all the user's reader rows (thousands)
    muted = sa.exists().where(
        ThreadReader.user_id == user.id, ThreadReader.thread_id == Thread.id, ThreadReader.level == WatchLevel.MUTED
    )
    shown = (Thread.deleted_at.is_(None), Thread.hidden_at.is_(None), ~muted)
    nth_latest = (
        _newest_first(sa.select(Thread.last_posted_at).where(Thread.association_id == Association.id, *shown))
        .offset(limit - 1)
        .limit(1)
        .correlate(Association)
        .scalar_subquery()
    )
    bound = sa.select(sa.func.max(nth_latest)).where(Association.id.in_(mine), Association.archived_at.is_(None))
    since = sa.func.coalesce(bound.scalar_subquery(), sa.literal(_EPOCH, UTCDateTime))
    return _latest_threads(limit, Thread.association_id.in_(mine), ~muted, Thread.last_posted_at >= since)


def public_activity(limit: int = 10) -> list[Thread]:
    """The latest threads of public associations, for visitors."""
    return _latest_threads(limit, Association.visibility == Visibility.PUBLIC)
