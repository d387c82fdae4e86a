"""The consultations' scheduled notices, sent by the mail worker's periodic job (`init_app` registers
`run_due_notices` in `app.mail.worker`'s jobs, every RUN_EVERY seconds):

- `question_reminder`: to the asker of a question still «отвечен» REMINDER_AFTER after its latest methodist's answer
  (no answer accepted, so not rated either: rating needs a resolved question);
- `question_due_soon` (with `due`, the deadline): when at most DUE_SOON of working time is left before the response
  target (`CONSULTATION_TARGET_HOURS` on the working-time clock, `clock.py`, counted from the asking as the queue
  counts it), to the methodist who has the question, or, while nobody has it, to the methodists whose subjects and
  levels it is in (the queue's rule, `notices.consults_on`);
- `question_overdue`: once the target has passed, to the same methodists and to the association's leaders and the
  admins (who see overdue questions in the queue).

Only questions that are shown (not hidden, held or deleted) and still waiting for their first answer are due; an
archived association takes no answers, so its questions are never due. Each recipient must be able to read the
question (`notices.may_read`: a private question reaches only methodists, leaders, admins and its asker).

Each notice goes out at most once per question. What was sent is the notifications themselves: the run reads the rows
of these kinds about its candidate questions (through the users' index, for the users it would tell), so no column
and no migration is needed, and a second run sends nothing. Notifications are deleted after
NOTIFICATION_RETENTION_DAYS (`notifications.upkeep.prune`), so only questions asked (for the reminder: answered)
within that period are candidates: anything sent about them is still there to be found.

A run costs a fixed number of queries whatever the number of questions (the reminders' candidates, the clock's
candidates, their recipients, what was already sent) plus one `notify_many` per notice sent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.associations.models import Association, MemberRole, Membership
from app.auth.models import Role, User
from app.consultations import notices
from app.consultations.clock import calendar_from_config
from app.consultations.models import Question, QuestionEvent, QuestionEventKind, QuestionStatus
from app.consultations.queue import WAITING
from app.db import UTCDateTime, prepared, rows
from app.discussions.models import Thread
from app.notifications.models import Notification
from app.notifications.services import notify_many

RUN_EVERY = 300  # seconds between runs of the worker's job
REMINDER_AFTER = timedelta(days=3)
DUE_SOON = timedelta(hours=4)  # working time left before the target
KINDS = ("question_reminder", "question_due_soon", "question_overdue")


def init_app(app) -> None:
    """Register the job with the mail worker (idempotent: create_app may run many times)."""
    from app.mail import worker

    worker.register_job("consultation-reminders", RUN_EVERY, run_due_notices)


@dataclass(frozen=True)
class _Due:
    thread_id: int
    association_id: int
    assignee_id: int | None
    deadline: datetime
    overdue: bool


def run_due_notices(now: datetime) -> dict[str, int]:
    """Send the reminders and response-time notices due at `now` that were not sent before; how many notifications
    of each kind were made. Flushes, never commits (the worker commits)."""
    kept_since = now - timedelta(days=current_app.config["NOTIFICATION_RETENTION_DAYS"])
    reminders = rows(_reminder_candidates(), {"answered_before": now - REMINDER_AFTER, "since": kept_since}).all()
    due = _due_questions(now, kept_since)
    audience = _audience([item.thread_id for item in due])
    users = {row.asker_id for row in reminders}
    users.update(user_id for people in audience.values() for _why, user_id in people)
    sent = _already_sent([row.thread_id for row in reminders] + [item.thread_id for item in due], users)

    made = dict.fromkeys(KINDS, 0)
    for row in reminders:
        if (row.thread_id, "question_reminder") not in sent:
            made["question_reminder"] += notify_many(
                [row.asker_id], "question_reminder", association_id=row.association_id, thread_id=row.thread_id
            )
    for item in due:
        if (item.thread_id, "question_overdue") in sent:
            continue
        people = audience.get(item.thread_id, [])
        if item.overdue:
            kind, recipients, params = "question_overdue", _consultants(people) + _moderators(people), {}
        else:
            kind, recipients, params = "question_due_soon", _consultants(people), {"due": item.deadline.isoformat()}
        if (item.thread_id, kind) not in sent:
            made[kind] += notify_many(
                recipients, kind, association_id=item.association_id, thread_id=item.thread_id, **params
            )
    return made


def _due_questions(now: datetime, since: datetime) -> list[_Due]:
    """Questions waiting for their first answer whose target is at most DUE_SOON of working time away, or past. Working
    time never runs faster than real time, so SQL keeps those asked at least target − DUE_SOON ago and the clock
    decides (one query)."""
    target = current_app.config["CONSULTATION_TARGET_HOURS"]
    calendar = calendar_from_config(current_app.config)
    waited = max(timedelta(hours=target) - DUE_SOON, timedelta(0))
    due = []
    for row in rows(_clock_candidates(), {"asked_before": now - waited, "since": since}):
        deadline = calendar.deadline(row.asked_at, target)
        overdue = now > deadline
        if overdue or calendar.remaining(row.asked_at, now, target) <= DUE_SOON:
            due.append(_Due(row.thread_id, row.association_id, row.assignee_id, deadline, overdue))
    return due


def _consultants(people) -> list[int]:
    """The methodist who has the question; while nobody (who may read it) has it, the methodists it is for."""
    assignee = [user_id for why, user_id in people if why == "assignee"]
    return assignee or [user_id for why, user_id in people if why == "methodist"]


def _moderators(people) -> list[int]:
    return [user_id for why, user_id in people if why in ("leader", "admin")]


def _audience(thread_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """Question id → (why, user id) of everyone a response-time notice may go to (one query)."""
    found: dict[int, list[tuple[str, int]]] = {}
    if thread_ids:
        for thread_id, user_id, why in rows(_audience_statement(), {"thread_ids": thread_ids}):
            found.setdefault(thread_id, []).append((why, user_id))
    return found


def _already_sent(thread_ids: list[int], user_ids: set[int]) -> set[tuple[int, str]]:
    """(question id, kind) of the scheduled notices already made about these questions (one query)."""
    if not thread_ids or not user_ids:
        return set()
    found = rows(_sent_statement(), {"thread_ids": sorted(set(thread_ids)), "user_ids": sorted(user_ids)})
    return {(thread_id, kind) for thread_id, kind in found}


# --- the statements ---------------------------------------------------------------------------------------------


def _shown():
    return sa.and_(Thread.deleted_at.is_(None), Thread.hidden_at.is_(None))


@prepared
def _reminder_candidates():
    latest_answer = (
        sa.select(sa.func.max(QuestionEvent.created_at))
        .where(QuestionEvent.thread_id == Question.thread_id, QuestionEvent.kind == QuestionEventKind.ANSWERED)
        .scalar_subquery()
    )
    return (
        sa.select(Question.thread_id, Thread.association_id, User.id.label("asker_id"))
        .join(Thread, Thread.id == Question.thread_id)
        .join(Association, Association.id == Thread.association_id)
        .join(User, User.id == Thread.author_id)
        .where(
            Question.status == QuestionStatus.ANSWERED,
            Question.accepted_post_id.is_(None),
            Question.rated_at.is_(None),
            _shown(),
            notices.may_read(),
            latest_answer <= sa.bindparam("answered_before", type_=UTCDateTime()),
            latest_answer > sa.bindparam("since", type_=UTCDateTime()),
        )
    )


@prepared
def _clock_candidates():
    return (
        sa.select(Question.thread_id, Question.asked_at, Question.assignee_id, Thread.association_id)
        .join(Thread, Thread.id == Question.thread_id)
        .join(Association, Association.id == Thread.association_id)
        .where(
            Question.status.in_(WAITING),
            Question.first_answer_at.is_(None),
            Question.asked_at <= sa.bindparam("asked_before", type_=UTCDateTime()),
            Question.asked_at > sa.bindparam("since", type_=UTCDateTime()),
            Association.archived_at.is_(None),
            _shown(),
        )
        .order_by(Question.asked_at, Question.thread_id)
    )


@prepared
def _audience_statement():
    def reason(label: str):
        return sa.literal(label, sa.String()).label("why")

    leads = notices.membership_exists(Membership.role == MemberRole.LEADER)
    readers = notices.may_read()
    return sa.union_all(
        notices.questions_and_users(User.id == Question.assignee_id).add_columns(reason("assignee")).where(readers),
        notices.questions_and_users(User.role == Role.METHODIST)
        .add_columns(reason("methodist"))
        .where(notices.consults_on(), readers),
        notices.questions_and_users(leads).add_columns(reason("leader")).where(readers),
        notices.questions_and_users(User.role == Role.ADMIN).add_columns(reason("admin")).where(readers),
    )


@prepared
def _sent_statement():
    return sa.select(Notification.thread_id, Notification.kind).where(
        Notification.user_id.in_(sa.bindparam("user_ids", expanding=True)),
        Notification.thread_id.in_(sa.bindparam("thread_ids", expanding=True)),
        Notification.kind.in_(KINDS),
    )
