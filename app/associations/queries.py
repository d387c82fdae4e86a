"""The selects that feed association pages, with their eager loads."""

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, g
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.associations.models import (
    STATE_COLUMNS,
    Association,
    AssociationKind,
    AssociationLevel,
    Invitation,
    MemberRole,
    Membership,
    MembershipStatus,
    Visibility,
    association_subjects,
)
from app.auth.models import Role, User, UserStatus
from app.db import fold_for_search, prepared, rows
from app.directory.models import EducationLevel, Subject
from app.extensions import db
from app.fragments import remember, remember_for_user
from app.policy import can_view_association, is_admin, memberships_of
from app.stamps import read_site_stamp


@prepared
def _memberships_with_associations_statement():
    return (
        sa.select(Membership, Association)
        .join(Association, Association.id == Membership.association_id)
        .where(
            Membership.user_id == sa.bindparam("user_id"),
            Membership.status == sa.bindparam("status", type_=Membership.__table__.c.status.type),
            Association.archived_at.is_(None),
        )
        .order_by(Association.name, Association.id)
    )


def _memberships_with_associations(user, status: MembershipStatus) -> list[Membership]:
    """The user's memberships in this status with their associations (not archived), by association name; one
    query."""
    found = []
    params = {"user_id": user.id, "status": status}
    for membership, association in db.session.execute(_memberships_with_associations_statement(), params):
        set_committed_value(membership, "association", association)
        found.append(membership)
    return found


def my_associations(user) -> list[Membership]:
    """The user's active memberships with their associations, for the home page and profile."""
    return _memberships_with_associations(user, MembershipStatus.ACTIVE)


def card_values(association: Association, membership: Membership | None) -> tuple:
    """What an association's card shows (the `association_card` macro's arguments after the heading): its cache key."""
    if membership is None:
        mine = None
    elif membership.status != MembershipStatus.ACTIVE:
        mine = "pending"
    else:
        mine = "leader" if membership.role == MemberRole.LEADER else "member"
    return (
        association.slug,
        association.name,
        association.kind,
        association.school.short_name if association.school else None,
        tuple(subject.name for subject in association.subjects),
        tuple(association.levels),
        association.member_count,
        association.is_archived,
        association.visibility == Visibility.MEMBERS,
        mine,
    )


def _card_loads():
    return (
        selectinload(Association.subjects),
        selectinload(Association.level_rows),
        joinedload(Association.school),
    )


@prepared
def user_with_memberships():
    """The signed-in user (:user_id) with all their memberships, the site's change stamp (app/stamps.py) and whether
    any invitation waits for them, in one query: read on every request (the login loader), it saves the policy's own
    query for the memberships and the home page's for invitations in the usual case, none."""
    from app.stamps import site_stamp_columns

    invited = sa.exists().where(
        Invitation.email == User.email, Invitation.accepted_at.is_(None), Invitation.declined_at.is_(None)
    )
    membership = (getattr(Membership, name) for name in STATE_COLUMNS)
    return (
        sa.select(User, *site_stamp_columns(), invited.label("has_open_invitations"), *membership)
        .outerjoin(Membership, Membership.user_id == User.id)
        .where(User.id == sa.bindparam("user_id"))
    )


@prepared
def by_slug():
    """The association with this `slug` (a bound parameter), with its school."""
    named = Association.slug == sa.bindparam("slug")
    return db.select(Association).where(named).options(joinedload(Association.school))


def visible_by_slug_or_404(slug: str, user) -> Association:
    """The association with this slug for a view: 404 when unknown, and when the user may not know it exists."""
    association = db.session.scalar(by_slug(), {"slug": slug})
    if association is None or not can_view_association(user, association):
        abort(404)
    return association


def visible_to(user):
    """The SQL condition for the associations a user may see (the same rule as policy.can_view_association)."""
    if is_admin(user):
        return sa.true()
    if not getattr(user, "is_authenticated", False):
        return Association.visibility == Visibility.PUBLIC
    mine = sa.select(Membership.association_id).where(
        Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE
    )
    return sa.or_(Association.visibility == Visibility.PUBLIC, Association.id.in_(mine))


def visible_to_viewer():
    """`visible_to()` for prebuilt statements (`app.db.prepared`): the user comes as the bound parameters that
    `viewer_params(user)` supplies, so one statement serves visitors, members and admins."""
    mine = sa.select(Membership.association_id).where(
        Membership.user_id == sa.bindparam("viewer_id", type_=sa.Integer),
        Membership.status == MembershipStatus.ACTIVE,
    )
    return sa.or_(
        sa.bindparam("viewer_is_admin", type_=sa.Boolean),
        Association.visibility == Visibility.PUBLIC,
        Association.id.in_(mine),
    )


def viewer_params(user) -> dict:
    """The bound parameters of `visible_to_viewer()` for this user (a visitor is nobody's member)."""
    signed_in = bool(getattr(user, "is_authenticated", False))
    return {"viewer_id": user.id if signed_in else 0, "viewer_is_admin": is_admin(user)}


def association_list(user, *, kind=None, subject_id=None, level=None, school_id=None, q="", archived=False):
    """The select behind the catalogue page; every filter is optional and already validated."""
    stmt = db.select(Association).where(visible_to(user)).options(*_card_loads())
    if not archived:
        stmt = stmt.where(Association.archived_at.is_(None))
    if kind:
        stmt = stmt.where(Association.kind == AssociationKind(kind))
    if subject_id:
        stmt = stmt.where(
            Association.id.in_(
                sa.select(association_subjects.c.association_id).where(association_subjects.c.subject_id == subject_id)
            )
        )
    if level:
        stmt = stmt.where(
            Association.id.in_(sa.select(AssociationLevel.association_id).where(AssociationLevel.level == level))
        )
    if school_id:
        stmt = stmt.where(Association.school_id == school_id)
    if q and (needle := fold_for_search(q)):
        stmt = stmt.where(Association.search_name.contains(needle, autoescape=True))
    return stmt.order_by(Association.archived_at.is_not(None), Association.name, Association.id)


@prepared
def _public_associations(limit: int):
    return (
        db.select(Association)
        .where(Association.visibility == Visibility.PUBLIC, Association.archived_at.is_(None))
        .options(joinedload(Association.school))
        .order_by(Association.member_count.desc(), Association.name)
        .limit(limit)
    )


@prepared
def _subjects_and_levels_of():
    """(association id, subject or None, level row or None) for the associations :ids: subjects and levels in one
    query (an association's few subjects times its few levels)."""
    return (
        sa.select(Association.id, Subject, AssociationLevel)
        .outerjoin(association_subjects, association_subjects.c.association_id == Association.id)
        .outerjoin(Subject, Subject.id == association_subjects.c.subject_id)
        .outerjoin(AssociationLevel, AssociationLevel.association_id == Association.id)
        .where(Association.id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(Association.id, Subject.name)
    )


@prepared
def _subject_names_and_levels():
    """The subject names (by name) and the levels of :association_id, in one query of plain values."""
    level_type = AssociationLevel.__table__.c.level.type
    names = (
        sa.select(
            sa.literal(0).label("part"),
            Subject.name.label("name"),
            sa.type_coerce(sa.null(), level_type).label("level"),
        )
        .join(association_subjects, association_subjects.c.subject_id == Subject.id)
        .where(association_subjects.c.association_id == sa.bindparam("association_id"))
    )
    levels = sa.select(sa.literal(1), sa.null(), AssociationLevel.level).where(
        AssociationLevel.association_id == sa.bindparam("association_id")
    )
    both = sa.union_all(names, levels).subquery()
    return sa.select(both.c.name, both.c.level).order_by(both.c.part, both.c.name)


def subjects_and_levels(association: Association) -> tuple[tuple[str, ...], tuple[EducationLevel, ...]]:
    """(its subjects' names, its education levels in the levels' order) for the association page, kept per worker
    under the association's change stamp (subjects, levels and subject names raise it)."""

    def load():
        names, levels = [], []
        for name, level in rows(_subject_names_and_levels(), {"association_id": association.id}):
            if level is None:
                names.append(name)
            else:
                levels.append(level)
        return tuple(names), tuple(sorted(levels, key=list(EducationLevel).index))

    return remember("subjects_and_levels", load, association.id, association.content_version)


def with_card_details(associations: list[Association]) -> list[Association]:
    """Subjects and levels of every association of a card list in one query, from a statement built once
    (selectinload builds its statement and cache key anew on every request)."""
    if associations:
        subjects, levels = defaultdict(dict), defaultdict(dict)
        for association_id, subject, level in db.session.execute(
            _subjects_and_levels_of(), {"ids": [a.id for a in associations]}
        ):
            if subject is not None:
                subjects[association_id][subject.id] = subject  # by id: each comes once per level row
            if level is not None:
                levels[association_id][level.level] = level
        for a in associations:
            set_committed_value(a, "subjects", list(subjects[a.id].values()))
            set_committed_value(a, "level_rows", list(levels[a.id].values()))
    return associations


def public_association_cards(limit: int = 6) -> list[tuple]:
    """The cards (`card_values`) of a few open public associations for visitors' home page, the largest first, kept
    per worker under the site's change stamp."""

    def load() -> list[tuple]:
        return [card_values(association, None) for association in public_associations(limit)]

    return remember("public_association_cards", load, *read_site_stamp(), limit)


def public_associations(limit: int = 6) -> list[Association]:
    """A few open public associations for visitors' home page, the largest first."""
    return with_card_details(list(db.session.scalars(_public_associations(limit))))


@prepared
def _people(limit: int):
    """The association page's people in one query: its leaders by name, then the `limit` members who joined last
    (through ix_memberships_recent: a big association's membership is not sorted for a dozen names)."""
    columns = (
        sa.literal(0).label("part"),
        Membership.user_id,
        User.full_name,
        Membership.role,
    )
    active = (Membership.association_id == sa.bindparam("association_id"), Membership.status == MembershipStatus.ACTIVE)
    leaders = (
        sa.select(*columns)
        .join(User, User.id == Membership.user_id)
        .where(*active, Membership.role == MemberRole.LEADER)
        .order_by(User.full_name, Membership.id)
    )
    newest = (
        sa.select(sa.literal(1).label("part"), *columns[1:])
        .join(User, User.id == Membership.user_id)
        .where(*active)
        .order_by(Membership.joined_at.desc(), Membership.id.desc())
        .limit(limit)
    )
    # SQLite takes no ORDER BY/LIMIT inside a compound select: each branch is wrapped in a subquery.
    parts = [sa.select(branch.subquery().c) for branch in (leaders, newest)]
    return sa.union_all(*parts)


@dataclass(frozen=True)
class Person:
    user_id: int
    full_name: str
    role: MemberRole

    @property
    def is_leader(self) -> bool:
        return self.role == MemberRole.LEADER


def people_of(association: Association, limit: int = 12) -> tuple[list[Person], list[Person]]:
    """(its leaders by name, the `limit` members who joined last), for the association page; kept per worker under
    the association's change stamp (memberships and names raise it: app/stamps.py)."""

    def load() -> tuple[list[Person], list[Person]]:
        leaders: list[Person] = []
        newest: list[Person] = []
        for part, user_id, full_name, role in rows(_people(limit), {"association_id": association.id}):
            (leaders if part == 0 else newest).append(Person(user_id, full_name, role))
        return leaders, newest

    return remember("people", load, association.id, association.content_version, limit)


_MEMBER_ORDER = ((Membership.role == MemberRole.LEADER).desc(), User.full_name, Membership.id)


def _members(association_id):
    return (
        db.select(Membership)
        .join(Membership.user)
        .where(Membership.association_id == association_id, Membership.status == MembershipStatus.ACTIVE)
        .options(joinedload(Membership.user).joinedload(User.school))
        .order_by(*_MEMBER_ORDER)
    )


def members(association: Association):
    """Active members, leaders first, then by name, with their schools (for the member list and preview)."""
    return _members(association.id)


def pending_requests(association: Association) -> list[Membership]:
    stmt = (
        db.select(Membership)
        .where(Membership.association_id == association.id, Membership.status == MembershipStatus.PENDING)
        .options(joinedload(Membership.user).joinedload(User.school))
        .order_by(Membership.requested_at, Membership.id)
    )
    return list(db.session.scalars(stmt))


def _open_invitations():
    return db.select(Invitation).where(Invitation.accepted_at.is_(None), Invitation.declined_at.is_(None))


def invitations_sent(association: Association) -> list[Invitation]:
    """Invitations of the association still waiting for an answer, newest first."""
    stmt = (
        _open_invitations()
        .where(Invitation.association_id == association.id)
        .options(joinedload(Invitation.invited_by))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    return list(db.session.scalars(stmt))


@prepared
def _invitations_for():
    return (
        _open_invitations()
        .join(Invitation.association)
        .where(Invitation.email == sa.bindparam("email"), Association.archived_at.is_(None))
        .options(
            joinedload(Invitation.association).options(*_card_loads()),
            joinedload(Invitation.invited_by),
        )
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )


def invitations_for(user) -> list[Invitation]:
    """Open invitations to the user's address in associations that are not archived; no query when the login loader
    found none (`has_open_invitations`)."""
    if g.get("vmk_open_invitations") == (user.id, False):
        return []
    return list(db.session.scalars(_invitations_for(), {"email": user.email}).unique())


def remember_open_invitations(user_id: int, found: bool) -> None:
    """What the login loader's query found for `has_open_invitations`, for `invitations_for` in this request."""
    g.vmk_open_invitations = (user_id, bool(found))


@prepared
def _invitation_for():
    return _open_invitations().where(
        Invitation.association_id == sa.bindparam("association_id"), Invitation.email == sa.bindparam("email")
    )


def invitation_for(user, association: Association) -> Invitation | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(_invitation_for(), {"association_id": association.id, "email": user.email})


@dataclass(frozen=True)
class MyAssociation:
    """One of the user's memberships as the home page lists it."""

    slug: str
    name: str
    kind: AssociationKind
    is_leader: bool
    requested_at: object  # datetime: when a pending request was sent


@prepared
def _home_memberships():
    return (
        sa.select(
            Membership.status,
            Membership.role,
            Membership.requested_at,
            Association.slug,
            Association.name,
            Association.kind,
        )
        .join(Association, Association.id == Membership.association_id)
        .where(Membership.user_id == sa.bindparam("user_id"), Association.archived_at.is_(None))
        .order_by(Association.name, Association.id)
    )


def home_memberships(user) -> tuple[list[MyAssociation], list[MyAssociation]]:
    """(the associations the user is an active member of, by name; their join requests still waiting, newest
    first), as plain values kept per worker under the user's change stamps (memberships raise the user's; names the
    site's): one query on a miss, none on a hit."""

    def load():
        active, pending = [], []
        for status, role, requested_at, slug, name, kind in rows(_home_memberships(), {"user_id": user.id}):
            item = MyAssociation(slug, name, kind, role == MemberRole.LEADER, requested_at)
            if status == MembershipStatus.ACTIVE:
                active.append(item)
            elif status == MembershipStatus.PENDING:
                pending.append(item)
        return active, sorted(pending, key=lambda m: m.requested_at, reverse=True)

    return remember_for_user("home_memberships", user, load)


@prepared
def _request_counts(admin: bool):
    pending = sa.orm.aliased(Membership)
    stmt = (
        db.select(Association, sa.func.count(pending.id))
        .join(pending, pending.association_id == Association.id)
        .where(pending.status == MembershipStatus.PENDING, Association.archived_at.is_(None))
        .group_by(Association.id)
        .order_by(Association.name)
    )
    if not admin:
        led = sa.select(Membership.association_id).where(
            Membership.user_id == sa.bindparam("user_id"),
            Membership.role == MemberRole.LEADER,
            Membership.status == MembershipStatus.ACTIVE,
        )
        stmt = stmt.where(Association.id.in_(led))
    return stmt


def request_counts_for_leader(user) -> list[tuple[Association, int]]:
    """For each association the user leads (or, for an admin, any association), its number of pending requests."""
    admin = is_admin(user)
    if not admin and not any(m.is_leader for m in memberships_of(user).values()):
        return []  # leads nothing: nothing to ask
    rows = db.session.execute(_request_counts(admin), {"user_id": user.id})
    return [(association, count) for association, count in rows]


@prepared
def _leaders_and_admins():
    leads = sa.and_(
        Membership.user_id == User.id,
        Membership.association_id == sa.bindparam("association_id"),
        Membership.role == MemberRole.LEADER,
        Membership.status == MembershipStatus.ACTIVE,
    )
    return (
        sa.select(User.id, Membership.id.is_not(None).label("leads"))
        .outerjoin(Membership, leads)
        .where(User.status == UserStatus.ACTIVE, sa.or_(Membership.id.is_not(None), User.role == Role.ADMIN))
        .order_by(User.id)
    )


def leaders_or_admins(association_id: int) -> list[int]:
    """Ids of whom an association's requests, reports and held posts go to: its active leaders, or the active admins
    when nobody leads it (one query)."""
    found = rows(_leaders_and_admins(), {"association_id": association_id}).all()
    leaders = [user_id for user_id, leads in found if leads]
    return leaders or [user_id for user_id, _leads in found]
