"""Notifying: a row per recipient, written in the transaction of the action that caused it, and with it the e-mail
the recipient's settings ask for (a waiting row in the outbox, app/mail/). Services flush, never commit.

The callers choose the recipients, and only among those who may see what the notification is about (a private
question, a hidden post): nothing here can tell. Nobody is told about their own action, and accounts that are not
active get nothing. A statement per step whatever the number of recipients: an announcement to 500 members costs what
a reply to one costs, plus the rows."""

from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User, UserStatus
from app.db import prepared, rows, utcnow
from app.extensions import db
from app.mail import outbox
from app.notifications.kinds import Category, Delivery, category_of
from app.notifications.models import EmailState, Notification, NotificationPreference

# Kinds that keep one unread notification per thread or post and count what happens there until it is read.
GROUPED = {"thread_reply": "thread_id", "post_useful": "post_id"}


def notify(user, kind: str, *, actor=None, association_id=None, thread_id=None, post_id=None, **params) -> None:
    """Tell `user` about `kind`; a missing user (deleted) is skipped. `params` are plain JSON values the
    notification's text is made of (names, reasons, dates as ISO text)."""
    if user is None:
        return
    notify_many([user.id], kind, actor=actor, association_id=association_id, thread_id=thread_id, post_id=post_id,
                **params)  # fmt: skip


def notify_many(user_ids: Iterable[int], kind: str, *, actor=None, association_id=None, thread_id=None,
                post_id=None, at_most: Delivery | None = None, **params) -> int:  # fmt: skip
    """Tell each of `user_ids` about `kind` (once each, never the actor); how many were told. `at_most=DIGEST` keeps
    the e-mail for the digest even where the user chose «сразу» (replies in a thread one only tracks)."""
    category = category_of(kind)
    actor_id = getattr(actor, "id", None)
    wanted = sorted({int(user_id) for user_id in user_ids if user_id is not None} - {actor_id})
    if not wanted:
        return 0
    states = _email_states(wanted, category, at_most)  # only active accounts
    recipients = [user_id for user_id in wanted if user_id in states]
    if not recipients:
        return 0
    now = utcnow()
    grouped = _join_groups(recipients, kind, actor_id, thread_id, post_id, states, params, now)
    fresh = [user_id for user_id in recipients if user_id not in grouped]
    connection = db.session.connection()
    if fresh:
        connection.execute(
            sa.insert(Notification),
            [{"user_id": user_id, "kind": kind, "actor_id": actor_id, "association_id": association_id,
              "thread_id": thread_id, "post_id": post_id, "params": params, "count": 1, "created_at": now,
              "email_state": states[user_id]} for user_id in fresh],
        )  # fmt: skip
        # One row each, in id order, so that two notifying transactions lock users in the same order.
        connection.execute(_count_unread(), [{"user_id": user_id} for user_id in fresh])
    immediate = [user_id for user_id in recipients if states[user_id] == EmailState.PENDING]
    if immediate:
        window = timedelta(seconds=current_app.config["MAIL_GROUPING_SECONDS"])
        outbox.queue_notices(immediate, send_after=now + window)
    return len(recipients)


@prepared
def _count_unread():
    return (
        sa.update(User.__table__)
        .where(User.__table__.c.id == sa.bindparam("user_id"))
        .values(unread_notifications=User.__table__.c.unread_notifications + 1)
    )


def can_receive_email(user) -> bool:
    """Whether notices may be e-mailed to the account now (`email_receivers()` is the same rule in SQL)."""
    return (
        user.status == UserStatus.ACTIVE
        and user.email_confirmed_at is not None
        and user.email_bounced_at is None
        and not user.email_paused
    )


def email_receivers():
    """`can_receive_email` as a condition on `User`."""
    return sa.and_(User.status == UserStatus.ACTIVE, User.email_confirmed_at.is_not(None),
                   User.email_bounced_at.is_(None), ~User.email_paused)  # fmt: skip


def _email_states(user_ids: list[int], category: Category, at_most: Delivery | None) -> dict[int, str | None]:
    """{user id: the new notification's e-mail state} for the active accounts among `user_ids`: pending (immediate),
    digest, or None (no e-mail: the user chose so, paused e-mail, or the address is unconfirmed or bounces)."""
    preference = NotificationPreference
    found = db.session.execute(
        sa.select(User.id, User.status, User.email_paused, User.email_bounced_at, User.email_confirmed_at,
                  preference.delivery)
        .outerjoin(preference, sa.and_(preference.user_id == User.id, preference.category == category.value))
        .where(User.id.in_(user_ids), User.status == UserStatus.ACTIVE)
    ).all()  # fmt: skip
    states: dict[int, str | None] = {}
    for row in found:
        delivery = category.delivery(row.delivery)
        if at_most == Delivery.DIGEST and delivery == Delivery.IMMEDIATE:
            delivery = Delivery.DIGEST
        if not can_receive_email(row) or delivery == Delivery.OFF:
            states[row.id] = None
        else:
            states[row.id] = EmailState.PENDING if delivery == Delivery.IMMEDIATE else EmailState.DIGEST
    return states


def _join_groups(recipients, kind, actor_id, thread_id, post_id, states, params, now) -> set[int]:
    """For a grouped kind, add one to each recipient's unread notification about the same thread or post (it moves
    to the top, names the latest actor, and is mailed again if it already was); the recipients who had one."""
    column_name = GROUPED.get(kind)
    if column_name is None:
        return set()
    target = thread_id if column_name == "thread_id" else post_id
    if target is None:
        return set()
    column = getattr(Notification, column_name)
    found = db.session.execute(
        sa.select(Notification.id, Notification.user_id, Notification.email_state).where(
            Notification.user_id.in_(recipients), Notification.kind == kind, column == target,
            Notification.read_at.is_(None),
        )
    ).all()  # fmt: skip
    if not found:
        return set()
    # Still waiting: stays as it was; already mailed: mailed again with the new count; no e-mail wanted: none.
    # One statement for all (executemany), in user order like the inserts.
    changes = [{"notification_id": notification_id, "new_state": email_state
                if email_state in (EmailState.PENDING, EmailState.DIGEST) else states[user_id]}
               for notification_id, user_id, email_state in sorted(found, key=lambda row: row.user_id)]  # fmt: skip
    values = {"new_actor_id": actor_id, "new_created_at": now, "new_params": params}
    db.session.connection().execute(_join_group(), [dict(change, **values) for change in changes])
    return {row.user_id for row in found}


@prepared
def _join_group():
    table = Notification.__table__
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam("notification_id"))
        .values(count=table.c.count + 1, actor_id=sa.bindparam("new_actor_id", type_=table.c.actor_id.type),
                created_at=sa.bindparam("new_created_at", type_=table.c.created_at.type),
                params=sa.bindparam("new_params", type_=table.c.params.type),
                email_state=sa.bindparam("new_state", type_=table.c.email_state.type))
    )  # fmt: skip


# --- reading ---------------------------------------------------------------------------------------------------


def recount_unread(user_ids: Iterable[int]) -> None:
    """Set the bell's count from the rows (after pruning, or to repair it)."""
    table = User.__table__
    unread = (
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == table.c.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    for user_id in sorted(set(user_ids)):
        db.session.execute(sa.update(table).where(table.c.id == user_id).values(unread_notifications=unread))


def mark_thread_read(user, thread_id: int) -> int:
    """The user opened the thread: their unread notifications about it are read (what the bell counts and what the
    e-mail would say). Costs nothing for a user whose bell shows none."""
    if not getattr(user, "unread_notifications", 0):
        return 0
    table = Notification.__table__
    done = rows(
        sa.update(table)
        .where(table.c.user_id == user.id, table.c.thread_id == thread_id, table.c.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount
    if done:
        lower_unread_count(user, done)
    return done or 0


def lower_unread_count(user, by: int | None) -> None:
    """`by` of the user's notifications were just read (None: all of them)."""
    table = User.__table__
    count = table.c.unread_notifications
    value = 0 if by is None else sa.case((count > by, count - by), else_=0)
    db.session.connection().execute(sa.update(table).where(table.c.id == user.id).values(unread_notifications=value))
    # What the page shows now, without making the user object dirty (the statement above wrote it).
    left = 0 if by is None else max((user.unread_notifications or 0) - by, 0)
    set_committed_value(user, "unread_notifications", left)
