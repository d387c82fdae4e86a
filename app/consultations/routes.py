"""The consultation actions on a question thread: take, release, assign, accept an answer (by its number, or from the
post's own button) and take it back, recommend a reply and withdraw it, close, and the asker's rating. Each a POST
with CSRF that comes back to the thread (to the post it concerns) with a message."""

import re
from functools import partial

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.auth.models import User
from app.consultations import queue as queues
from app.consultations import services
from app.consultations.forms import CLOSE_REASONS, AcceptForm, AssignForm, CloseForm, RateForm
from app.consultations.models import Question, QuestionEventKind
from app.discussions.engagement import post_url
from app.discussions.models import Post, Thread
from app.extensions import db
from app.policy import PermissionDenied, require

bp = Blueprint("consultations", __name__)


@bp.get("/consultations/")
@login_required
def queue():
    """Methodists and admins: the queue of open questions; leaders and admins: the overdue ones; everyone: their own
    questions."""
    me = _me()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    filters = queues.Filters.from_args(request.args)
    consults = policy.is_methodist(me) or policy.is_admin(me)
    leads = policy.can_view_overdue_questions(me)
    return render_template(
        "consultations/queue.html",
        filters=filters,
        queue=queues.methodist_queue(me, filters, page) if consults else None,
        overdue=queues.overdue_questions(me) if leads else [],
        mine=queues.my_questions(me, 1 if consults else page),
    )


def _question(thread_id: int) -> Question:
    """The question of a thread the user may see; 404 for unknown ids, other kinds of threads, and hidden threads."""
    thread = db.session.get(Thread, thread_id)
    if thread is None:
        abort(404)
    require(policy.can_view_thread(current_user, thread), hide=True)
    question = services.question_of(thread)
    if question is None:
        abort(404)
    return question


def _me() -> User:
    return current_user._get_current_object()


def _back(question: Question, message: str, category: str = "success", post: Post | None = None):
    """Back to the question's panel, or to the post the action concerned."""
    flash(message, category)
    if post is not None:
        return redirect(post_url(question.thread_id, post.number))
    return redirect(url_for("discussions.thread_show", thread_id=question.thread_id, _anchor="question"))


def _act(question: Question, action, success: str, post: Post | None = None):
    """Run one service; commit and say so, or say why not (nothing changed): a state that does not allow it comes
    back to the question with the reason, a rule that forbids it is a 403 page with the reason."""
    try:
        action()
    except services.ConsultationError as exc:
        db.session.rollback()
        return _back(question, str(exc), "error", post)
    except PermissionDenied as exc:
        db.session.rollback()
        flash(str(exc), "error")
        abort(403)
    db.session.commit()
    return _back(question, success, post=post)


@bp.post("/threads/<int:thread_id>/question/take")
@login_required
def question_take(thread_id):
    question = _question(thread_id)
    return _act(question, partial(services.take_question, _me(), question), _("Вопрос взят в работу."))


@bp.post("/threads/<int:thread_id>/question/release")
@login_required
def question_release(thread_id):
    question = _question(thread_id)
    return _act(question, partial(services.release_question, _me(), question), _("Вопрос возвращён в очередь."))


@bp.post("/threads/<int:thread_id>/question/assign")
@login_required
def question_assign(thread_id):
    question = _question(thread_id)
    require(policy.can_assign_question(current_user, question))
    form = AssignForm()
    if not form.validate_on_submit():
        return _back(question, _("Выберите методиста."), "error")
    methodist = db.session.get(User, form.methodist_id.data)
    if methodist is None:
        return _back(question, _("Такого пользователя нет."), "error")
    action = partial(services.assign_question, _me(), question, methodist)
    return _act(question, action, _("Вопрос назначен: %(name)s.", name=methodist.full_name))


def _answer(question: Question, number: int) -> Post | None:
    return db.session.scalar(sa.select(Post).where(Post.thread_id == question.thread_id, Post.number == number))


def _on_reply(thread_id: int, number: int, service, success: str):
    """Run `service(user, question, post)` on a reply of the question, coming back to that reply; 404 for a number the
    question has not, or a reply the user may not see. A refusal says why (the service asks the policy)."""
    question = _question(thread_id)
    post = _answer(question, number)
    if post is None or not policy.can_view_post(current_user, post):
        abort(404)
    return _act(question, partial(service, _me(), question, post), success, post)


@bp.post("/threads/<int:thread_id>/question/accept")
@login_required
def question_accept(thread_id):
    """By the number typed in a form (the post's own button is `question_accept_post`)."""
    question = _question(thread_id)
    require(policy.can_accept_answer(current_user, question))
    form = AcceptForm()
    post = _answer(question, form.post_number.data) if form.validate_on_submit() else None
    if post is None or not policy.can_view_post(current_user, post):
        return _back(question, _("В этом вопросе нет ответа с таким номером."), "error")
    action = partial(services.accept_answer, _me(), question, post)
    return _act(question, action, _("Ответ №%(n)d отмечен как решение.", n=post.number), post)


@bp.post("/threads/<int:thread_id>/question/accept/<int:post_number>")
@login_required
def question_accept_post(thread_id, post_number):
    success = _("Ответ №%(n)d отмечен как решение.", n=post_number)
    return _on_reply(thread_id, post_number, services.accept_answer, success)


@bp.post("/threads/<int:thread_id>/question/unaccept")
@login_required
def question_unaccept(thread_id):
    question = _question(thread_id)
    return _act(question, partial(services.unaccept_answer, _me(), question), _("Решение снято."))


@bp.post("/threads/<int:thread_id>/question/endorse/<int:post_number>")
@login_required
def question_endorse(thread_id, post_number):
    return _on_reply(thread_id, post_number, services.endorse_answer, _("Ответ №%(n)d рекомендован.", n=post_number))


@bp.post("/threads/<int:thread_id>/question/unendorse/<int:post_number>")
@login_required
def question_unendorse(thread_id, post_number):
    """Withdraws only the user's own recommendation; with none to withdraw, nothing changes."""
    success = _("Рекомендация ответа №%(n)d снята.", n=post_number)
    return _on_reply(thread_id, post_number, services.unendorse_answer, success)


@bp.post("/threads/<int:thread_id>/question/rate")
@login_required
def question_rate(thread_id):
    """The asker's rating; a form that does not validate comes back on a page of its own, with the text kept."""
    question = _question(thread_id)
    form = RateForm()
    if policy.can_rate_question(current_user, question) and not form.validate_on_submit():
        return render_template("consultations/question_rate.html", question=question, form=form), 400
    helped = form.helped.data == "yes"
    action = partial(services.rate_question, _me(), question, helped=helped, comment=form.comment.data or "")
    return _act(question, action, _("Спасибо! Оценка сохранена."))


_THREAD_NUMBER = re.compile(r"(?:/threads/)?(\d+)\s*/?(?:[?#].*)?$")


def _original(text: str) -> Thread | None:
    """The question named by its address (…/threads/42) or its number."""
    found = _THREAD_NUMBER.search((text or "").strip())
    thread = db.session.get(Thread, int(found.group(1))) if found else None
    return thread if thread is not None and policy.can_view_thread(current_user, thread) else None


@bp.post("/threads/<int:thread_id>/question/close")
@login_required
def question_close(thread_id):
    question = _question(thread_id)
    require(policy.can_close_question(current_user, question))
    form = CloseForm()
    reasons = {reason.value: reason for reason in CLOSE_REASONS}
    if not form.validate_on_submit() or form.reason.data not in reasons:
        return _back(question, _("Выберите, как закрыть вопрос."), "error")
    reason = reasons[form.reason.data]
    original = _original(form.duplicate_of.data) if reason == QuestionEventKind.CLOSED_DUPLICATE else None
    action = partial(services.close_question, _me(), question, reason, duplicate_of=original)
    return _act(question, action, _("Вопрос закрыт."))
