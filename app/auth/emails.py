"""The account e-mails: what each says is in templates/auth/email/; here is who gets which, with which link.

Each message is written in the recipient's interface language (the admin reading a notice may not share the
newcomer's).
"""

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l

from app.auth import tokens
from app.auth.models import Role, User, UserStatus
from app.extensions import db
from app.mailer import absolute_url, queue_email

PENDING_USERS_PATH = "/admin/users?status=pending"

SUBJECTS = {
    "confirm_email": _l("Подтвердите адрес электронной почты"),
    "password_reset": _l("Восстановление пароля"),
    "password_changed": _l("Пароль изменён"),
    "approval_needed": _l("Новая учётная запись ожидает одобрения"),
    "email_change": _l("Подтвердите новый адрес электронной почты"),
    "email_change_notice": _l("Запрошена смена адреса электронной почты"),
    "delivery_test": _l("Проверка доставки писем"),
}


def lifetime(seconds: int) -> str:
    """«3 дня», «2 часа», «30 минут»: how long a link works, in words."""
    if seconds >= 86400 and seconds % 86400 == 0:
        return ngettext("%(num)d день", "%(num)d дней", seconds // 86400)
    if seconds >= 3600 and seconds % 3600 == 0:
        return ngettext("%(num)d час", "%(num)d часов", seconds // 3600)
    return ngettext("%(num)d минута", "%(num)d минут", max(1, seconds // 60))


def _send(user: User, template: str, *, to: str | None = None, **context) -> None:
    # The user's id goes with the message: a 5xx refusal of their address marks it as bouncing (app/mail/outbox.py;
    # mail to another address, such as a new one awaiting confirmation, marks nothing).
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        context = {k: v(user) if callable(v) else v for k, v in context.items()}
        subject = f"{SUBJECTS[template]} — {current_app.config['SITE_NAME']}"
        queue_email(to or user.email, subject, f"auth/email/{template}", user_id=user.id, user=user, **context)


def send_confirmation(user: User) -> None:
    link = absolute_url("auth.confirm_email", token=tokens.make_confirm_token(user))
    max_age = current_app.config["EMAIL_CONFIRM_MAX_AGE"]
    _send(user, "confirm_email", link=link, lifetime=lambda _user: lifetime(max_age))


def send_password_reset(user: User) -> None:
    link = absolute_url("auth.password_reset", token=tokens.make_reset_token(user))
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    _send(user, "password_reset", link=link, lifetime=lambda _user: lifetime(max_age))


def send_password_changed(user: User) -> None:
    _send(user, "password_changed", link=absolute_url("auth.password_reset_request"))


def send_email_change(user: User, new_email: str) -> None:
    link = absolute_url("auth.email_change_confirm", token=tokens.make_email_change_token(user, new_email))
    max_age = current_app.config["EMAIL_CONFIRM_MAX_AGE"]
    _send(user, "email_change", to=new_email, new_email=new_email, link=link, lifetime=lambda _user: lifetime(max_age))


def send_email_change_notice(user: User, new_email: str) -> None:
    """To the old address: if someone else asked, the owner learns it before anything changes."""
    _send(user, "email_change_notice", new_email=new_email, link=absolute_url("auth.password_reset_request"))


def send_delivery_test(user: User) -> None:
    _send(user, "delivery_test", link=absolute_url("auth.email_change"))


def notify_admins_of_pending(newcomer: User) -> int:
    """Tell every active admin that someone awaits approval; returns how many were told."""
    admins = db.session.scalars(
        db.select(User).where(User.role == Role.ADMIN, User.status == UserStatus.ACTIVE).order_by(User.id)
    ).all()
    link = current_app.config["BASE_URL"] + PENDING_USERS_PATH
    for admin in admins:
        _send(admin, "approval_needed", newcomer=newcomer, link=link)
    return len(admins)
