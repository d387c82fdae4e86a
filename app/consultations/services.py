"""Verbs of the consultation workflow: a question is opened with its thread, taken, assigned, released, answered,
accepted and closed. Each transition is recorded (QuestionEvent) with who and when. Services flush, never commit."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app import policy
from app.auth.models import Role, User
from app.consultations import notices
from app.consultations.models import AnswerEndorsement, Question, QuestionEvent, QuestionEventKind, QuestionStatus
from app.db import utcnow
from app.discussions.models import Post, Thread, ThreadKind
from app.discussions.services import DiscussionError
from app.extensions import db
from app.policy import PermissionDenied


class ConsultationError(Exception):
    """A transition the question's state does not allow; the message says why, in Russian."""


def question_of(thread: Thread) -> Question | None:
    return db.session.get(Question, thread.id) if thread.kind == ThreadKind.QUESTION else None


def _record(question: Question, kind: QuestionEventKind, actor: User | None, **about) -> QuestionEvent:
    event = QuestionEvent(thread_id=question.thread_id, kind=kind, actor_id=actor.id if actor else None,
                          status=question.status, **about)  # fmt: skip
    db.session.add(event)
    return event


def open_question(thread: Thread, *, subject_id=None, level=None, grade: str = "", topic: str = "") -> Question:
    """The consultation side of a new question thread: status «новый», the clock starts at the thread's creation."""
    question = Question(thread_id=thread.id, status=QuestionStatus.NEW, subject_id=subject_id, level=level,
                        grade=grade.strip(), topic=topic.strip(), asked_at=thread.created_at)  # fmt: skip
    db.session.add(question)
    _record(question, QuestionEventKind.ASKED, thread.author)
    db.session.flush()
    return question


def _on_thread(thread: Thread, details: dict) -> None:
    """A new question thread gets its consultation side; shown (at once, or when a leader approves a held one), it
    is announced to the methodists it is for."""
    if thread.kind != ThreadKind.QUESTION:
        return
    question = question_of(thread)
    if question is None:
        question = open_question(thread, **details)
    notices.asked(question)


def _require_open(question: Question) -> None:
    if not question.status.is_open:
        raise ConsultationError(_("Вопрос уже решён или закрыт."))


def take_question(user: User, question: Question) -> None:
    """A methodist takes the question into work: they become its assignee («в работе»)."""
    _require_open(question)
    if not policy.can_take_question(user, question):
        raise PermissionDenied(_("Взять в работу можно только вопрос по своим предметам и уровням образования."))
    first = question.assignee_id is None
    question.assignee_id = user.id
    if question.status == QuestionStatus.NEW:
        question.status = QuestionStatus.IN_PROGRESS
    _record(question, QuestionEventKind.TAKEN, user)
    db.session.flush()
    notices.taken(user, question, first=first)


def assign_question(actor: User, question: Question, methodist: User) -> None:
    """A leader of the association or an admin gives the question to a methodist."""
    _require_open(question)
    if not policy.can_assign_question(actor, question):
        raise PermissionDenied(_("Назначать вопросы могут руководители объединения и администраторы."))
    if methodist.role != Role.METHODIST or not methodist.is_active:
        raise ConsultationError(_("Назначить вопрос можно только методисту."))
    first = question.assignee_id is None
    question.assignee_id = methodist.id
    if question.status == QuestionStatus.NEW:
        question.status = QuestionStatus.IN_PROGRESS
    _record(question, QuestionEventKind.ASSIGNED, actor, target_user_id=methodist.id)
    db.session.flush()
    notices.assigned(actor, question, methodist, first=first)


def release_question(actor: User, question: Question) -> None:
    """The assignee (or a leader or admin) gives the question back to the queue; unanswered, it is «новый» again."""
    _require_open(question)
    if not policy.can_release_question(actor, question):
        raise PermissionDenied(_("Вернуть вопрос в очередь может тот, кто его взял, или руководитель."))
    question.assignee_id = None
    if question.status == QuestionStatus.IN_PROGRESS and question.first_answer_at is None:
        question.status = QuestionStatus.NEW
    _record(question, QuestionEventKind.RELEASED, actor)
    db.session.flush()


def _on_reply(post: Post) -> None:
    """A methodist's reply answers the question (the clock stops at the first one); the asker writing after an answer
    puts it back in work. Replies to a closed question are refused."""
    question = question_of(post.thread)
    if question is None:
        return
    if question.status == QuestionStatus.CLOSED:
        raise DiscussionError(_("Вопрос закрыт: ответить на него нельзя."))
    author = post.author
    if policy.is_methodist(author):
        if question.first_answer_at is None:
            question.first_answer_at = post.created_at
        if question.status in (QuestionStatus.NEW, QuestionStatus.IN_PROGRESS):
            question.status = QuestionStatus.ANSWERED
        if question.assignee_id is None:
            question.assignee_id = author.id
        _record(question, QuestionEventKind.ANSWERED, author, post_id=post.id)
        db.session.flush()
        notices.answered(question, post)
    elif author.id == post.thread.author_id and question.status == QuestionStatus.ANSWERED:
        question.status = QuestionStatus.IN_PROGRESS
        _record(question, QuestionEventKind.REOPENED, author, post_id=post.id)
    db.session.flush()


def accept_answer(actor: User, question: Question, post: Post) -> None:
    """Mark a reply as the solution: the question is «решён». Accepting another reply replaces the first."""
    if question.status == QuestionStatus.CLOSED:
        raise ConsultationError(_("Вопрос закрыт: отметить решение нельзя."))
    _require_reply(question, post, _("Решением можно отметить только видимый ответ в этом вопросе."))
    if not policy.can_accept_answer(actor, question):
        raise PermissionDenied(_("Отметить решение может автор вопроса, методист или руководитель объединения."))
    question.accepted_post_id = post.id
    question.status = QuestionStatus.RESOLVED
    question.resolved_at = utcnow()
    _record(question, QuestionEventKind.ACCEPTED, actor, post_id=post.id)
    db.session.flush()
    notices.accepted(actor, question, post)


def _require_reply(question: Question, post: Post, message: str) -> None:
    if post.thread_id != question.thread_id or post.number == 1 or not post.is_visible:
        raise ConsultationError(message)


def unaccept_answer(actor: User, question: Question) -> None:
    """Take the solution back: the question is «отвечен» again if a methodist answered, else «в работе» or «новый»."""
    if question.accepted_post_id is None:
        raise ConsultationError(_("У вопроса нет отмеченного решения."))
    if not policy.can_accept_answer(actor, question):
        raise PermissionDenied(_("Снять решение может автор вопроса, методист или руководитель объединения."))
    post_id, question.accepted_post_id, question.resolved_at = question.accepted_post_id, None, None
    question.status = _unresolved_status(question)
    _record(question, QuestionEventKind.UNACCEPTED, actor, post_id=post_id)
    db.session.flush()
    notices.reopened(actor, question)


def _unresolved_status(question: Question) -> QuestionStatus:
    if question.first_answer_at is not None:
        return QuestionStatus.ANSWERED
    return QuestionStatus.IN_PROGRESS if question.assignee_id else QuestionStatus.NEW


def endorse_answer(methodist: User, question: Question, post: Post) -> bool:
    """A methodist recommends another member's reply («Рекомендовано методистом»). Recommending it again changes
    nothing; returns whether a recommendation was added."""
    if question.status == QuestionStatus.CLOSED:
        raise ConsultationError(_("Вопрос закрыт: рекомендовать ответы нельзя."))
    _require_reply(question, post, _("Рекомендовать можно только видимый ответ в этом вопросе."))
    if not policy.is_methodist(methodist):
        raise PermissionDenied(_("Рекомендовать ответы могут методисты."))
    if post.author_id == methodist.id:
        raise ConsultationError(_("Свой ответ рекомендовать нельзя."))
    if not policy.can_endorse_answer(methodist, question, post):
        raise PermissionDenied(_("Рекомендовать ответы могут методисты."))
    if db.session.get(AnswerEndorsement, (post.id, methodist.id)) is not None:
        return False
    try:
        with db.session.begin_nested():  # a second click that raced the first finds its row
            db.session.add(AnswerEndorsement(post_id=post.id, methodist_id=methodist.id, thread_id=question.thread_id))
    except IntegrityError:
        return False
    notices.endorsed(methodist, question, post)
    return True


def unendorse_answer(user: User, question: Question, post: Post) -> bool:
    """Withdraw one's own recommendation of a reply (only one's own: others' stay). Nothing to withdraw is no error;
    returns whether one was removed."""
    mine = sa.delete(AnswerEndorsement).where(
        AnswerEndorsement.post_id == post.id,
        AnswerEndorsement.methodist_id == user.id,
        AnswerEndorsement.thread_id == question.thread_id,
    )
    return db.session.execute(mine, execution_options={"synchronize_session": False}).rowcount > 0


RATING_COMMENT_LENGTH = 1000


def rate_question(asker: User, question: Question, *, helped: bool, comment: str = "") -> None:
    """The asker says whether the consultation helped, with an optional comment; rating again replaces the rating."""
    if question.status != QuestionStatus.RESOLVED:
        raise ConsultationError(_("Оценить консультацию можно, когда вопрос решён."))
    if not policy.can_rate_question(asker, question):
        raise PermissionDenied(_("Оценить консультацию может только автор вопроса."))
    comment = (comment or "").replace("\r\n", "\n").strip()
    if len(comment) > RATING_COMMENT_LENGTH:
        raise ConsultationError(_("Комментарий слишком длинный: не больше %(max)d знаков.", max=RATING_COMMENT_LENGTH))
    question.helped, question.rating_comment, question.rated_at = bool(helped), comment, utcnow()
    db.session.flush()


_CLOSING = {
    QuestionEventKind.CLOSED_RESOLVED: QuestionStatus.RESOLVED,
    QuestionEventKind.CLOSED_DUPLICATE: QuestionStatus.CLOSED,
    QuestionEventKind.CLOSED_NOT_A_QUESTION: QuestionStatus.CLOSED,
}


def close_question(actor: User, question: Question, reason: QuestionEventKind, *, duplicate_of: Thread | None = None):
    """A methodist, leader or admin closes the question: as resolved («решён»), as a duplicate of another question
    (with a link to it) or as not a question («закрыт»)."""
    _require_open(question)
    if not policy.can_close_question(actor, question):
        raise PermissionDenied(_("Закрыть вопрос может методист или руководитель объединения."))
    if reason not in _CLOSING:
        raise ConsultationError(_("Выберите, как закрыть вопрос."))
    if reason == QuestionEventKind.CLOSED_DUPLICATE:
        if duplicate_of is None or duplicate_of.id == question.thread_id or duplicate_of.kind != ThreadKind.QUESTION:
            raise ConsultationError(_("Укажите другой вопрос, повтором которого является этот."))
        question.duplicate_of_id = duplicate_of.id
    question.status = _CLOSING[reason]
    question.resolved_at = utcnow()
    _record(question, reason, actor)
    db.session.flush()
    notices.closed(actor, question, reason)


def init_app(app) -> None:
    """Questions get their consultation side when their thread is created, and replies move them along; the thread
    page shows a question's panel (`question_panel`, a Jinja global) and marks its posts (`POST_MARK_SOURCES`):
    discussions knows nothing of consultations."""
    from app.consultations.forms import CLOSE_REASONS
    from app.consultations.queries import answer_marks, load_answer_marks, question_panel, row_statuses
    from app.discussions import post_cards
    from app.discussions import queries as discussion_queries
    from app.discussions import services as discussions

    app.jinja_env.globals.update(question_panel=question_panel, close_reasons=CLOSE_REASONS,
                                 page_of=discussion_queries.page_of)  # fmt: skip
    if row_statuses not in discussion_queries.ROW_STATES:
        discussion_queries.ROW_STATES.append(row_statuses)
    marks = post_cards.PostMarkSource(load=load_answer_marks, marks=answer_marks)
    if marks not in post_cards.POST_MARK_SOURCES:  # the source compares by its functions: once per process
        post_cards.POST_MARK_SOURCES.append(marks)

    for hooks, hook in ((discussions.THREAD_HOOKS, _on_thread), (discussions.REPLY_HOOKS, _on_reply)):
        if hook not in hooks:  # first: the question exists and has moved on before anyone is told about the post
            hooks.insert(0, hook)
    from app.consultations import reminders

    reminders.init_app(app)  # reminders and response-time notices: a job of the mail worker
    from app.discussions import notices as discussion_notices

    for claims, claim in ((discussion_notices.REPLY_CLAIMS, notices.claims_answer),
                          (discussion_notices.THREAD_CLAIMS, notices.claims_question)):  # fmt: skip
        if claim not in claims:  # one notice per person and post: consultations tells these more specifically
            claims.append(claim)
