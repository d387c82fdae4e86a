"""The outbox: one row per e-mail to send."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db


class OutboxStatus:
    QUEUED = "queued"  # waits for `send_after`
    SENDING = "sending"  # claimed by a worker at `claimed_at`
    SENT = "sent"
    FAILED = "failed"  # permanently (a bad address) or given up after MAIL_GIVE_UP_HOURS; an admin may retry
    SKIPPED = "skipped"  # nothing left to say when its turn came (everything read or no longer visible)


class OutboxKind:
    MESSAGE = "message"  # written in full when queued (account mail, invitations, digests)
    NOTICES = "notices"  # written when sent, from the user's notifications still waiting (grouping window)


class OutboxMessage(db.Model):
    __tablename__ = "mail_outbox"
    __table_args__ = (
        sa.Index("ix_mail_outbox_due", "status", "send_after"),
        # One waiting e-mail of notifications per user: a burst of notifications joins it instead of adding mail.
        # (partial on both databases, given at start: `app.models.give_dialect_kwargs`)
        sa.Index("uq_mail_outbox_waiting_notices", "user_id", unique=True,
                 info={"dialect_kwargs": {"sqlite_where": sa.text("kind = 'notices' AND status = 'queued'"),
                                          "postgresql_where": sa.text("kind = 'notices' AND status = 'queued'")}}),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default=OutboxKind.MESSAGE)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    to_address: Mapped[str] = mapped_column(sa.String(254), default="")
    subject: Mapped[str] = mapped_column(sa.String(500), default="")
    body_text: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    headers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(10), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkerJob(db.Model):
    """A periodic job of the mail worker and when it last started: a worker runs a job only after claiming it with a
    conditional UPDATE of this row, so two workers never run the same job at once."""

    __tablename__ = "mail_worker_jobs"

    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
