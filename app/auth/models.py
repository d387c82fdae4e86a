"""Accounts: the user, its global role and status, and the session version that makes logout final."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.db import UTCDateTime, enum_column, first_version, fold_for_search, sync_level_rows, utcnow
from app.directory.models import EducationLevel, School, Subject
from app.extensions import db


class Role(enum.StrEnum):
    TEACHER = "teacher"
    METHODIST = "methodist"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str({Role.TEACHER: _l("педагог"), Role.METHODIST: _l("методист"), Role.ADMIN: _l("администратор")}[self])


class UserStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"

    @property
    def label(self) -> str:
        labels = {
            UserStatus.PENDING: _l("ожидает одобрения"),
            UserStatus.ACTIVE: _l("активен"),
            UserStatus.SUSPENDED: _l("заблокирован"),
        }
        return str(labels[self])


user_subjects = sa.Table(
    "user_subjects",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("subject_id", sa.ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
)


class UserLevel(db.Model):
    """An education level a user works at (ДО/НОО/ООО/СОО)."""

    __tablename__ = "user_levels"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[EducationLevel] = mapped_column(enum_column(EducationLevel), primary_key=True)


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    search_name: Mapped[str] = mapped_column(sa.String(200), default="")  # folded full_name
    position: Mapped[str] = mapped_column(sa.String(200), default="")
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id", ondelete="SET NULL"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.TEACHER)
    status: Mapped[UserStatus] = mapped_column(enum_column(UserStatus), default=UserStatus.PENDING, index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # Rotated on logout and password change: a copied session or remember cookie stops working.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 152-ФЗ consent to data processing
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locale: Mapped[str] = mapped_column(sa.String(8), default="ru")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Moscow")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised by the database when the user's read state, watches or memberships change (app/stamps.py).
    view_version: Mapped[int] = mapped_column(sa.BigInteger, default=first_version, server_default="0")
    # Notifications (app/notifications/): the bell's count of unread ones, kept in SQL by the notifying statements so
    # that the header reads it from the login loader's row; e-mail settings and the address's delivery state.
    unread_notifications: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    email_paused: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    email_bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a permanent failure: no more mail
    email_bounce_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default=sa.text("''"))
    digest_hour: Mapped[int | None] = mapped_column(sa.SmallInteger)  # local hour; None: the site's DIGEST_HOUR
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    school: Mapped[School | None] = relationship()
    subjects: Mapped[list[Subject]] = relationship(secondary=user_subjects, order_by=Subject.name)
    level_rows: Mapped[list[UserLevel]] = relationship(cascade="all, delete-orphan")

    @property
    def levels(self) -> list[EducationLevel]:
        return sorted((row.level for row in self.level_rows), key=list(EducationLevel).index)

    def set_levels(self, levels) -> None:
        levels = [EducationLevel(level) for level in levels]
        self.level_rows = sync_level_rows(self.level_rows, levels, lambda level: UserLevel(level=level))

    @property
    def greeting_name(self) -> str:
        """«Мария Петровна» from «Иванова Мария Петровна»: how a Russian letter addresses a colleague."""
        parts = self.full_name.split()
        return " ".join(parts[1:]) if len(parts) == 3 else self.full_name

    def set_password(self, password: str) -> None:
        # scrypt (Werkzeug's slow default) in production; the test suite configures a cheap method to stay fast.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def rotate_session(self) -> None:
        self.session_token = new_session_token()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in inactive users
        return self.status == UserStatus.ACTIVE

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN and self.is_active

    @property
    def is_methodist(self) -> bool:
        return self.role == Role.METHODIST and self.is_active

    def __repr__(self) -> str:
        return f"<User {self.email}>"


@sa.event.listens_for(User, "before_insert")
@sa.event.listens_for(User, "before_update")
def _keep_search_name(_mapper, _connection, user: User) -> None:
    user.search_name = fold_for_search(user.full_name)
