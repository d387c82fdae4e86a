"""/admin/mail: the outbox's state (queue length, the oldest waiting e-mail, failures with their reasons) and
sending a failed e-mail again. Nested in the admin blueprint, so its gate (admins only) runs first."""

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app import policy
from app.admin.mail_forms import SHOWN, OutboxFilterForm
from app.admin.services import record_audit
from app.db import utcnow
from app.extensions import db
from app.mail import outbox, queries
from app.mail.models import OutboxMessage

bp = Blueprint("mail", __name__)


@bp.before_request
def require_mail_rights():
    policy.require(policy.can_manage_mail(current_user))


def age_words(age: timedelta) -> str:
    """«5 минут», «3 часа», «2 дня»: how long the oldest e-mail has waited."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return _("меньше минуты")
    if minutes < 60:
        return ngettext("%(num)d минута", "%(num)d минут", minutes)
    if minutes < 48 * 60:
        return ngettext("%(num)d час", "%(num)d часов", minutes // 60)
    return ngettext("%(num)d день", "%(num)d дней", minutes // (24 * 60))


@bp.get("")
def outbox_list():
    form = OutboxFilterForm(request.args)
    valid = form.validate()
    shown = form.status.data if valid and form.status.data in SHOWN else "failed"
    now = utcnow()
    summary = queries.queue_summary(now)
    age = summary.oldest_waiting_age(now)
    context = {"form": form, "shown": shown, "summary": summary, "oldest_age": age_words(age) if age else None}
    page = queries.messages_page(shown)
    return render_template("admin/mail.html", page=page, **context), 200 if valid else 400


@bp.post("/<int:message_id>/retry")
def message_retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    why = message.last_error
    if outbox.retry(message.id):
        record_audit(current_user, "mail.retry", message, details=why)
        db.session.commit()
        flash(_("Письмо снова в очереди: оно уйдёт в ближайшие минуты."), "success")
    else:  # sent again already (a second click, another admin)
        flash(_("Это письмо уже не числится среди недоставленных."), "info")
    shown = request.form.get("status")
    return redirect(url_for(".outbox_list", status=shown if shown in SHOWN else None))
