"""A moderator hides a post with a reason, or shows it again: `/posts/<id>/hide` (GET: the reason form, for a page
without the thread's disclosure; POST: hide) and `/posts/<id>/unhide`. The buttons on the thread page come from
`post_hooks` (a mark source); the work is done by `posts.hide_post` / `posts.unhide_post`."""

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.discussions.editing import post_url
from app.discussions.models import Post
from app.extensions import db
from app.moderation.post_forms import HidePostForm
from app.moderation.posts import ModerationError, hide_post, unhide_post
from app.policy import require

bp = Blueprint("post_moderation", __name__)


def _moderated_post(post_id: int) -> Post:
    """The post, for a moderator of its association: 404 when unknown or its thread unseen, 403 otherwise."""
    post = db.get_or_404(Post, post_id)
    require(policy.can_view_thread(current_user, post.thread), hide=True)
    require(policy.can_hide_post(current_user, post))
    return post


@bp.route("/posts/<int:post_id>/hide", methods=["GET", "POST"])
@login_required
def post_hide(post_id):
    post = _moderated_post(post_id)
    form = HidePostForm()
    if form.validate_on_submit():
        try:
            hidden = hide_post(current_user, post, form.reason.data)
        except ModerationError as exc:
            form.reason.errors = [*form.reason.errors, str(exc)]
        else:
            db.session.commit()
            if hidden:
                flash(_("Сообщение скрыто. Автор видит его с причиной."), "success")
            else:
                flash(_("Сообщение уже скрыто модератором или ждёт проверки."), "info")
            return redirect(post_url(post))
    status = 400 if request.method == "POST" else 200
    return render_template("moderation/post_hide.html", form=form, post=post, thread=post.thread,
                           back_url=post_url(post)), status  # fmt: skip


@bp.post("/posts/<int:post_id>/unhide")
@login_required
def post_unhide(post_id):
    post = _moderated_post(post_id)
    shown = unhide_post(current_user, post)
    db.session.commit()
    flash(_("Сообщение снова видно всем.") if shown else _("Сообщение не было скрыто."), "success" if shown else "info")
    return redirect(post_url(post))
