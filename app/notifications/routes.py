"""The notifications inbox (`/notifications`): a signed-in user's notifications, newest first; mark one or all read.
(The bell with the unread count, e-mail and preferences are issue 7's.)"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.db import MAX_PAGE, page_number
from app.extensions import db
from app.notifications import inbox as queries

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
