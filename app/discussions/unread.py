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
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased

from app.associations.models import Association, Membership, MembershipStatus, Visibility
from app.associations.queries import visible_to_viewer
from app.auth.models import User
from app.db import UTCDateTime, dialect_insert, prepared, rows, utcnow
from app.discussions.engagement import LIST_PER_PAGE, post_url
from app.discussions.models import AssociationWatch, Thread, ThreadReader, WatchLevel
from app.discussions.privacy import private_visible_to_viewer, thread_viewer_params
from app.extensions import db
from app.fragments import remember, remember_for_user
from app.stamps import read_site_stamp

NAV_UNREAD_CAP = 99  # the nav shows «99+» beyond this; counting stops there, so the query stays cheap
NEW_THREAD_DAYS = 14  # a never-opened thread in one's association stops being «new» after this
FOLLOWING = (WatchLevel.WATCHING, WatchLevel.TRACKING)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The statements below are built once (app.db.prepared) with these bound parameters; `_params(user)` supplies them.
_USER = sa.bindparam("viewer_id", type_=sa.Integer)
_SINCE = sa.bindparam("since", type_=UTCDateTime())


def _window_start() -> datetime:
    """The start of the «new threads» window: NEW_THREAD_DAYS before the start of this hour, so that results stay
    the same within the hour and can be kept under a key that holds it (`_cached`)."""
    return utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(days=NEW_THREAD_DAYS)


def _params(user, **more) -> dict:
    """The bound values of the unread statements: the viewer, and the start of the «new threads» window."""
    return {**thread_viewer_params(user), "since": _window_start(), **more}


def _cached(name: str, user, compute, *values):
    """`compute()`, kept per worker under the user's change stamps and the site's (app/stamps.py): what the
    home page and the nav show stays the same until someone writes in an association or the user reads, joins or
    watches something. Computed every time where no stamps were read (outside a signed-in request)."""
    return remember_for_user(name, user, compute, _window_start(), *values)


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _visible_threads():
    return (Thread.deleted_at.is_(None), Thread.hidden_at.is_(None), visible_to_viewer(), private_visible_to_viewer())


def _tracked_unread():
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
            ThreadReader.user_id == _USER,
            ThreadReader.level.in_(FOLLOWING),
            Thread.post_count > ThreadReader.last_read_number,
            *_visible_threads(),
        )
    )


def _new_threads():
    """Threads started by others in the user's associations since they joined, never opened: (thread id, 0, …)."""
    reader = aliased(ThreadReader)
    muted = aliased(AssociationWatch)
    return (
        sa.select(
            Thread.id.label("thread_id"),
            sa.literal(0).label("last_read"),
            Thread.last_posted_at.label("last_posted_at"),
        )
        .join(Membership, Membership.association_id == Thread.association_id)
        .join(Association, Association.id == Thread.association_id)
        .where(
            Membership.user_id == _USER,
            Membership.status == MembershipStatus.ACTIVE,
            # last activity is never before creation: this bound lets the (association, activity) index cut the scan
            Thread.last_posted_at >= _SINCE,
            Thread.created_at >= _SINCE,
            Thread.created_at > sa.func.coalesce(Membership.joined_at, Membership.requested_at),
            sa.or_(Thread.author_id.is_(None), Thread.author_id != _USER),
            ~sa.exists().where(reader.user_id == _USER, reader.thread_id == Thread.id),
            ~sa.exists().where(
                muted.user_id == _USER,
                muted.association_id == Thread.association_id,
                muted.level == WatchLevel.MUTED,
            ),
            *_visible_threads(),
        )
    )


def _newest_first(stmt):
    return stmt.order_by(Thread.last_posted_at.desc(), Thread.id.desc())


def _unread_rows(limit: int):
    """The union of both kinds as (thread_id, last_read, last_posted_at), each branch cut to `limit` (the first
    `limit` of the union are among the first `limit` of each branch)."""
    # SQLite takes no ORDER BY/LIMIT inside a compound select: each cut branch is wrapped in a subquery.
    new = _newest_first(_new_threads()).limit(limit).subquery()
    return sa.union_all(sa.select(_first_tracked(limit).c), sa.select(new.c)).subquery("unread")


def _first_tracked(limit: int):
    """The first `limit` tracked unread threads by activity. Joining and sorting every reader row of someone who
    follows thousands of threads is the slow part, so the threads active within the last NEW_THREAD_DAYS come first,
    read through the (association, activity) index and probed for the user's reader row; all reader rows are sorted
    only when those hold fewer than `limit` (one statement: that branch's LIMIT is 0 otherwise, and it is skipped)."""
    last_read = (
        sa.select(ThreadReader.last_read_number)
        .where(
            ThreadReader.user_id == _USER,
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
                Thread.association_id.in_(sa.select(Association.id).where(visible_to_viewer())),
                Thread.last_posted_at >= _SINCE,
                Thread.deleted_at.is_(None),
                Thread.hidden_at.is_(None),
                private_visible_to_viewer(),
                Thread.post_count > last_read,
            )
        )
        .limit(limit)
        .cte("recent_tracked")
    )  # a CTE: read once, used twice
    found = sa.select(sa.func.count()).select_from(recent).scalar_subquery()
    rest = _newest_first(_tracked_unread()).limit(sa.case((found < limit, limit), else_=0))
    # a thread found by both branches is the same row in each: UNION keeps one
    return sa.union(sa.select(recent.c), sa.select(rest.subquery().c)).subquery()


@prepared
def _count_statement(cap: int | None):
    rows = sa.union_all(_tracked_unread(), _new_threads())
    rows = (rows if cap is None else rows.limit(cap + 1)).subquery()
    return sa.select(sa.func.count()).select_from(rows)


def unread_count(user, cap: int | None = NAV_UNREAD_CAP) -> int:
    """How many threads have unread posts, counting no further than cap + 1 (one query; 0 for visitors)."""
    if not _signed_in(user):
        return 0
    return _cached("unread_count", user, lambda: rows(_count_statement(cap), _params(user)).scalar() or 0, cap)


@dataclass(frozen=True)
class UnreadThread:
    thread: Any  # a row of _LIST_COLUMNS
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


_LAST_POSTER = aliased(User)
# What a list of threads shows (home page, /unread), read as plain rows: loading entities cost more than the query.
_LIST_COLUMNS = (
    Thread.id,
    Thread.title,
    Thread.reply_count,
    Thread.post_count,
    Thread.last_posted_at,
    Association.slug.label("association_slug"),
    Association.name.label("association_name"),
    _LAST_POSTER.full_name.label("last_poster_name"),
)


def _listed(stmt):
    """`stmt` (a select of threads) with the association and the last poster joined for `_LIST_COLUMNS`."""
    return stmt.join(Association, Association.id == Thread.association_id).outerjoin(
        _LAST_POSTER, _LAST_POSTER.id == Thread.last_poster_id
    )


@prepared
def _threads_by_id():
    return _listed(sa.select(*_LIST_COLUMNS)).where(Thread.id.in_(sa.bindparam("ids", expanding=True)))


def _load(ids: list[int]) -> dict:
    """Threads by id as rows of `_LIST_COLUMNS` (one query)."""
    if not ids:
        return {}
    return {thread.id: thread for thread in rows(_threads_by_id(), {"ids": ids})}


@prepared
def _page_statement(offset: int, limit: int):
    unread = _unread_rows(offset + limit)
    return (
        sa.select(unread.c.thread_id, unread.c.last_read)
        .order_by(unread.c.last_posted_at.desc(), unread.c.thread_id.desc())
        .offset(offset)
        .limit(limit)
    )


def _unread_page_rows(user, *, offset: int, limit: int) -> list[UnreadThread]:
    found = rows(_page_statement(offset, limit), _params(user)).all()
    threads = _load([thread_id for thread_id, _ in found])
    return [UnreadThread(threads[thread_id], last_read) for thread_id, last_read in found if thread_id in threads]


class UnreadPage(Pagination):
    """A page of /unread: `rows` (UnreadThread items), newest activity first; three queries whatever the size."""

    def __init__(self, user, page: int, per_page: int = LIST_PER_PAGE):
        self._user = user
        super().__init__(page=page, per_page=per_page, error_out=False)
        self.rows = self.items

    def _query_items(self) -> list:
        return _unread_page_rows(self._user, offset=self._query_offset, limit=self.per_page)

    def _query_count(self) -> int:
        return unread_count(self._user, cap=None)


def unread_threads(user, page: int = 1) -> UnreadPage:
    return UnreadPage(user, page)


def top_unread(user, limit: int = 5) -> list[UnreadThread]:
    """The few threads with unread posts and the newest activity, for the home page (two queries)."""
    if not _signed_in(user):
        return []
    return _cached("top_unread", user, lambda: _unread_page_rows(user, offset=0, limit=limit), limit)


def mark_all_read(user: User) -> None:
    """Everything unread becomes read: one UPDATE for the threads the user follows, one INSERT … SELECT for the new
    threads never opened (they get a reader row at level «normal», read to the end)."""
    visible_ids = (
        sa.select(Thread.id)
        .join(Association, Association.id == Thread.association_id)
        .where(*_visible_threads())
        .correlate(None)
    )
    post_count = sa.select(Thread.post_count).where(Thread.id == ThreadReader.thread_id).scalar_subquery()
    # Through the connection: the ORM's UPDATE takes a dict of values as a bulk update by primary key.
    db.session.connection().execute(
        sa.update(ThreadReader)
        .where(
            ThreadReader.user_id == _USER,
            ThreadReader.level.in_(FOLLOWING),
            ThreadReader.last_read_number < post_count,
            ThreadReader.thread_id.in_(visible_ids),
        )
        .values(last_read_number=post_count, updated_at=utcnow()),
        _params(user),
    )
    new = _new_threads().subquery()
    rows = sa.select(
        sa.literal(user.id),
        Thread.id,
        sa.literal(WatchLevel.NORMAL.value),
        Thread.post_count,
        sa.literal(utcnow(), UTCDateTime),
    ).where(Thread.id.in_(sa.select(new.c.thread_id)))
    columns = ["user_id", "thread_id", "level", "last_read_number", "updated_at"]
    # A thread opened in another tab meanwhile has its reader row already: keep that one.
    db.session.connection().execute(
        dialect_insert(ThreadReader).from_select(columns, rows).on_conflict_do_nothing(), _params(user)
    )


# --- home page ------------------------------------------------------------------------------------------------------


def _latest_threads(limit: int, *conditions):
    """The latest visible threads of associations that are not archived, matching `conditions`, as rows of
    `_LIST_COLUMNS` (two steps in one statement: the ordered ids, then their rows)."""
    ids = _newest_first(
        sa.select(Thread.id)
        .join(Association, Association.id == Thread.association_id)
        .where(Thread.deleted_at.is_(None), Thread.hidden_at.is_(None), Association.archived_at.is_(None), *conditions)
    ).limit(limit)
    ordered = ids.subquery()
    return _newest_first(_listed(sa.select(*_LIST_COLUMNS).join(ordered, ordered.c.id == Thread.id)))


@prepared
def _my_activity(limit: int):
    mine = sa.select(Membership.association_id).where(
        Membership.user_id == _USER, Membership.status == MembershipStatus.ACTIVE
    )
    # NOT EXISTS probes the reader row by its key; NOT IN would first list all the user's reader rows (thousands)
    muted = sa.exists().where(
        ThreadReader.user_id == _USER, ThreadReader.thread_id == Thread.id, ThreadReader.level == WatchLevel.MUTED
    )
    shown = (Thread.deleted_at.is_(None), Thread.hidden_at.is_(None), ~muted, private_visible_to_viewer())
    nth_latest = (
        _newest_first(sa.select(Thread.last_posted_at).where(Thread.association_id == Association.id, *shown))
        .offset(limit - 1)
        .limit(1)
        .correlate(Association)
        .scalar_subquery()
    )
    bound = sa.select(sa.func.max(nth_latest)).where(Association.id.in_(mine), Association.archived_at.is_(None))
    since = sa.func.coalesce(bound.scalar_subquery(), sa.literal(_EPOCH, UTCDateTime))
    return _latest_threads(limit, Thread.association_id.in_(mine), *shown[2:], Thread.last_posted_at >= since)


def activity_in_my_associations(user: User, limit: int = 10) -> list:
    """The latest threads by last activity in the associations where the user is an active member (muted left out).

    Each association's `limit`-th latest thread is found through its (association, activity) index; the latest of
    these dates is a lower bound of the overall `limit`-th, so the list is read from the index above that date: at
    most about `limit` threads of each association, instead of sorting every thread of all of them."""
    return _cached("my_activity", user, lambda: rows(_my_activity(limit), thread_viewer_params(user)).all(), limit)


@prepared
def _public_activity(limit: int):
    return _latest_threads(limit, Association.visibility == Visibility.PUBLIC, ~Thread.is_private)


def public_activity(limit: int = 10) -> list:
    """The latest threads of public associations, for visitors, kept per worker under the site's change stamp."""
    return remember("public_activity", lambda: rows(_public_activity(limit)).all(), *read_site_stamp(), limit)
