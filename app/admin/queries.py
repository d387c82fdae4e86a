"""The selects that feed admin pages, with their eager loads (a list page's query count never grows with its rows)."""

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from app.admin.models import AuditEntry
from app.associations.models import Association, MemberRole, Membership, MembershipStatus
from app.auth.models import Role, User, UserStatus
from app.db import fold_for_search
from app.directory.models import School, Subject
from app.extensions import db


def _per_page() -> int:
    return current_app.config["PER_PAGE"]


# --- overview -----------------------------------------------------------------------------------------------------


def user_counts() -> dict[UserStatus, int]:
    rows = db.session.execute(sa.select(User.status, sa.func.count()).group_by(User.status))
    counts = dict.fromkeys(UserStatus, 0)
    counts.update({UserStatus(status): n for status, n in rows})
    return counts


def overview_counts() -> dict[str, int]:
    """Schools, subjects, active and archived associations, in one round trip."""
    count = sa.func.count
    row = db.session.execute(
        sa.select(
            sa.select(count()).select_from(School).scalar_subquery().label("schools"),
            sa.select(count()).select_from(Subject).scalar_subquery().label("subjects"),
            sa.select(count())
            .select_from(Association)
            .where(Association.archived_at.is_(None))
            .scalar_subquery()
            .label("associations"),
            sa.select(count())
            .select_from(Association)
            .where(Association.archived_at.is_not(None))
            .scalar_subquery()
            .label("archived"),
        )
    ).one()
    return dict(row._mapping)


# --- people -------------------------------------------------------------------------------------------------------


def users_page(*, q: str = "", role: str = "", status: str = "", school_id: str = ""):
    stmt = sa.select(User).options(selectinload(User.school)).order_by(User.full_name, User.id)
    if q:
        needle = fold_for_search(q)
        stmt = stmt.where(
            sa.or_(User.search_name.contains(needle, autoescape=True), User.email.contains(needle, autoescape=True))
        )
    if role:
        stmt = stmt.where(User.role == Role(role))
    if status:
        stmt = stmt.where(User.status == UserStatus(status))
    if school_id:
        stmt = stmt.where(User.school_id == int(school_id))
    return db.paginate(stmt, per_page=_per_page(), max_per_page=_per_page())


def memberships_of(user: User) -> list[Membership]:
    stmt = (
        sa.select(Membership)
        .join(Membership.association)
        .where(Membership.user_id == user.id)
        .options(selectinload(Membership.association))
        .order_by(Association.name)
    )
    return list(db.session.scalars(stmt))


def user_with_details(user_id: int) -> User | None:
    stmt = (
        sa.select(User)
        .where(User.id == user_id)
        .options(joinedload(User.school), selectinload(User.subjects), selectinload(User.level_rows))
    )
    return db.session.scalar(stmt)


# --- schools, subjects, associations ------------------------------------------------------------------------------


def schools_page():
    return db.paginate(sa.select(School).order_by(School.short_name, School.id), per_page=_per_page())


def subjects_page():
    return db.paginate(sa.select(Subject).order_by(Subject.name, Subject.id), per_page=_per_page())


def associations_page(*, q: str = "", state: str = ""):
    stmt = sa.select(Association).options(selectinload(Association.school)).order_by(Association.name, Association.id)
    if q:
        stmt = stmt.where(Association.search_name.contains(fold_for_search(q), autoescape=True))
    if state == "active":
        stmt = stmt.where(Association.archived_at.is_(None))
    elif state == "archived":
        stmt = stmt.where(Association.archived_at.is_not(None))
    return db.paginate(stmt, per_page=_per_page())


def association_members(association: Association) -> list[Membership]:
    """Active members with their users, leaders first, for the leaders section and its picker."""
    stmt = (
        sa.select(Membership)
        .join(Membership.user)
        .where(Membership.association_id == association.id, Membership.status == MembershipStatus.ACTIVE)
        .options(selectinload(Membership.user))
        .order_by(Membership.role != MemberRole.LEADER, User.full_name)
    )
    return list(db.session.scalars(stmt))


def leader_membership(association: Association, user_id: int) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.association_id == association.id,
            Membership.user_id == user_id,
            Membership.status == MembershipStatus.ACTIVE,
            Membership.role == MemberRole.LEADER,
        )
    )


# --- audit log ----------------------------------------------------------------------------------------------------


def audit_page(*, action: str = "", actor_id: str = "", target_type: str = "", target_id: int | None = None):
    stmt = sa.select(AuditEntry).options(selectinload(AuditEntry.actor))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor_id:
        stmt = stmt.where(AuditEntry.actor_id == int(actor_id))
    if target_type and target_id is not None:
        stmt = stmt.where(AuditEntry.target_type == target_type, AuditEntry.target_id == target_id)
    return db.paginate(stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()), per_page=_per_page())


def audit_about(target_type: str, target_id: int, limit: int = 10) -> list[AuditEntry]:
    stmt = (
        sa.select(AuditEntry)
        .where(AuditEntry.target_type == target_type, AuditEntry.target_id == target_id)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def audit_actors() -> list[User]:
    """Everyone who has an entry in the log, for the "who" filter."""
    has_entries = sa.select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    return list(db.session.scalars(sa.select(User).where(User.id.in_(has_entries)).order_by(User.full_name)))
