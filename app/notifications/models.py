"""A notification for one user, and a user's e-mail delivery per category."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db


class EmailState:
    """Where a notification stands on the way to the user's mailbox (`Notification.email_state`)."""

    PENDING = "pending"  # goes out with the user's next immediate e-mail (after the grouping window)
    DIGEST = "digest"  # waits for the user's daily digest
    SENT = "sent"  # was in an e-mail (or a digest)
    # None: no e-mail (the user chose «не присылать», paused e-mail, or the address bounces)


class Notification(db.Model):
    """Something that happened and concerns `user_id`: its `kind` (app/notifications/kinds.py), who did it, where
    (association, thread, post), plain values for the text (`params`), and whether the user has read it. A grouped
    kind keeps one unread row per thread or post and counts (`count`) what happened since the user last read it."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_created", "user_id", "created_at"),
        # The mail worker's and the digest's way in: only rows still waiting for e-mail are in it.
        # Partial on both databases: the option for the app's database is given at start
        # (`app.models.give_dialect_kwargs`), so the other database's dialect is never imported.
        sa.Index("ix_notifications_email_waiting", "email_state", "user_id",
                 info={"dialect_kwargs": {"sqlite_where": sa.text("email_state IN ('pending', 'digest')"),
                                          "postgresql_where": sa.text("email_state IN ('pending', 'digest')")}}),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    association_id: Mapped[int | None] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    count: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_state: Mapped[str | None] = mapped_column(sa.String(8))


class NotificationPreference(db.Model):
    """A user's e-mail delivery for one category, where it differs from the category's default."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    delivery: Mapped[str] = mapped_column(sa.String(10))
