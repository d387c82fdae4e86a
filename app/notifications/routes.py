"""The notifications inbox (`/notifications`): a signed-in user's notifications, newest first; mark one or all read.
The e-mail settings (`/settings/notifications`) and the unsubscribe links of e-mails (`/unsubscribe/<token>`)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.models import User
from app.db import MAX_PAGE, page_number
from app.extensions import csrf, db
from app.notifications import inbox as queries
from app.notifications import preferences
from app.notifications.emails import ALL, UnsubscribeInvalid, read_unsubscribe_token
from app.notifications.forms import chosen_deliveries, settings_form

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def inbox():
    page = queries.inbox_page(current_user, page_number(request.args), current_app.config["PER_PAGE"])
    if page.page > 1 and not page.items:
        abort(404)
    return render_template("notifications/inbox.html", page=page)


def _back() -> str:
    """The inbox page the form was sent from (a number, nothing else: no open redirect)."""
    page = min(max(request.form.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    return url_for("notifications.inbox", page=page if page > 1 else None)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def notification_read(notification_id):
    if not queries.mark_read(current_user, notification_id):
        abort(404)  # another user's notification or none: the same answer, so ids reveal nothing
    db.session.commit()
    return redirect(_back())


@bp.post("/notifications/read")
@login_required
def notifications_read_all():
    marked = queries.mark_all_read(current_user)
    db.session.commit()
    flash(_("Все уведомления отмечены прочитанными.") if marked else _("Непрочитанных уведомлений нет."), "success")
    return redirect(_back())


# --- e-mail settings ---------------------------------------------------------------------------------------------


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    categories = preferences.categories_for(current_user)
    form = settings_form(categories, preferences.deliveries(current_user), digest_hour=current_user.digest_hour,
                         paused=current_user.email_paused, default_hour=current_app.config["DIGEST_HOUR"])  # fmt: skip
    if form.validate_on_submit():
        preferences.save_settings(current_user, chosen_deliveries(form, categories),
                                  digest_hour=int(form.digest_hour.data), paused=form.email_paused.data)  # fmt: skip
        db.session.commit()
        flash(_("Настройки уведомлений сохранены."), "success")
        return redirect(url_for("notifications.settings"))
    status = 400 if form.errors else 200
    return render_template("notifications/settings.html", form=form), status


# --- one-click unsubscribe (RFC 8058) ------------------------------------------------------------------------------


def _unsubscribe_target(token: str):
    """The account and what the link turns off; None for a damaged or forged link or a deleted account."""
    try:
        user_id, what = read_unsubscribe_token(token)
    except UnsubscribeInvalid:
        return None
    user = db.session.get(User, user_id)
    return (user, what) if user is not None else None


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str):
    """The link in an e-mail: says what it will turn off and asks for a click (a mail scanner opening it changes
    nothing)."""
    target = _unsubscribe_target(token)
    if target is None:
        return render_template("notifications/unsubscribe_invalid.html"), 400
    user, what = target
    return render_template("notifications/unsubscribe.html", token=token, user=user, what=what, done=False)


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # the signed link is the proof; mail programs post RFC 8058's one-click without a form of ours
def unsubscribe_confirm(token: str):
    target = _unsubscribe_target(token)
    if target is None:
        return render_template("notifications/unsubscribe_invalid.html"), 400
    user, what = target
    if what == ALL:
        preferences.pause_all(user)
    else:
        preferences.turn_off(user, what)
    db.session.commit()
    return render_template("notifications/unsubscribe.html", token=token, user=user, what=what, done=True)
