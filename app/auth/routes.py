"""Account pages: log in, log out (registration, confirmation, password reset and settings live here too)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import LoginForm
from app.auth.models import UserStatus
from app.db import utcnow
from app.extensions import db, limiter
from app.security import safe_next

bp = Blueprint("auth", __name__)

LOGIN_LIMIT = "10 per minute;50 per hour"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("main.home")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Неверный адрес электронной почты или пароль."))
        elif error := _login_refusal(user):
            form.email.errors.append(error)
        else:
            login_user(user, remember=form.remember.data)
            user.last_seen_at = utcnow()
            db.session.commit()
            return redirect(safe_next(form.next.data, url_for("main.home")))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


def _login_refusal(user) -> str | None:
    """Why a user with the right password still may not log in, in words they can act on."""
    if user.email_confirmed_at is None:
        return _("Подтвердите адрес электронной почты: ссылка отправлена в письме при регистрации.")
    if user.status == UserStatus.PENDING:
        return _("Учётная запись ожидает одобрения администратором.")
    if user.status == UserStatus.SUSPENDED:
        return _("Учётная запись заблокирована. Обратитесь к администратору.")
    return None


@bp.post("/logout")
@login_required
def logout():
    services.log_out_everywhere(current_user)
    db.session.commit()
    logout_user()
    flash(_("Вы вышли из системы."), "info")
    return redirect(url_for("main.home"))
