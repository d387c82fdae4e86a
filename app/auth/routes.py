"""Account pages: log in and out, register and confirm the address, reset and change the password, settings."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app import policy
from app.auth import services, tokens
from app.auth.forms import (
    ConfirmForm,
    EmailChangeForm,
    EmailForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    RegisterForm,
    SettingsForm,
)
from app.auth.models import UserStatus
from app.db import utcnow
from app.extensions import db, limiter
from app.security import safe_next

bp = Blueprint("auth", __name__)

LOGIN_LIMIT = "10 per minute;50 per hour"
REGISTER_LIMIT = "10 per minute;60 per hour"  # a whole school behind one address may register at a staff meeting
MAIL_LIMIT = "5 per minute;20 per hour"  # pages that send mail to an address typed by anyone
MAIL_PER_ADDRESS_LIMIT = "3 per hour"  # ...and so that nobody can flood one mailbox from many addresses


def _posted_email() -> str:
    return "address:" + services.normalize_email(request.form.get("email", ""))


def _no_email_posted() -> bool:
    return not services.normalize_email(request.form.get("email", ""))


def _form_status(form) -> int:
    return 400 if form.errors else 200


# --- logging in and out -------------------------------------------------------------------------------------------


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
    return render_template("auth/login.html", form=form), _form_status(form)


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


@bp.before_app_request
def record_last_seen():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    if services.touch_last_seen(current_user):
        db.session.commit()


# --- registration and the confirmation link -------------------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register_user(
                email=form.email.data, password=form.password.data, locale=str(get_locale()), **form.profile_data()
            )
        except services.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            return redirect(url_for("auth.register_done"))
    return render_template("auth/register.html", form=form), _form_status(form)


@bp.get("/register/done")
def register_done():
    return render_template("auth/register_done.html")


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    try:
        user = tokens.user_from_confirm_token(token)
    except tokens.TokenInvalid as exc:
        return _link_invalid(exc, resend_endpoint="auth.confirm_resend")
    if user.email_confirmed_at is not None:
        return render_template("auth/confirm_email.html", user=user, already=True)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("auth/confirm_email.html", user=user, form=form), _form_status(form)
    services.confirm_email(user, requires_approval=current_app.config["REGISTRATION_REQUIRES_APPROVAL"])
    db.session.commit()
    if user.status == UserStatus.ACTIVE:
        flash(_("Адрес подтверждён. Теперь вы можете войти."), "success")
    else:
        flash(_("Адрес подтверждён. Администратор проверит заявку и откроет доступ; вы получите письмо."), "success")
    return redirect(url_for("auth.login"))


def _link_invalid(exc: Exception, *, resend_endpoint: str):
    expired = isinstance(exc, tokens.TokenExpired)
    return render_template("auth/link_invalid.html", expired=expired, resend_endpoint=resend_endpoint), 400


@bp.route("/confirm/resend", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"])
@limiter.limit(MAIL_PER_ADDRESS_LIMIT, methods=["POST"], key_func=_posted_email, exempt_when=_no_email_posted)
def confirm_resend():
    form = EmailForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data)
        db.session.commit()
        flash(_("Если этот адрес зарегистрирован и ещё не подтверждён, мы отправили на него новую ссылку."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/confirm_resend.html", form=form), _form_status(form)


# --- passwords ------------------------------------------------------------------------------------------------------


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"])
@limiter.limit(MAIL_PER_ADDRESS_LIMIT, methods=["POST"], key_func=_posted_email, exempt_when=_no_email_posted)
def password_reset_request():
    form = EmailForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("Если этот адрес зарегистрирован, мы отправили на него ссылку для смены пароля."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/password_reset_request.html", form=form), _form_status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    try:
        user = tokens.user_from_reset_token(token)
    except tokens.TokenInvalid as exc:
        return _link_invalid(exc, resend_endpoint="auth.password_reset_request")
    form = PasswordResetForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        db.session.commit()
        flash(_("Пароль изменён. Войдите с новым паролем."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/password_reset.html", form=form, user=user), _form_status(form)


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
def password_change():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, current_password=form.current_password.data, new_password=form.password.data
            )
        except services.AccountError as exc:
            form.current_password.errors.append(str(exc))
        else:
            db.session.commit()
            # The session token changed: sign this browser in again; every other session is over.
            login_user(current_user._get_current_object(), remember=_has_remember_cookie())
            flash(_("Пароль изменён. На других устройствах нужно будет войти заново."), "success")
            return redirect(url_for("auth.settings"))
    return render_template("auth/password_change.html", form=form), _form_status(form)


def _has_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


# --- settings -------------------------------------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    policy.require(policy.can_edit_profile(current_user, current_user))
    form = SettingsForm.for_user(current_user)
    if form.validate_on_submit():
        services.update_profile(
            current_user, current_user, locale=form.locale.data, timezone=form.timezone.data, **form.profile_data()
        )
        db.session.commit()
        flash(_("Изменения сохранены."), "success")
        return redirect(url_for("auth.settings"))
    return render_template("auth/settings.html", form=form), _form_status(form)


# --- the e-mail address: changing it, mail that does not reach it ---------------------------------------------------


@bp.route("/settings/email", methods=["GET", "POST"])
@login_required
@limiter.limit(MAIL_LIMIT, methods=["POST"])
@limiter.limit(MAIL_PER_ADDRESS_LIMIT, methods=["POST"], key_func=_posted_email, exempt_when=_no_email_posted)
def email_change():
    policy.require(policy.can_edit_profile(current_user, current_user))
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            new_email = services.request_email_change(
                current_user, new_email=form.email.data, current_password=form.current_password.data
            )
        except services.AccountError as exc:
            getattr(form, exc.field or "email").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Мы отправили ссылку на %(email)s. Адрес сменится, когда вы откроете её и подтвердите.",
                    email=new_email), "info")  # fmt: skip
            return redirect(url_for("auth.email_change"))
    return render_template("auth/email_change.html", form=form, retry_form=ConfirmForm()), _form_status(form)


@bp.route("/settings/email/confirm/<token>", methods=["GET", "POST"])
def email_change_confirm(token: str):
    try:
        user, new_email = tokens.email_change_from_token(token)
    except tokens.TokenUsed as used:
        return _email_change_page(used.user, used.user.email, already=True)
    except tokens.TokenInvalid as exc:
        return _link_invalid(exc, resend_endpoint="auth.email_change")
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _email_change_page(user, new_email, form=form), _form_status(form)
    try:
        services.confirm_email_change(user, new_email)
    except services.AccountError as exc:
        return _email_change_page(user, new_email, error=str(exc)), 400
    db.session.commit()
    flash(_("Адрес электронной почты изменён на %(email)s.", email=new_email), "success")
    return redirect(url_for("auth.email_change" if current_user.is_authenticated else "auth.login"))


def _email_change_page(user, new_email: str, **context) -> str:
    return render_template("auth/email_change_confirm.html", user=user, new_email=new_email, **context)


@bp.post("/settings/email/retry")
@login_required
@limiter.limit(MAIL_LIMIT)
def email_delivery_retry():
    policy.require(policy.can_edit_profile(current_user, current_user))
    if current_user.email_bounced_at is None:
        flash(_("Письма на ваш адрес доставляются, проверять нечего."), "info")
    else:  # the CSRF token is checked by CSRFProtect before any POST view
        services.retry_email_delivery(current_user)
        db.session.commit()
        flash(_("Мы отправили проверочное письмо на %(email)s. Если оно не дойдёт, предупреждение появится снова.",
                email=current_user.email), "success")  # fmt: skip
    return redirect(url_for("auth.email_change"))
