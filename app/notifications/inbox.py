"""The inbox: a page of a user's notifications, newest first, each with its text, who acted and a link to what it is
about; marking them read.

Notifications know nothing of the features that notify: the links come from resolvers those features register in
`TARGET_RESOLVERS` (moderation registers the one for threads, posts and associations). A resolver answers only with
what the reader may still see, so a notification about a thread the reader can no longer see shows no title."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.db import prepared, rows, utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import lower_unread_count
from app.notifications.texts import notice_quote, notice_reason, notice_text


@dataclass(frozen=True, slots=True)
class Target:
    """Where a notification leads, as the reader may see it now."""

    label: str  # «сообщение № 3 в теме «…»», «тема «…»», «объединение «…»»
    url: str
    excerpt: str = ""  # the start of the post's text, when the notice is about a post


# resolver(user, notices) → {notification id: Target} for the page's notices (rows with id, thread_id, post_id,
# association_id, kind), in a fixed number of queries, answering only for what `user` may see.
TARGET_RESOLVERS: list = []


@dataclass(frozen=True, slots=True)
class InboxItem:
    id: int
    text: str
    reason: str
    actor_name: str | None  # None: nobody acted (automatic) or the account is gone
    created_at: datetime
    unread: bool
    target: Target | None
    gone: bool  # it was about something the reader may no longer see
    quote: str  # the post's excerpt, or the text the notice carries


class InboxPage(Pagination):
    """A page whose items and totals come from our own queries."""

    def __init__(self, items: list, page: int, per_page: int, total: int, unread: int):
        self._items, self._total, self.unread = items, total, unread
        super().__init__(page=page, per_page=per_page, error_out=False)

    def _query_items(self) -> list:
        return self._items

    def _query_count(self) -> int:
        return self._total


_ACTOR = aliased(User)


@prepared
def _inbox_rows():
    return (
        sa.select(
            Notification.id,
            Notification.kind,
            Notification.params,
            Notification.count,
            Notification.created_at,
            Notification.read_at,
            Notification.actor_id,
            Notification.association_id,
            Notification.thread_id,
            Notification.post_id,
            _ACTOR.full_name.label("actor_name"),
        )
        .outerjoin(_ACTOR, _ACTOR.id == Notification.actor_id)
        .where(Notification.user_id == sa.bindparam("user_id"))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )


@prepared
def _inbox_totals():
    unread = sa.func.coalesce(sa.func.sum(sa.case((Notification.read_at.is_(None), 1), else_=0)), 0)
    return sa.select(sa.func.count(), unread).where(Notification.user_id == sa.bindparam("user_id"))


def inbox_page(user, page: int, per_page: int) -> InboxPage:
    """The user's notifications on `page`: two queries, then the resolvers' (a fixed number for any page)."""
    total, unread = rows(_inbox_totals(), {"user_id": user.id}).one()
    found = rows(_inbox_rows(), {"user_id": user.id, "offset": (page - 1) * per_page, "limit": per_page}).all()
    targets: dict[int, Target] = {}
    for resolve in TARGET_RESOLVERS:
        targets.update(resolve(user, found) if found else {})
    items = [_item(row, targets.get(row.id)) for row in found]
    return InboxPage(items, page, per_page, total, int(unread))


def _item(row, target: Target | None) -> InboxItem:
    points = row.post_id is not None or row.thread_id is not None or row.association_id is not None
    return InboxItem(
        id=row.id,
        text=notice_text(row.kind, row.params, automatic=row.actor_id is None, count=row.count or 1),
        reason=notice_reason(row.params),
        actor_name=row.actor_name,
        created_at=row.created_at,
        unread=row.read_at is None,
        target=target,
        gone=points and target is None,
        quote=notice_quote(target.excerpt if target is not None else "", row.params),
    )


def mark_read(user, notification_id: int) -> bool:
    """Mark one of the user's notifications read (again: no change); False when the user has no such notification."""
    mine = sa.and_(Notification.id == notification_id, Notification.user_id == user.id)
    if db.session.scalar(sa.select(Notification.id).where(mine)) is None:
        return False
    done = db.session.execute(
        sa.update(Notification).where(mine, Notification.read_at.is_(None)).values(read_at=utcnow())
    ).rowcount
    if done:
        lower_unread_count(user, done)
    return True


def mark_all_read(user) -> int:
    """Mark every unread notification of the user read; how many there were."""
    done = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    lower_unread_count(user, None)
    return done.rowcount or 0
