"""Moderators' actions on threads (issue 6): pin, lock, hide and slow mode are POST buttons of the thread page's
«Модерация» block; move, merge and split have pages of their own for what they need to know. Each POST has CSRF,
asks the policy, calls one service, commits once, and comes back to the thread with a message."""

import re
from functools import partial

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app import policy
from app.associations.models import Association
from app.auth.models import User
from app.db import page_number
from app.discussions.models import Post, Thread
from app.discussions.queries import POSTS_PER_PAGE, excerpt
from app.extensions import db
from app.moderation import threads as services
from app.moderation.thread_forms import MergeForm, MoveForm, ReasonForm, RequiredReasonForm, SlowModeForm, SplitForm
from app.policy import require

bp = Blueprint("thread_moderation", __name__)

_THREAD_NUMBER = re.compile(r"(?:/threads/)?(\d{1,9})\s*/?(?:[?#].*)?$")


def _me() -> User:
    return current_user._get_current_object()


def _load(thread_id: int, rule, *args) -> Thread:
    """The thread (404 when unknown), if `rule` lets the user act on it: 403, or 404 where the thread is not theirs
    to see."""
    thread = db.get_or_404(Thread, thread_id)
    require(rule(current_user, thread, *args), hide=not policy.can_view_thread(current_user, thread))
    return thread


def _moderated(thread_id: int) -> Thread:
    return _load(thread_id, lambda user, thread: policy.can_moderate(user, thread.association))


def _back(thread_id: int, message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("discussions.thread_show", thread_id=thread_id, _anchor="moderation"))


def _act(thread: Thread, action, success: str):
    """Run one service and commit, or say why not (nothing changed)."""
    thread_id = thread.id
    try:
        action()
    except services.ModerationError as exc:
        db.session.rollback()
        return _back(thread_id, str(exc), "error")
    db.session.commit()
    return _back(thread_id, success)


# --- buttons: one POST each, with an optional reason (required for lock and hide) ------------------------------------

# name → (the policy rule, the service, what is said when done, whether the reason is required)
BUTTONS = {
    "pin": (policy.can_pin_thread, services.pin_thread, _l("Тема закреплена."), False),
    "unpin": (policy.can_pin_thread, services.unpin_thread, _l("Тема откреплена."), False),
    "lock": (policy.can_lock_thread, services.lock_thread, _l("Тема закрыта для ответов."), True),
    "unlock": (policy.can_lock_thread, services.unlock_thread, _l("Тема снова открыта для ответов."), False),
    "hide": (policy.can_hide_thread, services.hide_thread, _l("Тема скрыта."), True),
    "unhide": (policy.can_hide_thread, services.unhide_thread, _l("Тема снова видна участникам."), False),
}


def _button(name: str):
    rule, service, success, required = BUTTONS[name]

    @login_required
    def view(thread_id):
        thread = _load(thread_id, rule)
        form = RequiredReasonForm() if required else ReasonForm()
        if not form.validate():
            return _back(thread.id, " ".join(map(str, form.reason.errors)), "error")
        return _act(thread, partial(service, _me(), thread, reason=form.reason.data or ""), str(success))

    return view


for _name in BUTTONS:  # endpoints thread_moderation.thread_pin, …_unpin, …_lock, …_unlock, …_hide, …_unhide
    bp.add_url_rule(f"/threads/<int:thread_id>/moderation/{_name}", f"thread_{_name}", _button(_name), methods=["POST"])


@bp.post("/threads/<int:thread_id>/moderation/slow-mode")
@login_required
def thread_slow_mode(thread_id):
    thread = _load(thread_id, policy.can_set_slow_mode)
    form = SlowModeForm()
    if not form.validate():
        return _back(thread.id, " ".join(map(str, form.seconds.errors)), "error")
    seconds = form.seconds.data
    done = _("Медленный режим включён.") if seconds else _("Медленный режим выключен.")
    return _act(thread, partial(services.set_slow_mode, _me(), thread, seconds), done)


# --- move ---------------------------------------------------------------------------------------------------------


def move_targets(user, thread: Thread) -> list[Association]:
    """Associations the user may move the thread to: any other for an admin, those they lead for a leader (never
    archived ones); one query."""
    stmt = sa.select(Association).where(Association.id != thread.association_id, Association.archived_at.is_(None))
    if not policy.is_admin(user):
        led = [association_id for association_id, m in policy.memberships_of(user).items() if m.is_leader]
        stmt = stmt.where(Association.id.in_(led))
    found = db.session.scalars(stmt).all()
    return sorted((a for a in found if policy.can_move_thread(user, thread, a)), key=lambda a: a.name.casefold())


@bp.route("/threads/<int:thread_id>/moderation/move", methods=["GET", "POST"])
@login_required
def thread_move(thread_id):
    thread = _moderated(thread_id)
    targets = move_targets(current_user, thread)
    form = MoveForm(associations=targets)
    if not form.validate_on_submit():
        return _render("moderation/thread_move.html", thread, form, targets=targets)
    target = next(a for a in targets if a.id == form.association.data)
    require(policy.can_move_thread(current_user, thread, target))
    try:
        services.move_thread(_me(), thread, target, reason=form.reason.data or "")
    except services.ModerationError as exc:
        db.session.rollback()
        form.association.errors = [str(exc)]
        return _render("moderation/thread_move.html", thread, form, targets=targets)
    db.session.commit()
    return _back(thread_id, _("Тема перенесена в «%(name)s».", name=target.name))


def _render(template: str, thread: Thread, form, **context):
    status = 400 if request.method == "POST" else 200
    return render_template(template, thread=thread, association=thread.association, form=form, **context), status


# --- merge --------------------------------------------------------------------------------------------------------


def _target_thread(text: str) -> Thread | None:
    """The thread named by its address (…/threads/42) or its number, if the user may see it."""
    found = _THREAD_NUMBER.search(text or "")
    thread = db.session.get(Thread, int(found.group(1))) if found else None
    return thread if thread is not None and policy.can_view_thread(current_user, thread) else None


@bp.route("/threads/<int:thread_id>/moderation/merge", methods=["GET", "POST"])
@login_required
def thread_merge(thread_id):
    source = _moderated(thread_id)
    form = MergeForm()
    target = _target_thread(form.target.data) if form.validate_on_submit() else None
    if target is None:
        if request.method == "POST" and not form.target.errors:
            form.target.errors = [_("Тема не найдена: укажите ссылку на тему или её номер.")]
        return _render("moderation/thread_merge.html", source, form, target=None)
    if target.id != source.id:
        require(policy.can_merge_threads(current_user, source, target))
    action = partial(services.merge_threads, _me(), source, target, confirmed=form.confirm.data)
    try:
        action(reason=form.reason.data or "")
    except services.ModerationError as exc:
        db.session.rollback()
        asks = isinstance(exc, services.ConfirmationNeeded)
        (form.confirm if asks else form.target).errors = [str(exc)]
        return _render("moderation/thread_merge.html", source, form, target=target, confirming=asks)
    db.session.commit()
    flash(_("Темы объединены: сообщения перенесены сюда."), "success")
    return redirect(url_for("discussions.thread_show", thread_id=target.id))


# --- split --------------------------------------------------------------------------------------------------------


def _split_rows(thread: Thread, everything: bool, page: int) -> list:
    """The thread's posts to choose from (number, time, author, excerpt): one page of them, or all; one query."""
    stmt = (
        sa.select(Post.id, Post.number, Post.created_at, Post.deleted_at, Post.hidden_at, Post.body_html,
                  User.full_name.label("author_name"))
        .outerjoin(User, User.id == Post.author_id)
        .where(Post.thread_id == thread.id)
        .order_by(Post.number)
    )  # fmt: skip
    if not everything:
        first = (page - 1) * POSTS_PER_PAGE + 1
        stmt = stmt.where(Post.number.between(first, first + POSTS_PER_PAGE - 1))
    return [(row, excerpt(row)) for row in db.session.execute(stmt)]


def _chosen_numbers() -> list[int]:
    return sorted({int(v) for v in request.form.getlist("posts") if v.isdigit() and len(v) <= 9})


@bp.route("/threads/<int:thread_id>/moderation/split", methods=["GET", "POST"])
@login_required
def thread_split(thread_id):
    thread = _load(thread_id, policy.can_split_thread)
    everything = request.args.get("all") == "1"
    page = page_number(request.args)
    form, chosen = SplitForm(), _chosen_numbers()
    if form.validate_on_submit():
        try:
            new = services.split_thread(_me(), thread, chosen, form.title.data, reason=form.reason.data or "")
        except services.ModerationError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Сообщения выделены в новую тему."), "success")
            return redirect(url_for("discussions.thread_show", thread_id=new.id))
    pages = max((thread.post_count + POSTS_PER_PAGE - 1) // POSTS_PER_PAGE, 1)
    if not everything and page > pages:
        abort(404)
    rows = _split_rows(thread, everything, page)
    return _render("moderation/thread_split.html", thread, form, rows=rows, chosen=set(chosen),
                   everything=everything, page=page, pages=pages)  # fmt: skip
