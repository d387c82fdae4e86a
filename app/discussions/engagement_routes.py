"""Reactions, bookmarks, watching and unread."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import policy
from app.associations.models import Association
from app.db import page_number
from app.discussions import engagement, unread
from app.discussions.models import Post, Thread, WatchLevel
from app.extensions import db
from app.policy import require
from app.security import safe_next

bp = Blueprint("engagement", __name__)


@bp.app_template_global()
def nav_unread_count() -> int:
    return unread.unread_count(current_user)


bp.add_app_template_global(engagement.post_url, "thread_post_url")
bp.add_app_template_global(list(WatchLevel), "watch_levels")
bp.add_app_template_global(engagement.thread_watch_level, "thread_watch_level")
bp.add_app_template_global(engagement.association_watch_level, "association_watch_level")


def _wanted_state() -> bool | None:
    """The state the button asked for («on»/«off»), so that a double submit does not undo itself; else toggle."""
    return {"on": True, "off": False}.get(request.form.get("state", ""))


def _page() -> int:
    return page_number(request.args)


def _back_to(post: Post):
    return redirect(safe_next(request.form.get("next"), engagement.post_url(post.thread_id, post.number)))


def _load_post(post_id: int) -> Post:
    post = db.get_or_404(Post, post_id)
    require(policy.can_view_post(current_user, post), hide=True)
    return post


@bp.post("/posts/<int:post_id>/useful")
@login_required
def useful_toggle(post_id):
    post = _load_post(post_id)
    require(policy.can_react(current_user, post))
    engagement.set_useful(current_user, post, _wanted_state())
    db.session.commit()
    return _back_to(post)


@bp.get("/posts/<int:post_id>/useful")
def useful_list(post_id):
    post = _load_post(post_id)
    people = engagement.useful_people(post, _page())
    return render_template("discussions/useful_list.html", post=post, thread=post.thread, people=people)


@bp.post("/posts/<int:post_id>/bookmark")
@login_required
def bookmark_toggle(post_id):
    post = _load_post(post_id)
    require(policy.can_bookmark(current_user, post))
    engagement.set_bookmark(current_user, post, _wanted_state())
    db.session.commit()
    return _back_to(post)


@bp.get("/bookmarks")
@login_required
def bookmark_list():
    return render_template("discussions/bookmark_list.html", page=engagement.bookmarks_of(current_user, _page()))


def _watch_level() -> WatchLevel:
    try:
        return WatchLevel(request.form.get("level", ""))
    except ValueError:
        abort(400)


@bp.post("/threads/<int:thread_id>/watch")
@login_required
def thread_watch(thread_id):
    thread = db.get_or_404(Thread, thread_id)
    require(policy.can_watch(current_user, thread), hide=True)
    level = _watch_level()
    engagement.set_thread_watch(current_user, thread, level)
    db.session.commit()
    flash(_("Уведомления о теме: «%(level)s».", level=level.label), "success")
    return redirect(safe_next(request.form.get("next"), url_for("discussions.thread_show", thread_id=thread.id)))


@bp.post("/associations/<slug>/watch")
@login_required
def association_watch(slug):
    association = db.first_or_404(db.select(Association).where(Association.slug == slug))
    require(policy.can_watch(current_user, association), hide=True)
    level = _watch_level()
    engagement.set_association_watch(current_user, association, level)
    db.session.commit()
    flash(_("Уведомления об объединении: «%(level)s».", level=level.label), "success")
    default = url_for("associations.association_show", slug=association.slug)
    return redirect(safe_next(request.form.get("next"), default))


@bp.get("/unread")
@login_required
def unread_list():
    return render_template("discussions/unread_list.html", page=unread.unread_threads(current_user, _page()))


@bp.post("/unread/mark-read")
@login_required
def unread_mark_read():
    unread.mark_all_read(current_user)
    db.session.commit()
    flash(_("Все темы отмечены прочитанными."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("engagement.unread_list")))
