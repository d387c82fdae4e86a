"""Thread and post pages: new thread in an association, the thread page, replying."""

from functools import wraps

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import Forbidden, NotFound
from wtforms.validators import ValidationError

from app import policy
from app.associations.models import Association
from app.db import page_number
from app.discussions import drafts, queries, services
from app.discussions.forms import BODY_HINT, ReplyForm, ThreadForm
from app.discussions.models import Post, Thread, ThreadKind
from app.extensions import csrf, db
from app.notifications.services import mark_thread_read as mark_thread_notices_read
from app.policy import require

bp = Blueprint("discussions", __name__)


def _association(slug: str) -> Association:
    association = db.first_or_404(db.select(Association).where(Association.slug == slug))
    require(policy.can_view_association(current_user, association), hide=True)
    return association


def _post_url(post: Post) -> str:
    page = queries.page_of(post.number)
    return url_for("discussions.thread_show", thread_id=post.thread_id, page=page, _anchor=f"post-{post.number}")


def _attach(post: Post) -> None:
    """Files from the form's upload field, when the attachments part is there to take them."""
    if (attach := queries._optional("attachments", "attach_uploads")) is not None:
        attach(current_user, post, request.files.getlist("files"))


def _explain(exc: Exception, form) -> str | None:
    """A refused upload goes beside the file field (returned); any other domain error beside the text."""
    if isinstance(exc, services.DiscussionError):
        form.body.errors = [*form.body.errors, str(exc)]
        return None
    return getattr(exc, "message", None) or str(exc)


def _domain_errors() -> tuple[type[Exception], ...]:
    upload_error = queries._optional("attachments", "UploadError")
    return (services.DiscussionError, upload_error) if upload_error else (services.DiscussionError,)


def form_checks_csrf(view):
    """Let the view's FlaskForm check the CSRF token, so a stale token re-shows the form with the text kept (and a
    fresh token) instead of the generic error page. A request with a bad token whose target cannot be shown (unknown,
    forbidden) still gets the plain CSRF refusal, so the token is checked before anything is revealed."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method != "POST" or not current_app.config.get("WTF_CSRF_ENABLED", True):
            return view(*args, **kwargs)
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as exc:
            try:
                return view(*args, **kwargs)
            except (Forbidden, NotFound):
                raise CSRFError(exc.args[0]) from None
        return view(*args, **kwargs)

    return csrf.exempt(wrapped)


# --- new thread ---------------------------------------------------------------------------------------------------


@bp.route("/associations/<slug>/threads/new", methods=["GET", "POST"])
@form_checks_csrf
@login_required
def thread_create(slug):
    association = _association(slug)
    require(policy.can_create_thread(current_user, association))
    kinds = [k for k in ThreadKind if policy.can_create_thread(current_user, association, k)]
    form = ThreadForm(kinds=kinds)
    if request.method == "GET":
        drafts.prefill(form, current_user, drafts.thread_key(association))
    if "preview" in request.form:
        preview, _mentioned = services.render_post_body(association.id, form.body.data or "")
        return _render_create(association, form, preview=preview)
    if "check_similar" in request.form:  # the no-JavaScript step before asking: list similar answered questions
        return _render_create(association, form, checking_similar=True)
    if not form.validate_on_submit():
        return _render_create(association, form, status=400 if request.method == "POST" else 200)
    try:
        thread = services.create_thread(current_user, association, **_thread_data(form))
        _attach(db.session.scalar(db.select(Post).where(Post.thread_id == thread.id, Post.number == 1)))
    except _domain_errors() as exc:
        db.session.rollback()
        return _render_create(association, form, status=400, upload_error=_explain(exc, form))
    drafts.consume(current_user, drafts.thread_key(association))
    db.session.commit()
    return redirect(url_for("discussions.thread_show", thread_id=thread.id))


def _thread_data(form: ThreadForm) -> dict:
    kind = ThreadKind(form.kind.data)
    return {
        "title": form.title.data,
        "body": form.body.data,
        "kind": kind,
        "tags": form.tags.data or "",
        "url": form.url.data if kind == ThreadKind.LINK else None,
        "experience_grade": form.experience_grade.data or "" if kind == ThreadKind.EXPERIENCE else "",
        "experience_method": form.experience_method.data or "" if kind == ThreadKind.EXPERIENCE else "",
        "submission_token": form.submission_token.data or None,
        "details": form.question_details,
        "private": bool(form.private.data),  # the form refuses it for anything but a question
    }


def _render_create(association: Association, form: ThreadForm, *, preview=None, status=200, upload_error=None,
                   checking_similar=False):  # fmt: skip
    # The similar questions come from the search's Jinja global `similar_answered_questions`: discussions do not
    # import search.
    return render_template(
        "discussions/thread_create.html", association=association, form=form, preview=preview, body_hint=BODY_HINT,
        upload_error=upload_error, checking_similar=checking_similar,
    ), status  # fmt: skip


# --- the thread page and replies ----------------------------------------------------------------------------------


def _thread(thread_id: int):
    thread, reader = queries.load_thread(thread_id, current_user)
    require(policy.can_view_thread(current_user, thread), hide=True)
    return thread, reader


@bp.get("/threads/<int:thread_id>")
def thread_show(thread_id):
    thread, reader = queries.load_thread(thread_id, current_user)
    if thread.merged_into_id is not None and policy.can_view_association(current_user, thread.association):
        # merged by a moderator: its posts live on in the other thread, which checks its own readers
        return redirect(url_for("discussions.thread_show", thread_id=thread.merged_into_id))
    require(policy.can_view_thread(current_user, thread), hide=True)
    form = ReplyForm(formdata=None)
    target = queries.post_in_thread(thread, request.args.get("quote", type=int))
    if target is not None and policy.can_view_post(current_user, target):
        form.body.data = queries.quote_markdown(target)
    target = target or queries.post_in_thread(thread, request.args.get("reply_to", type=int))
    if target is not None:
        form.reply_to.data = str(target.id)
    return _render_thread(thread, reader, form, target, page=page_number(request.args))


def _render_thread(
    thread: Thread, reader, form: ReplyForm, target: Post | None, *, page, status=200, upload_error=None
):
    view = queries.thread_view(thread, reader, current_user, page=page, mode=request.args.get("view", "flat"))
    if current_user.is_authenticated:
        # The thread is open: its notifications are read, and the bell on this page already counts without them.
        mark_thread_notices_read(current_user, thread.id)
    html = render_template(
        "discussions/thread_show.html", thread=thread, association=thread.association, view=view, form=form,
        reply_target=target, body_hint=BODY_HINT, upload_error=upload_error,
    )  # fmt: skip
    if current_user.is_authenticated and view.posts:
        # Rendered first: committing expires the loaded posts, and the template must not reload them one by one.
        services.mark_read(current_user, thread, number=view.last_number_shown, reader=reader)
    if current_user.is_authenticated:
        db.session.commit()
    return html, status


@bp.post("/threads/<int:thread_id>/reply")
@form_checks_csrf
@login_required
def thread_reply(thread_id):
    thread, reader = _thread(thread_id)
    closed = not thread.is_visible or thread.locked_at is not None
    require(policy.can_reply(current_user, thread) or (closed and policy.can_post_in(current_user, thread.association)))
    form = ReplyForm()
    target = queries.post_in_thread(thread, form.reply_to_id)
    if not form.validate_on_submit() or closed or (form.reply_to_id and target is None):
        if closed:
            form.body.errors = [*form.body.errors, _("Тема закрыта или удалена: ответить в ней нельзя.")]
        elif form.reply_to_id and target is None:
            form.reply_to.errors = [*form.reply_to.errors, _("Можно отвечать только на сообщения этой темы.")]
        return _error_page(thread, reader, form, target)
    try:
        post = services.create_reply(
            current_user, thread, body=form.body.data, reply_to=target, submission_token=form.submission_token.data
        )
        _attach(post)
    except _domain_errors() as exc:
        db.session.rollback()
        return _error_page(thread, reader, form, target, upload_error=_explain(exc, form))
    drafts.consume(current_user, drafts.reply_key(thread))
    db.session.commit()
    return redirect(_post_url(post))


def _error_page(thread: Thread, reader, form: ReplyForm, target: Post | None, upload_error: str | None = None):
    last_page = queries.page_of(thread.post_count)
    return _render_thread(thread, reader, form, target, page=last_page, status=400, upload_error=upload_error)
