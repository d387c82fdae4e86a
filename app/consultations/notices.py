"""Who hears of a question's transitions, and the recipients the consultations' notices share.

The asker hears that their question was taken into work, answered, had an answer recommended, went back to work or
was closed; an answer's author that it became the solution or was recommended; methodists of a new question in their
subjects and levels (the queue's own rule, `queue.methodist_queue` with «мои предметы»: a question without a subject
or level matches every methodist, and a methodist matches only the subjects and levels they chose) and of a question
given to them. Nobody hears of a hidden, held or deleted question or post: a held question is announced when a leader
approves it (pre-moderation runs THREAD_HOOKS again then). A private question reaches only those who may read it
(`policy.can_view_thread`; `may_read()` is the same rule in SQL). `notifications.services.notify` never tells the
actor of their own action.

The services call these after each transition (`services.py`); the scheduled notices are in `reminders.py`.
"""

import sqlalchemy as sa

from app import policy
from app.associations.models import Association, Visibility
from app.auth.models import Role, User, UserLevel, user_subjects
from app.consultations.models import Question, QuestionEventKind, QuestionStatus
from app.db import prepared, rows
from app.discussions.models import Post, Thread, ThreadKind
from app.discussions.privacy import active_member, thread_readers
from app.extensions import db
from app.notifications.services import notify, notify_many

# How a closing event reads in the asker's notification (`notifications.texts.PARAM_WORDS["outcome"]`).
CLOSED_OUTCOMES = {
    QuestionEventKind.CLOSED_RESOLVED: "resolved",
    QuestionEventKind.CLOSED_DUPLICATE: "duplicate",
    QuestionEventKind.CLOSED_NOT_A_QUESTION: "not_a_question",
}


def tell(user, kind: str, question: Question, *, actor, post: Post | None = None, **params) -> None:
    """Tell one person about the question (or one of its posts), if they may read it and it is shown."""
    thread = question.thread
    if user is None or not thread.is_visible or (post is not None and not post.is_visible):
        return
    if not policy.can_view_thread(user, thread):
        return
    notify(user, kind, actor=actor, association_id=thread.association_id, thread_id=thread.id,
           post_id=post.id if post is not None else None, **params)  # fmt: skip


def taken(actor, question: Question, *, first: bool) -> None:
    """A methodist took the question (or was given it): the asker hears of it when it first goes into work."""
    if first:
        tell(question.thread.author, "question_taken", question, actor=actor)


def assigned(actor, question: Question, methodist: User, *, first: bool) -> None:
    tell(methodist, "question_assigned", question, actor=actor)
    taken(actor, question, first=first)


def answered(question: Question, post: Post) -> None:
    tell(question.thread.author, "question_answered", question, actor=post.author, post=post)


def accepted(actor, question: Question, post: Post) -> None:
    """The answer's author hears that it is the solution; the asker too, when someone else marked it (a methodist or
    a leader; the asker's own marking tells them nothing, and an answer of their own is one notice)."""
    tell(post.author, "question_accepted", question, actor=actor, post=post)
    if post.author_id != question.thread.author_id:
        tell(question.thread.author, "question_solved", question, actor=actor, post=post)


def reopened(actor, question: Question) -> None:
    """The solution was taken back: the question is in work again (the asker writing again is their own doing)."""
    tell(question.thread.author, "question_reopened", question, actor=actor)


def closed(actor, question: Question, reason: QuestionEventKind) -> None:
    tell(question.thread.author, "question_closed", question, actor=actor, outcome=CLOSED_OUTCOMES[reason])


def endorsed(methodist: User, question: Question, post: Post) -> None:
    """A methodist recommended a reply: its author hears so, and the asker (unless the reply is theirs: one notice
    per person and post, the most specific)."""
    tell(post.author, "answer_endorsed", question, actor=methodist, post=post)
    if post.author_id != question.thread.author_id:
        tell(question.thread.author, "question_endorsed", question, actor=methodist, post=post)


def claims_answer(post: Post) -> set[int]:
    """Discussions' `REPLY_CLAIMS`: a methodist's reply to an open question is told to its asker as
    `question_answered` (the same rule as `services._on_reply`), not as a reply."""
    thread = post.thread
    question = db.session.get(Question, thread.id) if thread.kind == ThreadKind.QUESTION else None
    if question is None or question.status == QuestionStatus.CLOSED or not policy.is_methodist(post.author):
        return set()
    asker_id = post.thread.author_id
    return {asker_id} if asker_id is not None and asker_id != post.author_id else set()


def claims_question(thread: Thread) -> set[int]:
    """Discussions' `THREAD_CLAIMS`: the methodists a new question is for hear of it as `question_new`."""
    if thread.kind != ThreadKind.QUESTION:
        return set()
    return set(matching_methodists([thread.id]).get(thread.id, ()))


def asked(question: Question) -> None:
    """A question is shown (asked, or approved by a leader): the methodists whose subjects and levels it is in."""
    thread = question.thread
    if not thread.is_visible:
        return
    methodists = matching_methodists([thread.id]).get(thread.id)
    if not methodists:
        return
    opening = rows(_opening_post(), {"thread_id": thread.id}).scalar()  # quoted by the inbox and the e-mail
    notify_many(methodists, "question_new", actor=thread.author, association_id=thread.association_id,
                thread_id=thread.id, post_id=opening)  # fmt: skip


# --- recipients in SQL ----------------------------------------------------------------------------------------------


def membership_exists(*extra):
    """The user of the statement is an active member of its thread's association (`extra`: and more)."""
    return active_member(Thread.association_id, *extra)


def may_read():
    """`policy.can_view_thread` for a shown thread, as a condition on `User`, `Thread` and `Association` of the
    statement (`privacy.thread_readers` over many threads)."""
    members_only = Association.visibility != Visibility.PUBLIC
    return thread_readers(Thread.association_id, Thread.author_id, members_only=members_only, private=Thread.is_private)


def consults_on():
    """The question is in the methodist's subjects and levels: `queue.methodist_queue`'s «мои предметы» (and
    `policy._consults_on`), as a condition on `User` and `Question`."""
    subject = sa.exists().where(user_subjects.c.user_id == User.id, user_subjects.c.subject_id == Question.subject_id)
    level = sa.exists().where(UserLevel.user_id == User.id, UserLevel.level == Question.level)
    return sa.and_(sa.or_(Question.subject_id.is_(None), subject), sa.or_(Question.level.is_(None), level))


def questions_and_users(*users):
    """(question id, user id) for the questions `thread_ids` (a bound list) joined with the users `users` selects
    (an ON condition), with each question's thread and association there for the conditions."""
    return (
        sa.select(Question.thread_id, User.id)
        .join(Thread, Thread.id == Question.thread_id)
        .join(Association, Association.id == Thread.association_id)
        .join(User, sa.and_(*users))
        .where(Question.thread_id.in_(sa.bindparam("thread_ids", expanding=True)))
    )


@prepared
def _matching_methodists():
    """(question, methodist) for every methodist whose subjects and levels the questions are in and who may read
    them."""
    return questions_and_users(User.role == Role.METHODIST).where(consults_on(), may_read())


def matching_methodists(thread_ids) -> dict[int, list[int]]:
    """Question id → the methodists it is for (one query for any number of questions)."""
    found: dict[int, list[int]] = {}
    if thread_ids:
        for thread_id, user_id in rows(_matching_methodists(), {"thread_ids": list(thread_ids)}):
            found.setdefault(thread_id, []).append(user_id)
    return found


@prepared
def _opening_post():
    return sa.select(Post.id).where(Post.thread_id == sa.bindparam("thread_id"), Post.number == 1)
