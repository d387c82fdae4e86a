"""Editing, deleting and restoring posts, their history, and the drafts saved while writing."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.discussions import drafts, editing
from app.discussions.editing_forms import PostEditForm
from app.discussions.models import Post
from app.discussions.routes import form_checks_csrf
from app.discussions.services import DiscussionError
from app.extensions import db, limiter
from app.policy import require

bp = Blueprint("editing", __name__)

DRAFT_LIMIT = "60 per minute"  # autosave sends at most one request every few seconds while typing


def _draft_limit_key() -> str:
    # Per user, not per address: a whole school often shares one address.
    return f"user:{current_user.id}" if current_user.is_authenticated else f"ip:{request.remote_addr}"


def _load_post(post_id: int) -> Post:
    """The post; 404 when unknown or when its thread is hidden from the user."""
    post = db.get_or_404(Post, post_id)
    require(policy.can_view_thread(current_user, post.thread), hide=True)
    return post


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@form_checks_csrf  # a stale token re-shows the form with the text and a fresh token
@login_required
def post_edit(post_id):
    post = _load_post(post_id)
    require(policy.can_edit_post(current_user, post))
    opening = post.number == 1
    form = PostEditForm(opening=opening)
    if request.method == "GET":
        _fill(form, post)
    elif form.validate_on_submit():
        try:
            changed = editing.edit_post(
                current_user, post, body=form.body.data, title=form.title.data if opening else None
            )
        except DiscussionError as exc:
            form.body.errors.append(str(exc))
        else:
            drafts.consume(current_user, drafts.edit_key(post))
            db.session.commit()
            flash(_("Сообщение изменено.") if changed else _("Текст не изменился."), "success" if changed else "info")
            return redirect(editing.post_url(post))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "discussions/post_edit.html", form=form, post=post, thread=post.thread, back_url=editing.post_url(post)
    ), status


def _fill(form: PostEditForm, post: Post) -> None:
    """The current text, or the user's unsaved draft of this edit when there is one."""
    form.body.data = post.body
    if post.number == 1:
        form.title.data = post.thread.title
    draft = drafts.load(current_user, drafts.edit_key(post))
    title_changed = post.number == 1 and draft is not None and draft.title and draft.title != post.thread.title
    if draft is not None and (draft.body != post.body or title_changed):
        form.body.data = draft.body
        if title_changed:
            form.title.data = draft.title
        flash(_("Восстановлен несохранённый черновик правки. Сохраните его или отмените правку."), "info")


@bp.get("/posts/<int:post_id>/history")
@login_required
def post_history(post_id):
    post = _load_post(post_id)
    require(policy.can_view_post_history(current_user, post))
    versions = editing.post_versions(post)
    return render_template(
        "discussions/post_history.html",
        post=post,
        thread=post.thread,
        versions=versions,
        back_url=editing.post_url(post),
    )


@bp.post("/posts/<int:post_id>/delete")
@login_required
def post_delete(post_id):
    post = _load_post(post_id)
    require(policy.can_delete_post(current_user, post))
    thread = post.thread
    editing.delete_post(current_user, post)
    db.session.commit()
    if post.number == 1:
        flash(_("Тема удалена."), "success")
        if not policy.can_view_thread(current_user, thread):
            return redirect(url_for("associations.association_show", slug=thread.association.slug))
    else:
        flash(_("Сообщение удалено."), "success")
    return redirect(editing.post_url(post))


@bp.post("/posts/<int:post_id>/restore")
@login_required
def post_restore(post_id):
    post = _load_post(post_id)
    require(policy.can_restore_post(current_user, post))
    editing.restore_post(current_user, post)
    db.session.commit()
    flash(_("Тема восстановлена.") if post.number == 1 else _("Сообщение восстановлено."), "success")
    return redirect(editing.post_url(post))


@bp.get("/drafts/<key>")
@login_required
def draft_show(key):
    """The user's draft as JSON (`body` null when there is none), for the script to fill a form the server rendered
    empty: the thread page does not spend a query on drafts."""
    target = drafts.target_of(key)
    if target is None or not drafts.can_save(current_user, target):
        return jsonify(error=_("Черновик не найден.")), 404
    draft = drafts.load(current_user, key)
    if draft is None:
        return jsonify(title=None, body=None, updated_at=None)
    return jsonify(title=draft.title, body=draft.body, updated_at=draft.updated_at.isoformat())


@bp.post("/drafts/<key>")
@limiter.limit(DRAFT_LIMIT, key_func=_draft_limit_key)
@login_required
def draft_save(key):
    target = drafts.target_of(key)
    if target is None:
        return jsonify(error=_("Черновик не найден.")), 404
    require(drafts.can_save(current_user, target))
    data = request.get_json(silent=True) if request.is_json else request.form
    if not hasattr(data, "get"):
        return jsonify(error=_("Неверный запрос.")), 400
    body, title = data.get("body", ""), data.get("title", "")
    if not isinstance(body, str) or not isinstance(title, str):
        return jsonify(error=_("Неверный запрос.")), 400
    try:
        draft = drafts.save(current_user, key, body=body, title=title)
    except drafts.DraftError as exc:
        return jsonify(error=str(exc)), 400
    db.session.commit()
    return jsonify(saved=draft is not None, updated_at=draft.updated_at.isoformat() if draft else None)
