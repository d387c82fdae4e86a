"""The daily digest: once a day, at the user's hour (DIGEST_HOUR or their own) in their time zone, one e-mail with
the notifications that waited for it and what other features add (`DIGEST_SECTIONS`: discussions adds the new threads
in the user's associations), leaving out what the user has already read. Nothing new: no e-mail.

`queue_due_digests()` runs as a job of the mail worker (every DIGEST_CHECK_SECONDS) and from `flask mail digest`. A
user's digest is claimed by moving `users.last_digest_at` with a conditional UPDATE, so two workers never write two.
The digest is written when it is queued and sent like any written message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _

from app.auth.models import User
from app.db import utcnow
from app.extensions import db
from app.i18n import is_valid_timezone, recipient_context
from app.mail.outbox import queue_message, site_request_context
from app.mailer import absolute_url
from app.notifications.emails import (
    collect,
    mail_context,
    set_email_state,
    unsubscribe_headers,
    unsubscribe_token,
)
from app.notifications.kinds import Category, Delivery
from app.notifications.models import EmailState
from app.notifications.preferences import deliveries
from app.notifications.services import email_receivers

DIGEST_CHECK_SECONDS = 600


@dataclass(frozen=True, slots=True)
class DigestEntry:
    title: str
    path: str  # the site's path; the template makes it absolute
    meta: str
    at: datetime


@dataclass(frozen=True, slots=True)
class DigestSection:
    title: str
    entries: list[DigestEntry]
    more: int
    category: Category  # the user's delivery for it must be «в сводке» for the section to be included


# section(user, since) → DigestSection | None, registered by features.
DIGEST_SECTIONS: list[Callable[[User, datetime], DigestSection | None]] = []


def digest_moment(user, now: datetime) -> datetime:
    """The latest time the user's digest was due, at or before `now` (UTC)."""
    zone = ZoneInfo(user.timezone if is_valid_timezone(user.timezone) else current_app.config["TIMEZONE"])
    hour = user.digest_hour if user.digest_hour is not None else current_app.config["DIGEST_HOUR"]
    local = now.astimezone(zone)
    moment = local.replace(hour=min(max(hour, 0), 23), minute=0, second=0, microsecond=0)
    if moment > local:
        moment -= timedelta(days=1)
    return moment.astimezone(now.tzinfo)


def queue_due_digests(now: datetime | None = None) -> int:
    """Queue the digest of every user whose hour has come since their last one; how many were queued."""
    now = now or utcnow()
    with site_request_context():
        return _queue_due_digests(now)


def _queue_due_digests(now: datetime) -> int:
    candidates = db.session.execute(
        sa.select(User.id, User.timezone, User.digest_hour, User.last_digest_at).where(email_receivers())
    ).all()
    queued = 0
    for candidate in candidates:
        moment = digest_moment(candidate, now)
        if candidate.last_digest_at is not None and candidate.last_digest_at >= moment:
            continue
        if not _claim(candidate.id, candidate.last_digest_at, now):
            continue
        since = candidate.last_digest_at or now - timedelta(days=1)
        user = db.session.get(User, candidate.id)
        if write_digest(user, since):
            queued += 1
        db.session.commit()
    return queued


def _claim(user_id: int, last: datetime | None, now: datetime) -> bool:
    table = User.__table__
    unchanged = table.c.last_digest_at.is_(None) if last is None else table.c.last_digest_at == last
    claimed = db.session.execute(
        sa.update(table).where(table.c.id == user_id, unchanged).values(last_digest_at=now)
    ).rowcount
    return bool(claimed)


def write_digest(user: User, since: datetime) -> bool:
    """Queue the user's digest of what happened since `since`; False when there was nothing new."""
    wanted = sorted(category for category, delivery in deliveries(user).items() if delivery == Delivery.DIGEST)
    with recipient_context(user):
        items, sent_ids = collect(user, EmailState.DIGEST)
        sections = [section for make in DIGEST_SECTIONS if (section := make(user, since)) is not None
                    and section.category in wanted]  # fmt: skip
        if not items and not sections:
            return False
        categories = sorted({item.category for item in items} | {section.category for section in sections})
        context = mail_context(user, categories)
        # One click turns the digest off: every category it carries goes to «не присылать».
        context["unsubscribe_url"] = absolute_url("notifications.unsubscribe", token=unsubscribe_token(user.id, wanted))
        subject = _("Сводка за день — %(site)s", site=current_app.config["SITE_NAME"])
        text = render_template("notifications/email/digest.txt", items=items, sections=sections, since=since,
                               **context)  # fmt: skip
        html = render_template("notifications/email/digest.html", items=items, sections=sections, since=since,
                               **context)  # fmt: skip
    queue_message(
        user.email, subject, text, html, user_id=user.id, headers=unsubscribe_headers(context["unsubscribe_url"])
    )
    set_email_state(sent_ids, EmailState.SENT)
    return True
