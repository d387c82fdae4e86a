"""The consultation queue (`/consultations/`): open questions for methodists, a teacher's own questions, and the
overdue ones for leaders and admins, each row with its response-time clock (clock.py)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from app import policy
from app.associations.models import Association, MemberRole, Membership, MembershipStatus
from app.associations.queries import visible_to
from app.auth.models import User, UserLevel, user_subjects
from app.consultations.clock import calendar_from_config
from app.consultations.models import Question, QuestionStatus
from app.db import MAX_PAGE, rows, utcnow
from app.directory.models import Subject
from app.discussions.models import Thread
from app.discussions.queries import ListPage

PER_PAGE = 20
WAITING = (QuestionStatus.NEW, QuestionStatus.IN_PROGRESS)  # a methodist's work: not answered, or asked again
_ASKER, _ASSIGNEE = aliased(User), aliased(User)
_COLUMNS = (
    Thread.id, Thread.title, Association.slug.label("association_slug"), Association.name.label("association_name"),
    Question.status, Question.asked_at, Question.first_answer_at, Question.level, Question.assignee_id,
    Subject.name.label("subject_name"), _ASKER.full_name.label("asker_name"),
    _ASSIGNEE.full_name.label("assignee_name"),
)  # fmt: skip


@dataclass(frozen=True)
class QueueRow:
    row: object  # a row of _COLUMNS
    deadline: datetime | None  # when the response target runs out (None once a methodist answered)
    overdue: bool

    def __getattr__(self, name):
        return getattr(self.row, name)


def _listed(stmt):
    return (
        stmt.join(Thread, Thread.id == Question.thread_id)
        .join(Association, Association.id == Thread.association_id)
        .outerjoin(Subject, Subject.id == Question.subject_id)
        .outerjoin(_ASKER, _ASKER.id == Thread.author_id)
        .outerjoin(_ASSIGNEE, _ASSIGNEE.id == Question.assignee_id)
        .where(Thread.deleted_at.is_(None), Thread.hidden_at.is_(None))
    )


def _with_clock(found, now: datetime) -> list[QueueRow]:
    calendar = calendar_from_config(current_app.config)
    target = current_app.config["CONSULTATION_TARGET_HOURS"]
    made = []
    for row in found:
        deadline = calendar.deadline(row.asked_at, target) if row.first_answer_at is None else None
        made.append(QueueRow(row, deadline, deadline is not None and now > deadline))
    return made


def _page(stmt, page: int, now: datetime) -> ListPage:
    page = min(max(page, 1), MAX_PAGE)
    total = rows(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())).scalar()
    found = rows(stmt.offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    return ListPage(_with_clock(found, now), page, PER_PAGE, total)


@dataclass
class Filters:
    status: str = "waiting"  # waiting | answered | all
    assigned: str = "any"  # any | mine | nobody
    scope: str = "mine"  # mine (my subjects and levels) | all
    association: str = ""  # a slug

    @classmethod
    def from_args(cls, args) -> "Filters":
        pick = {
            "status": ("waiting", "answered", "all"),
            "assigned": ("any", "mine", "nobody"),
            "scope": ("mine", "all"),
        }
        values = {name: args.get(name) if args.get(name) in allowed else allowed[0] for name, allowed in pick.items()}
        return cls(**values, association=(args.get("association") or "").strip()[:80])


def methodist_queue(user, filters: Filters, page: int) -> ListPage:
    """Open questions the methodist may see, oldest waiting first (two queries)."""
    stmt = _listed(sa.select(*_COLUMNS)).where(visible_to(user))
    if filters.status == "waiting":
        stmt = stmt.where(Question.status.in_(WAITING))
    elif filters.status == "answered":
        stmt = stmt.where(Question.status == QuestionStatus.ANSWERED)
    else:
        stmt = stmt.where(Question.status.in_((*WAITING, QuestionStatus.ANSWERED)))
    if filters.assigned == "mine":
        stmt = stmt.where(Question.assignee_id == user.id)
    elif filters.assigned == "nobody":
        stmt = stmt.where(Question.assignee_id.is_(None))
    if filters.scope == "mine":
        subjects = sa.select(user_subjects.c.subject_id).where(user_subjects.c.user_id == user.id)
        levels = sa.select(UserLevel.level).where(UserLevel.user_id == user.id)
        stmt = stmt.where(
            sa.or_(Question.subject_id.is_(None), Question.subject_id.in_(subjects)),
            sa.or_(Question.level.is_(None), Question.level.in_(levels)),
        )
    if filters.association:
        stmt = stmt.where(Association.slug == filters.association)
    return _page(stmt.order_by(Question.asked_at, Question.thread_id), page, utcnow())


def my_questions(user, page: int) -> ListPage:
    """The questions the user asked, newest first (two queries)."""
    stmt = _listed(sa.select(*_COLUMNS)).where(Thread.author_id == user.id)
    return _page(stmt.order_by(Question.asked_at.desc(), Question.thread_id.desc()), page, utcnow())


def overdue_questions(user, limit: int = 50) -> list[QueueRow]:
    """Unanswered questions past the response target in the associations the user leads (all, for an admin): only
    those waiting longer than the target in calendar time can be late in working time, so SQL narrows, the clock
    decides (one query)."""
    now = utcnow()
    target = current_app.config["CONSULTATION_TARGET_HOURS"]
    stmt = _listed(sa.select(*_COLUMNS)).where(
        Question.status.in_(WAITING),
        Question.first_answer_at.is_(None),
        Question.asked_at < now - timedelta(hours=target),
    )
    if not policy.is_admin(user):
        led = sa.select(Membership.association_id).where(
            Membership.user_id == user.id, Membership.role == MemberRole.LEADER,
            Membership.status == MembershipStatus.ACTIVE,
        )  # fmt: skip
        stmt = stmt.where(Association.id.in_(led))
    found = rows(stmt.order_by(Question.asked_at, Question.thread_id).limit(limit)).all()
    return [row for row in _with_clock(found, now) if row.overdue]
