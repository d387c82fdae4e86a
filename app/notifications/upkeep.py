"""The notifications' periodic jobs in the mail worker: the sweep (notices waiting for e-mail with no outbox row to
carry them: a row sent while their transaction was still open) and pruning (NOTIFICATION_RETENTION_DAYS)."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.mail import outbox
from app.mail.models import OutboxKind, OutboxMessage, OutboxStatus
from app.notifications.models import EmailState, Notification
from app.notifications.services import recount_unread

SWEEP_SECONDS = 60
PRUNE_SECONDS = 3600
PRUNE_BATCH = 5000


def sweep(now: datetime) -> int:
    """Queue an e-mail for every user whose pending notices have none waiting; how many users."""
    waiting_row = sa.select(OutboxMessage.id).where(
        OutboxMessage.user_id == Notification.user_id,
        OutboxMessage.kind == OutboxKind.NOTICES,
        OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.SENDING]),
    )
    grace = now - timedelta(seconds=SWEEP_SECONDS)  # a notice younger than this may still get its row committed
    users = list(
        db.session.scalars(
            sa.select(Notification.user_id)
            .where(Notification.email_state == EmailState.PENDING, Notification.created_at < grace,
                   ~sa.exists(waiting_row))
            .distinct()
        )
    )  # fmt: skip
    if users:
        outbox.queue_notices(users, send_after=now)
    return len(users)


def prune(now: datetime) -> int:
    """Delete notifications older than the retention period (a batch per run) and fix the bells they leave."""
    before = now - timedelta(days=current_app.config["NOTIFICATION_RETENTION_DAYS"])
    old = (
        sa.select(Notification.id, Notification.user_id)
        .where(Notification.created_at < before)
        .order_by(Notification.id)
        .limit(PRUNE_BATCH)
    )
    found = db.session.execute(old).all()
    if not found:
        return 0
    table = Notification.__table__
    db.session.execute(sa.delete(table).where(table.c.id.in_([row.id for row in found])))
    recount_unread({row.user_id for row in found})
    return len(found)
