"""Account verbs. They flush, never commit; the caller commits once (and then sends the queued mail)."""

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.auth import emails
from app.auth.models import Role, User, UserStatus
from app.auth.passwords import password_problem
from app.db import utcnow
from app.directory.choices import subjects_by_ids
from app.directory.models import EducationLevel, School, Subject
from app.extensions import db

LAST_SEEN_EVERY = timedelta(minutes=5)


class AccountError(Exception):
    """A domain error with a message fit to show the user (beside `field` of the form, when it names one)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalize_email(email)))


def create_user(
    email: str,
    full_name: str,
    password: str,
    *,
    role: Role = Role.TEACHER,
    status: UserStatus = UserStatus.PENDING,
    school: School | None = None,
    position: str = "",
    subjects: list[Subject] | tuple = (),
    levels=(),
    email_confirmed: bool = False,
    consent: bool = False,
    locale: str = "ru",
) -> User:
    """Create an account; raises AccountError when the e-mail is taken (in any letter case)."""
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise AccountError(_("Пользователь с таким адресом электронной почты уже зарегистрирован."))
    now = utcnow()
    user = User(
        email=email,
        full_name=full_name.strip(),
        position=position.strip(),
        school=school,
        role=Role(role),
        status=UserStatus(status),
        email_confirmed_at=now if email_confirmed else None,
        consent_at=now if consent else None,
        locale=locale,
    )
    user.subjects = list(subjects)
    user.set_levels(levels)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _school(school_id) -> School | None:
    return db.session.get(School, int(school_id)) if str(school_id or "").isdigit() else None


def register_user(
    *,
    email: str,
    full_name: str,
    password: str,
    school_id=None,
    position: str = "",
    subject_ids=(),
    levels=(),
    locale: str = "ru",
) -> User:
    """Self-registration: a pending, unconfirmed teacher who consented to data processing; mails the link."""
    if problem := password_problem(password):
        raise AccountError(problem)
    user = create_user(
        email, full_name, password, school=_school(school_id), position=position,
        subjects=subjects_by_ids(subject_ids), levels=levels, consent=True, locale=locale,
    )  # fmt: skip
    emails.send_confirmation(user)
    return user


def resend_confirmation(email: str) -> bool:
    """Mail a fresh link if the address belongs to an unconfirmed account; the caller answers the same either way."""
    user = find_user_by_email(email)
    if user is None or user.email_confirmed_at is not None:
        return False
    emails.send_confirmation(user)
    return True


def confirm_email(user: User, *, requires_approval: bool) -> None:
    """Mark the address confirmed; then either await an admin (who is told) or open the account at once."""
    if user.email_confirmed_at is not None:
        raise AccountError(_("Адрес электронной почты уже подтверждён."))
    user.email_confirmed_at = utcnow()
    if user.status == UserStatus.PENDING:
        if requires_approval:
            emails.notify_admins_of_pending(user)
        else:
            user.status = UserStatus.ACTIVE
    db.session.flush()


def request_password_reset(email: str) -> bool:
    """Mail a reset link if the address has an account; the caller answers the same either way."""
    user = find_user_by_email(email)
    if user is None:
        return False
    emails.send_password_reset(user)
    return True


def set_password(user: User, password: str) -> None:
    """A new password under the rules; every session and earlier reset link of the user dies with the old one."""
    if problem := password_problem(password):
        raise AccountError(problem)
    user.set_password(password)
    user.password_changed_at = utcnow()
    user.rotate_session()
    emails.send_password_changed(user)
    db.session.flush()


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Change a known password: the current one proves it is the owner at the keyboard."""
    if not user.check_password(current_password):
        raise AccountError(_("Текущий пароль введён неверно."))
    set_password(user, new_password)


# --- the address: changing it, and mail that does not reach it -------------------------------------------------------


def _address_taken_error() -> AccountError:
    return AccountError(_("Этот адрес уже занят другой учётной записью. Укажите другой адрес."), "email")


def request_email_change(user: User, *, new_email: str, current_password: str) -> str:
    """Mail a confirmation link to the new address and a notice to the old one; the address changes on confirmation."""
    if not user.check_password(current_password):
        raise AccountError(_("Текущий пароль введён неверно."), "current_password")
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise AccountError(_("Это ваш текущий адрес. Укажите новый."), "email")
    if find_user_by_email(new_email) is not None:
        raise _address_taken_error()
    emails.send_email_change(user, new_email)
    emails.send_email_change_notice(user, new_email)
    return new_email


def confirm_email_change(user: User, new_email: str) -> None:
    """The new address proved to be the user's: it replaces the old one, confirmed, with no bounce on it."""
    new_email = normalize_email(new_email)
    other = find_user_by_email(new_email)
    if other is not None and other.id != user.id:
        raise _address_taken_error()  # registered by someone else after the link was sent
    try:
        with db.session.begin_nested():  # ...or at this very moment
            user.email = new_email
            user.email_confirmed_at = utcnow()
            clear_email_bounce(user)
    except IntegrityError:
        raise _address_taken_error() from None


def mark_email_bounced(email: str, reason: str) -> bool:
    """Mail to the address is refused (a bounce report): no more notices go there. False if no account has it."""
    user = find_user_by_email(email)
    if user is None:
        return False
    user.email_bounced_at = utcnow()
    user.email_bounce_reason = " ".join((reason or "").split())[:500]
    db.session.flush()
    return True


def clear_email_bounce(user: User) -> None:
    """Mail may go to the address again (it was changed, or the user says it is fixed)."""
    user.email_bounced_at = None
    user.email_bounce_reason = ""
    db.session.flush()


def retry_email_delivery(user: User) -> None:
    """The user says the mailbox works again: lift the bounce and send a test message (a new bounce sets it back)."""
    clear_email_bounce(user)
    emails.send_delivery_test(user)


def update_profile(
    actor: User,
    target: User,
    *,
    full_name: str,
    position: str,
    school_id=None,
    subject_ids=(),
    levels=(),
    locale: str | None = None,
    timezone: str | None = None,
) -> None:
    """Edit the colleague-facing profile and the interface settings (the e-mail is not changed here)."""
    target.full_name = full_name.strip()
    target.position = (position or "").strip()
    target.school = _school(school_id)
    target.subjects = subjects_by_ids(subject_ids)
    target.set_levels(EducationLevel(level) for level in levels)
    if locale:
        target.locale = locale
    if timezone:
        target.timezone = timezone
    db.session.flush()


def touch_last_seen(user: User, *, now=None) -> bool:
    """Record activity at most once per LAST_SEEN_EVERY, so reading a page is not a write every time."""
    now = now or utcnow()
    if user.last_seen_at is not None and now - user.last_seen_at < LAST_SEEN_EVERY:
        return False
    db.session.execute(db.update(User).where(User.id == user.id).values(last_seen_at=now))
    return True


def authenticate(email: str, password: str) -> User | None:
    """The user whose e-mail and password match, whatever their status; None otherwise (same answer either way)."""
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check, so timing does not tell which e-mails exist.
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    return user if user.check_password(password) else None


def log_out_everywhere(user: User) -> None:
    """Invalidate every session and remember-me cookie of the user (logout, password change)."""
    user.rotate_session()
    db.session.flush()


_DUMMY_HASH = "scrypt:32768:8:1$dummysaltdummys$" + "0" * 128
