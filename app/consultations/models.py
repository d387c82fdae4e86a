"""Consultations: what makes a question thread a consultation — its subject and level, status, the methodist it is
assigned to, the accepted answer — and the history of its transitions."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import UTCDateTime, enum_column, utcnow
from app.directory.models import EducationLevel, Subject
from app.discussions.models import Post, Thread
from app.extensions import db


class QuestionStatus(enum.StrEnum):
    NEW = "new"  # no methodist has taken or answered it
    IN_PROGRESS = "in_progress"  # a methodist took it, or the asker wrote again after an answer
    ANSWERED = "answered"  # a methodist answered
    RESOLVED = "resolved"  # an answer was accepted, or a methodist or leader closed it as resolved
    CLOSED = "closed"  # a duplicate (with a link to the original) or not a question

    @property
    def label(self) -> str:
        return str(_STATUS_LABELS[self])

    @property
    def is_open(self) -> bool:
        return self in (QuestionStatus.NEW, QuestionStatus.IN_PROGRESS, QuestionStatus.ANSWERED)


_STATUS_LABELS = {
    QuestionStatus.NEW: _l("новый"),
    QuestionStatus.IN_PROGRESS: _l("в работе"),
    QuestionStatus.ANSWERED: _l("отвечен"),
    QuestionStatus.RESOLVED: _l("решён"),
    QuestionStatus.CLOSED: _l("закрыт"),
}


class QuestionEventKind(enum.StrEnum):
    ASKED = "asked"
    TAKEN = "taken"  # a methodist took it into work
    ASSIGNED = "assigned"  # a leader or admin gave it to a methodist
    RELEASED = "released"  # the methodist gave it back
    ANSWERED = "answered"  # a methodist's answer
    REOPENED = "reopened"  # the asker wrote again after an answer
    ACCEPTED = "accepted"  # an answer became the solution
    UNACCEPTED = "unaccepted"
    CLOSED_RESOLVED = "closed_resolved"
    CLOSED_DUPLICATE = "closed_duplicate"
    CLOSED_NOT_A_QUESTION = "closed_not_a_question"

    @property
    def label(self) -> str:
        return str(_EVENT_LABELS[self])


_EVENT_LABELS = {
    QuestionEventKind.ASKED: _l("вопрос задан"),
    QuestionEventKind.TAKEN: _l("взят в работу"),
    QuestionEventKind.ASSIGNED: _l("назначен методисту"),
    QuestionEventKind.RELEASED: _l("возвращён в очередь"),
    QuestionEventKind.ANSWERED: _l("консультация методиста"),
    QuestionEventKind.REOPENED: _l("автор вопроса уточнил его"),
    QuestionEventKind.ACCEPTED: _l("ответ принят как решение"),
    QuestionEventKind.UNACCEPTED: _l("решение снято"),
    QuestionEventKind.CLOSED_RESOLVED: _l("закрыт как решённый"),
    QuestionEventKind.CLOSED_DUPLICATE: _l("закрыт как повтор"),
    QuestionEventKind.CLOSED_NOT_A_QUESTION: _l("закрыт: это не вопрос"),
}


class Question(db.Model):
    """The consultation side of a thread of kind «вопрос» (one row per such thread)."""

    __tablename__ = "questions"
    __table_args__ = (sa.Index("ix_questions_status_asked", "status", "asked_at"),)

    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[QuestionStatus] = mapped_column(enum_column(QuestionStatus), default=QuestionStatus.NEW)
    subject_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subjects.id", ondelete="SET NULL"), index=True)
    level: Mapped[EducationLevel | None] = mapped_column(enum_column(EducationLevel))
    grade: Mapped[str] = mapped_column(sa.String(40), default="")  # «5 класс», «5–6 классы»
    topic: Mapped[str] = mapped_column(sa.String(200), default="")  # the topic of the work programme
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    accepted_post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"))
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("threads.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The response-time clock stops at the first methodist's answer.
    first_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The asker's rating once resolved: helped or not, with an optional comment (shown to methodists, leaders, admins).
    helped: Mapped[bool | None] = mapped_column()
    rating_comment: Mapped[str] = mapped_column(sa.String(1000), default="", server_default=sa.text("''"))
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A private question may enter the knowledge base only after its asker agreed (and then without their name).
    publish_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id])
    subject: Mapped[Subject | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    accepted_post: Mapped[Post | None] = relationship()
    duplicate_of: Mapped[Thread | None] = relationship(foreign_keys=[duplicate_of_id])


class QuestionEvent(db.Model):
    """One transition of a question: who, when, what, and the post or methodist it concerns."""

    __tablename__ = "question_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    kind: Mapped[QuestionEventKind] = mapped_column(enum_column(QuestionEventKind, length=30))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # the methodist given the question (assigned) or the post concerned (answered, accepted)
    target_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"))
    status: Mapped[QuestionStatus] = mapped_column(enum_column(QuestionStatus))  # the status it led to
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])


class AnswerEndorsement(db.Model):
    """«Рекомендовано методистом»: a methodist vouches for another member's answer in a question."""

    __tablename__ = "answer_endorsements"

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    methodist_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    methodist: Mapped[User] = relationship()


class KnowledgeEntry(db.Model):
    """A resolved question published to the knowledge base («база консультаций») with its accepted answer, under a
    summary title a methodist may edit."""

    __tablename__ = "knowledge_entries"

    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.thread_id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    # The title's stems between spaces (" впр 5 пят класс "), kept by app.search (a mapper event) so that search
    # matches entries in SQL instead of stemming every title of the base on each query.
    title_stems: Mapped[str] = mapped_column(sa.String(600), default="", server_default=sa.text("''"))
    # a private question's asker is never named in the knowledge base; a public one's may be
    hide_asker: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    question: Mapped[Question] = relationship()
    published_by: Mapped[User | None] = relationship()
