"""Notifications by e-mail: the immediate e-mail of notices (written when the worker sends it, from what waited in
the grouping window) and the daily digest's text; signed one-click unsubscribe links.

Every message is written for its recipient: in their language and time zone (`i18n.recipient_context`), with only
what they may still see (the inbox's target resolvers decide, as on /notifications) and nothing they have already
read. Each says why it came and carries `List-Unsubscribe` (RFC 2369) with `List-Unsubscribe-Post` (RFC 8058): a mail
program's «Отписаться» turns off exactly the categories the message was about, without signing in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from itsdangerous import BadData, URLSafeSerializer

from app.auth.models import User
from app.extensions import db
from app.i18n import recipient_context
from app.mail.models import OutboxMessage
from app.mail.outbox import Rendered
from app.mailer import absolute_url
from app.notifications.inbox import TARGET_RESOLVERS, Target
from app.notifications.kinds import KINDS, Category
from app.notifications.models import EmailState, Notification
from app.notifications.services import can_receive_email
from app.notifications.texts import notice_quote, notice_reason, notice_text

UNSUBSCRIBE_SALT = "vmk.unsubscribe"
ALL = "all"  # an unsubscribe token for every e-mail: «приостановить все письма»
MAX_ITEMS = 50  # notices one e-mail lists; the rest are counted and wait in the inbox

# «Вы получили это письмо, потому что …» — per category.
WHY = {
    Category.REPLIES: _l("вам ответили на сайте"),
    Category.MENTIONS: _l("вас упомянули в сообщении"),
    Category.WATCHED: _l("вы следите за темой или отслеживаете её"),
    Category.MY_QUESTIONS: _l("это ваш вопрос или ваш ответ в консультации"),
    Category.QUEUE: _l("вы методист, и вопрос относится к вашим предметам, назначен вам или просрочен"),
    Category.USEFUL: _l("коллеги отметили ваше сообщение"),
    Category.ASSOCIATION: _l("вы следите за объединением или состоите в нём"),
    Category.ANNOUNCEMENTS: _l("вы участник объединения"),
    Category.LEADING: _l("вы руководите объединением"),
    Category.MODERATION: _l("это касается ваших сообщений или ваших жалоб"),
}


# --- unsubscribe links -----------------------------------------------------------------------------------------


class UnsubscribeInvalid(Exception):
    """The link is damaged or forged."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, categories) -> str:
    """A link that never expires (old messages keep working) and does only this: turns the categories off."""
    what = ALL if categories == ALL else sorted({str(c) for c in categories})
    return _serializer().dumps({"uid": user_id, "c": what})


def read_unsubscribe_token(token: str) -> tuple[int, list[Category] | str]:
    try:
        data = _serializer().loads(token)
    except BadData as exc:
        raise UnsubscribeInvalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise UnsubscribeInvalid
    what = data.get("c")
    if what == ALL:
        return data["uid"], ALL
    if not isinstance(what, list) or not what:
        raise UnsubscribeInvalid
    try:
        return data["uid"], [Category(value) for value in what]
    except ValueError as exc:
        raise UnsubscribeInvalid from exc


def unsubscribe_headers(url: str) -> dict:
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


# --- the notices ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MailItem:
    text: str
    reason: str
    actor_name: str | None
    created_at: datetime
    target: Target | None
    category: Category
    quote: str


def mail_items(user: User, found: list) -> tuple[list[MailItem], list[int]]:
    """The items a message about `found` (rows of `waiting`) may show `user`, and the ids of the notices it cannot
    show (about what the user may no longer see)."""
    notices = [row.Notification for row in found]
    names = {row.Notification.id: row.actor_name for row in found}
    targets: dict[int, Target] = {}
    for resolve in TARGET_RESOLVERS:
        targets.update(resolve(user, notices) if notices else {})
    items, gone = [], []
    for notice in notices:
        target = targets.get(notice.id)
        points = notice.post_id is not None or notice.thread_id is not None or notice.association_id is not None
        if points and target is None:
            gone.append(notice.id)
            continue
        items.append(
            MailItem(
                text=notice_text(notice.kind, notice.params, automatic=notice.actor_id is None, count=notice.count),
                reason=notice_reason(notice.params),
                actor_name=names.get(notice.id),
                created_at=notice.created_at,
                target=target,
                category=KINDS[notice.kind],
                quote=notice_quote(target.excerpt if target is not None else "", notice.params),
            )
        )
    return items, gone


_ACTOR = sa.orm.aliased(User)


def waiting(user_id: int, state: str, limit: int) -> list:
    """The user's notifications in e-mail state `state`, oldest first, each with its actor's name (`actor_name`)."""
    return list(
        db.session.execute(
            sa.select(Notification, _ACTOR.full_name.label("actor_name"))
            .outerjoin(_ACTOR, _ACTOR.id == Notification.actor_id)
            .where(Notification.user_id == user_id, Notification.email_state == state)
            .order_by(Notification.created_at, Notification.id)
            .limit(limit)
        )
    )


def set_email_state(ids, state: str | None) -> None:
    ids = sorted(set(ids))
    if ids:
        table = Notification.__table__
        db.session.execute(sa.update(table).where(table.c.id.in_(ids)).values(email_state=state))


def collect(user: User, state: str) -> tuple[list[MailItem], list[int]]:
    """What a message may say of the user's notices in e-mail state `state` (in the recipient's context): the items,
    and the ids to mark mailed once it is sent. Notices read on the site meanwhile, or about what the user may no
    longer see, leave the e-mail's way (state None)."""
    found = waiting(user.id, state, MAX_ITEMS * 4)
    unread = [row for row in found if row.Notification.read_at is None][:MAX_ITEMS]
    set_email_state([row.Notification.id for row in found if row.Notification.read_at is not None], None)
    items, gone = mail_items(user, unread)
    set_email_state(gone, None)
    return items, [row.Notification.id for row in unread if row.Notification.id not in set(gone)]


def render_notices(row: OutboxMessage) -> Rendered | None:
    """The outbox renderer of `notices` rows: everything still waiting for the user, or None (nothing to say)."""
    user = db.session.get(User, row.user_id) if row.user_id is not None else None
    if user is None:
        return None
    if not can_receive_email(user):  # paused or bouncing since: what waited is not mailed later in a burst
        set_email_state([row.Notification.id for row in waiting(user.id, EmailState.PENDING, MAX_ITEMS * 4)], None)
        return None
    with recipient_context(user):
        items, sent_ids = collect(user, EmailState.PENDING)
        if not items:
            return None
        categories = sorted({item.category for item in items})
        context = mail_context(user, categories)
        more = max(user.unread_notifications - len(items), 0)
        if len(items) == 1:
            subject = items[0].text
        else:
            subject = ngettext("%(num)d новое уведомление", "%(num)d новых уведомлений", len(items))
        subject = f"{subject} — {current_app.config['SITE_NAME']}"
        text = render_template("notifications/email/notices.txt", items=items, more=more, **context)
        html = render_template("notifications/email/notices.html", items=items, more=more, **context)
    return Rendered(to=user.email, subject=subject, text=text, html=html,
                    headers=unsubscribe_headers(context["unsubscribe_url"]),
                    after_sent=lambda: set_email_state(sent_ids, EmailState.SENT))  # fmt: skip


def mail_context(user: User, categories: list[Category]) -> dict:
    return {
        "user": user,
        "why": [str(WHY[category]) for category in categories],
        "unsubscribe_url": absolute_url("notifications.unsubscribe", token=unsubscribe_token(user.id, categories)),
        "pause_url": absolute_url("notifications.unsubscribe", token=unsubscribe_token(user.id, ALL)),
        "settings_url": absolute_url("notifications.settings"),
        "inbox_url": absolute_url("notifications.inbox"),
        "base_url": current_app.config["BASE_URL"],
    }
