"""Methodical associations (МО), their members and leaders, invitations."""

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import UTCDateTime, enum_column, first_version, fold_for_search, sync_level_rows, utcnow
from app.directory.models import EducationLevel, School, Subject
from app.extensions import db


class AssociationKind(enum.StrEnum):
    DISTRICT = "district"
    SCHOOL = "school"
    CREATIVE_GROUP = "creative_group"
    COUNCIL = "council"

    @property
    def label(self) -> str:
        labels = {
            AssociationKind.DISTRICT: _l("районное МО"),
            AssociationKind.SCHOOL: _l("школьное МО"),
            AssociationKind.CREATIVE_GROUP: _l("творческая группа"),
            AssociationKind.COUNCIL: _l("методический совет"),
        }
        return str(labels[self])


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"

    @property
    def label(self) -> str:
        return str({Visibility.PUBLIC: _l("открытое"), Visibility.MEMBERS: _l("только для участников")}[self])


class JoinPolicy(enum.StrEnum):
    OPEN = "open"
    REQUEST = "request"
    INVITATION = "invitation"

    @property
    def label(self) -> str:
        labels = {
            JoinPolicy.OPEN: _l("свободное вступление"),
            JoinPolicy.REQUEST: _l("по заявке"),
            JoinPolicy.INVITATION: _l("по приглашению"),
        }
        return str(labels[self])


class MemberRole(enum.StrEnum):
    MEMBER = "member"
    LEADER = "leader"

    @property
    def label(self) -> str:
        return str({MemberRole.MEMBER: _l("участник"), MemberRole.LEADER: _l("руководитель")}[self])


class MembershipStatus(enum.StrEnum):
    PENDING = "pending"  # a join request waiting for a leader
    ACTIVE = "active"
    BANNED = "banned"  # removed by a moderator and barred from joining again (the row stays, with the reason)


association_subjects = sa.Table(
    "association_subjects",
    db.metadata,
    sa.Column("association_id", sa.ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("subject_id", sa.ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
)


class AssociationLevel(db.Model):
    __tablename__ = "association_levels"

    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[EducationLevel] = mapped_column(enum_column(EducationLevel), primary_key=True)


class Association(db.Model):
    __tablename__ = "associations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The name lower-cased with ё → е, kept in step by the mapper events below: SQLite's lower()/LIKE fold ASCII
    # only, so a case-insensitive search on Cyrillic names needs its own column on every database.
    search_name: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown source
    description_html: Mapped[str] = mapped_column(sa.Text, default="")  # rendered by app.markup
    kind: Mapped[AssociationKind] = mapped_column(enum_column(AssociationKind))
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility), default=Visibility.PUBLIC)
    join_policy: Mapped[JoinPolicy] = mapped_column(enum_column(JoinPolicy), default=JoinPolicy.OPEN)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id", ondelete="SET NULL"), index=True)
    # Denormalised for list pages; changed in SQL in the same transaction as the membership.
    member_count: Mapped[int] = mapped_column(default=0)
    thread_count: Mapped[int] = mapped_column(default=0)  # visible threads (discussions keep it in step)
    # Pre-moderation: the first N posts of each new member wait for a leader's approval (0: off).
    premoderation_posts: Mapped[int] = mapped_column(default=0, server_default="0")
    post_count: Mapped[int] = mapped_column(default=0)  # visible posts, opening posts included
    last_posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by the database on every change to what the association's lists show (app/stamps.py); the ORM reads it
    # back after its own updates.
    content_version: Mapped[int] = mapped_column(
        sa.BigInteger, default=first_version, server_default="0", server_onupdate=sa.FetchedValue()
    )
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped[School | None] = relationship()
    subjects: Mapped[list[Subject]] = relationship(secondary=association_subjects, order_by=Subject.name)
    level_rows: Mapped[list[AssociationLevel]] = relationship(cascade="all, delete-orphan")

    @property
    def levels(self) -> list[EducationLevel]:
        return sorted((row.level for row in self.level_rows), key=list(EducationLevel).index)

    def set_levels(self, levels) -> None:
        levels = [EducationLevel(level) for level in levels]
        self.level_rows = sync_level_rows(self.level_rows, levels, lambda level: AssociationLevel(level=level))

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Association {self.slug}>"


@sa.event.listens_for(Association, "before_insert")
@sa.event.listens_for(Association, "before_update")
def _keep_search_name(_mapper, _connection, association: Association) -> None:
    association.search_name = fold_for_search(association.name)


class _MembershipFlags:
    """What a membership (the model or its plain state) says about its member."""

    __slots__ = ()

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def is_leader(self) -> bool:
        return self.is_active and self.role == MemberRole.LEADER


class Membership(_MembershipFlags, db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "association_id", name="uq_memberships_user_association"),
        # The association page's «new members»: the latest joined, read from the index in order.
        sa.Index("ix_memberships_recent", "association_id", "status", "joined_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole), default=MemberRole.MEMBER)
    status: Mapped[MembershipStatus] = mapped_column(enum_column(MembershipStatus), default=MembershipStatus.ACTIVE)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message: Mapped[str] = mapped_column(sa.String(500), default="")  # the join request's note to the leaders
    # Moderation: a muted member reads but does not post until `muted_until`; a banned one (status) may not rejoin.
    muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mute_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default=sa.text("''"))
    ban_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default=sa.text("''"))

    user: Mapped[User] = relationship()
    association: Mapped[Association] = relationship()


@dataclass(frozen=True, slots=True)
class MembershipState(_MembershipFlags):
    """A membership as the policy reads it, in plain values: read with the signed-in user on every request (the login
    loader), where loading ORM objects for them cost more than the query."""

    id: int
    user_id: int
    association_id: int
    role: MemberRole
    status: MembershipStatus
    requested_at: datetime
    joined_at: datetime | None
    muted_until: datetime | None


STATE_COLUMNS = ("id", "user_id", "association_id", "role", "status", "requested_at", "joined_at", "muted_until")


class Invitation(db.Model):
    """A leader's invitation by e-mail address; the address may not have an account yet."""

    __tablename__ = "invitations"
    __table_args__ = (sa.UniqueConstraint("association_id", "email", name="uq_invitations_association_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)  # lower-cased
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    association: Mapped[Association] = relationship()
    invited_by: Mapped[User | None] = relationship()
