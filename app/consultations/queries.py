"""What the thread page shows of a question: its consultation side, history and the methodists it may be given to."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app import policy
from app.auth.models import Role, User, UserStatus
from app.consultations.models import Question, QuestionEvent
from app.db import prepared
from app.discussions.models import Post, Thread, ThreadKind
from app.extensions import db


@dataclass
class QuestionPanel:
    question: Question
    events: list[QuestionEvent]
    accepted: Post | None
    methodists: list[User]  # whom a leader or admin may assign it to (empty for others)


@prepared
def _question():
    return (
        sa.select(Question)
        .where(Question.thread_id == sa.bindparam("thread_id"))
        .options(joinedload(Question.subject), joinedload(Question.assignee), joinedload(Question.duplicate_of))
    )


@prepared
def _events():
    return (
        sa.select(QuestionEvent)
        .where(QuestionEvent.thread_id == sa.bindparam("thread_id"))
        .options(joinedload(QuestionEvent.actor), joinedload(QuestionEvent.target_user))
        .order_by(QuestionEvent.created_at, QuestionEvent.id)
    )


@prepared
def _methodists():
    return (
        sa.select(User)
        .where(User.role == Role.METHODIST, User.status == UserStatus.ACTIVE)
        .order_by(User.full_name, User.id)
    )


@prepared
def _statuses():
    return sa.select(Question.thread_id, Question.status).where(
        Question.thread_id.in_(sa.bindparam("ids", expanding=True))
    )


def row_statuses(rows) -> dict:
    """Thread id → status for the questions among a list's rows (one query, none when the page has no question)."""
    ids = [row.id for row in rows if row.kind == ThreadKind.QUESTION]
    return dict(db.session.execute(_statuses(), {"ids": ids}).all()) if ids else {}


def question_panel(thread: Thread, user) -> QuestionPanel | None:
    """The question of a «вопрос» thread with its history (two queries; three for those who may assign), or None for
    other threads (no query)."""
    if thread.kind != ThreadKind.QUESTION:
        return None
    question = db.session.scalar(_question(), {"thread_id": thread.id})
    if question is None:
        return None
    events = list(db.session.scalars(_events(), {"thread_id": thread.id}))
    accepted = db.session.get(Post, question.accepted_post_id) if question.accepted_post_id else None
    if accepted is not None and not policy.can_view_post(user, accepted):
        accepted = None
    may_assign = policy.can_assign_question(user, question)
    methodists = list(db.session.scalars(_methodists())) if may_assign else []
    return QuestionPanel(question, events, accepted, methodists)
