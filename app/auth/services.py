"""Account verbs. They flush, never commit; the caller commits once."""

from app.auth.models import Role, User, UserStatus
from app.db import utcnow
from app.directory.models import School, Subject
from app.extensions import db


class AccountError(Exception):
    """A domain error with a message fit to show the user."""


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
        raise AccountError("Пользователь с таким адресом электронной почты уже зарегистрирован.")
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
