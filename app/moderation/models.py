"""Reports of posts and the moderation log."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import UTCDateTime, enum_column, utcnow
from app.discussions.models import Post
from app.extensions import db


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    INSULT = "insult"
    OFF_TOPIC = "off_topic"
    PUPILS_DATA = "pupils_data"  # personal data of pupils: the post is hidden at once, pending review
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(_REASON_LABELS[self])


_REASON_LABELS = {
    ReportReason.SPAM: _l("спам"),
    ReportReason.INSULT: _l("оскорбление"),
    ReportReason.OFF_TOPIC: _l("не по теме"),
    ReportReason.PUPILS_DATA: _l("персональные данные учеников"),
    ReportReason.OTHER: _l("другое"),
}


class ReportOutcome(enum.StrEnum):
    DISMISSED = "dismissed"  # nothing wrong: the post stays (or comes back, if it was hidden automatically)
    HIDDEN = "hidden"  # the post is hidden
    HIDDEN_MUTED = "hidden_muted"  # the post is hidden and its author muted in the association

    @property
    def label(self) -> str:
        return str(_OUTCOME_LABELS[self])


_OUTCOME_LABELS = {
    ReportOutcome.DISMISSED: _l("жалоба отклонена"),
    ReportOutcome.HIDDEN: _l("сообщение скрыто"),
    ReportOutcome.HIDDEN_MUTED: _l("сообщение скрыто, автор лишён права писать"),
}


class Report(db.Model):
    """A member's report of a post; one per member and post. Open until a moderator resolves it."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "reporter_id", name="uq_reports_post_reporter"),
        # the association's queue: its open reports, oldest first
        sa.Index("ix_reports_association_open", "association_id", "resolved_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[ReportReason] = mapped_column(enum_column(ReportReason))
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[ReportOutcome | None] = mapped_column(enum_column(ReportOutcome))

    post: Mapped[Post] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class ModerationKind(enum.StrEnum):
    """What a moderator did (the log's verbs)."""

    THREAD_PINNED = "thread_pinned"
    THREAD_UNPINNED = "thread_unpinned"
    THREAD_LOCKED = "thread_locked"
    THREAD_UNLOCKED = "thread_unlocked"
    THREAD_HIDDEN = "thread_hidden"
    THREAD_UNHIDDEN = "thread_unhidden"
    THREAD_MOVED = "thread_moved"
    THREAD_MERGED = "thread_merged"
    THREAD_SPLIT = "thread_split"
    SLOW_MODE = "slow_mode"
    POST_HIDDEN = "post_hidden"
    POST_UNHIDDEN = "post_unhidden"
    POST_EDITED = "post_edited"
    POST_RESTORED = "post_restored"
    POST_APPROVED = "post_approved"
    POST_REJECTED = "post_rejected"
    MEMBER_MUTED = "member_muted"
    MEMBER_UNMUTED = "member_unmuted"
    MEMBER_REMOVED = "member_removed"
    MEMBER_BANNED = "member_banned"
    MEMBER_UNBANNED = "member_unbanned"
    REPORT_DISMISSED = "report_dismissed"
    REPORT_UPHELD = "report_upheld"
    AUTO_HIDDEN = "auto_hidden"  # hidden by reports (three members, or pupils' personal data), pending review
    PREMODERATION = "premoderation"  # the association's setting changed
    USER_SUSPENDED = "user_suspended"

    @property
    def label(self) -> str:
        return str(_KIND_LABELS[self])


_KIND_LABELS = {
    ModerationKind.THREAD_PINNED: _l("тема закреплена"),
    ModerationKind.THREAD_UNPINNED: _l("тема откреплена"),
    ModerationKind.THREAD_LOCKED: _l("тема закрыта для ответов"),
    ModerationKind.THREAD_UNLOCKED: _l("тема открыта для ответов"),
    ModerationKind.THREAD_HIDDEN: _l("тема скрыта"),
    ModerationKind.THREAD_UNHIDDEN: _l("тема снова видна"),
    ModerationKind.THREAD_MOVED: _l("тема перенесена"),
    ModerationKind.THREAD_MERGED: _l("темы объединены"),
    ModerationKind.THREAD_SPLIT: _l("сообщения выделены в новую тему"),
    ModerationKind.SLOW_MODE: _l("медленный режим"),
    ModerationKind.POST_HIDDEN: _l("сообщение скрыто"),
    ModerationKind.POST_UNHIDDEN: _l("сообщение снова видно"),
    ModerationKind.POST_EDITED: _l("сообщение исправлено модератором"),
    ModerationKind.POST_RESTORED: _l("сообщение восстановлено"),
    ModerationKind.POST_APPROVED: _l("сообщение одобрено"),
    ModerationKind.POST_REJECTED: _l("сообщение отклонено"),
    ModerationKind.MEMBER_MUTED: _l("участник лишён права писать"),
    ModerationKind.MEMBER_UNMUTED: _l("участнику возвращено право писать"),
    ModerationKind.MEMBER_REMOVED: _l("участник исключён"),
    ModerationKind.MEMBER_BANNED: _l("участник исключён без права вернуться"),
    ModerationKind.MEMBER_UNBANNED: _l("запрет вернуться снят"),
    ModerationKind.REPORT_DISMISSED: _l("жалоба отклонена"),
    ModerationKind.REPORT_UPHELD: _l("жалоба принята"),
    ModerationKind.AUTO_HIDDEN: _l("сообщение скрыто по жалобам до проверки"),
    ModerationKind.PREMODERATION: _l("изменена премодерация"),
    ModerationKind.USER_SUSPENDED: _l("учётная запись заблокирована"),
}


class ModerationAction(db.Model):
    """One line of the moderation log: who did what to which thread, post or member, when and why."""

    __tablename__ = "moderation_actions"
    __table_args__ = (sa.Index("ix_moderation_actions_association", "association_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for site-wide actions (an account suspended)
    association_id: Mapped[int | None] = mapped_column(sa.ForeignKey("associations.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[ModerationKind] = mapped_column(enum_column(ModerationKind, length=30))
    thread_id: Mapped[int | None] = mapped_column(sa.ForeignKey("threads.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))  # the member concerned
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    details: Mapped[str] = mapped_column(sa.String(500), default="")  # e.g. where a thread went, until when
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
