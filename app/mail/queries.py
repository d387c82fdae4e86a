"""What the outbox holds, for `flask mail status` and the admin page /admin/mail: one query for the summary, two
(the page's rows with their recipients, and its total) for a page of messages, however many there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination, SelectPagination

from app.db import page_number, utcnow
from app.extensions import db
from app.mail.models import OutboxMessage, OutboxStatus

STATUSES = (OutboxStatus.QUEUED, OutboxStatus.SENDING, OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.SKIPPED)
WAITING = (OutboxStatus.QUEUED, OutboxStatus.SENDING)
# the admin page's filter → the statuses it shows
FILTERS = {"failed": (OutboxStatus.FAILED,), "queued": WAITING, "all": STATUSES}


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    due: int = 0  # queued rows whose time has come (a growing number: the worker is behind or down)
    sent_last_day: int = 0
    oldest_waiting_at: datetime | None = None  # when the oldest queued row was queued

    def oldest_waiting_age(self, now: datetime) -> timedelta | None:
        return None if self.oldest_waiting_at is None else max(now - self.oldest_waiting_at, timedelta(0))


def queue_summary(now: datetime | None = None) -> Summary:
    """Counts per status, the due ones, those sent in the last 24 hours, the oldest waiting: one query."""
    now = now or utcnow()
    table = OutboxMessage.__table__
    queued = table.c.status == OutboxStatus.QUEUED
    rows = db.session.execute(
        sa.select(
            table.c.status,
            sa.func.count(),
            sa.func.count(sa.case((sa.and_(queued, table.c.send_after <= now), 1))),
            sa.func.count(sa.case((table.c.sent_at >= now - timedelta(days=1), 1))),
            sa.func.min(sa.case((queued, table.c.created_at))),
        ).group_by(table.c.status)
    )
    summary = Summary()
    for status, count, due, sent_last_day, oldest in rows:
        summary.counts[status] = count
        summary.due += due
        if status == OutboxStatus.SENT:
            summary.sent_last_day = sent_last_day
        if oldest is not None:
            summary.oldest_waiting_at = oldest
    return summary


def queue_counts() -> dict[str, int]:
    """Status → number of rows, every status named (zero included)."""
    return queue_summary().counts


@dataclass
class MessageRow:
    """A row of the admin page: the message and, for a user's mail, the account's current address."""

    message: OutboxMessage
    user_email: str | None
    user_name: str | None

    @property
    def recipient(self) -> str:
        # notices are addressed when written, at sending time: until then the account's address is the recipient
        return self.message.to_address or self.user_email or ""


class _RowsPage(SelectPagination):
    """Flask-SQLAlchemy's pagination of a select, keeping every column of a row (its own keeps the first)."""

    def _query_items(self) -> list[MessageRow]:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return [MessageRow(*row) for row in self._query_args["session"].execute(select)]


def messages_page(status_filter: str, page: int | None = None) -> Pagination:
    """A page of messages with `status_filter`'s statuses, newest first, with the recipients' accounts."""
    from app.auth.models import User  # the account of a user's mail; mail knows users only for display

    stmt = (
        sa.select(OutboxMessage, User.email, User.full_name)
        .outerjoin(User, User.id == OutboxMessage.user_id)
        .order_by(OutboxMessage.id.desc())
    )
    if FILTERS[status_filter] != STATUSES:
        stmt = stmt.where(OutboxMessage.status.in_(FILTERS[status_filter]))
    per_page = current_app.config["PER_PAGE"]
    page = page if page is not None else page_number(request.args)  # clamped: a huge ?page= is not an OFFSET
    return _RowsPage(select=stmt, session=db.session(), page=page, per_page=per_page, max_per_page=per_page)
