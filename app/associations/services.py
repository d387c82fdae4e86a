"""Association verbs. They flush, never commit; the caller commits once."""

import re

import sqlalchemy as sa

from app.associations.models import (
    Association,
    AssociationKind,
    JoinPolicy,
    MemberRole,
    Membership,
    MembershipStatus,
    Visibility,
)
from app.auth.models import User
from app.db import utcnow
from app.directory.models import School, Subject
from app.extensions import db
from app.markup import render_markdown
from app.policy import forget_memberships

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".replace("_", "").split(" "),
        strict=True,
    )
)


def slugify(text: str) -> str:
    """«РМО учителей математики» → "rmo-uchiteley-matematiki"."""
    latin = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]+", "-", latin).strip("-")[:80] or "mo"


def unique_slug(text: str, exclude_id: int | None = None) -> str:
    base = slugify(text)
    slug, n = base, 2
    while db.session.scalar(
        sa.select(Association.id).where(Association.slug == slug, Association.id != (exclude_id or 0))
    ):
        slug, n = f"{base[:75]}-{n}", n + 1
    return slug


def create_association(
    name: str,
    kind: AssociationKind,
    *,
    slug: str | None = None,
    description: str = "",
    visibility: Visibility = Visibility.PUBLIC,
    join_policy: JoinPolicy = JoinPolicy.OPEN,
    school: School | None = None,
    subjects: list[Subject] | tuple = (),
    levels=(),
) -> Association:
    """Create an association; the slug is derived from the name unless given."""
    association = Association(
        name=name.strip(),
        slug=slug or unique_slug(name),
        kind=AssociationKind(kind),
        description=description,
        description_html=render_markdown(description),
        visibility=Visibility(visibility),
        join_policy=JoinPolicy(join_policy),
        school=school,
    )
    association.subjects = list(subjects)
    association.set_levels(levels)
    db.session.add(association)
    db.session.flush()
    return association


def add_member(
    user: User,
    association: Association,
    *,
    role: MemberRole = MemberRole.MEMBER,
    status: MembershipStatus = MembershipStatus.ACTIVE,
) -> Membership:
    """Add (or update) a membership, keeping the association's member count in step, in SQL."""
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user.id, Membership.association_id == association.id)
    )
    was_active = membership is not None and membership.status == MembershipStatus.ACTIVE
    if membership is None:
        membership = Membership(user=user, association=association)
        db.session.add(membership)
    membership.role = MemberRole(role)
    membership.status = MembershipStatus(status)
    if membership.status == MembershipStatus.ACTIVE and membership.joined_at is None:
        membership.joined_at = utcnow()
    db.session.flush()
    _adjust_member_count(association, int(membership.status == MembershipStatus.ACTIVE) - int(was_active))
    forget_memberships()
    return membership


def remove_member(membership: Membership) -> None:
    """Delete a membership (leave, decline, removal), keeping the member count in step."""
    association = membership.association
    was_active = membership.status == MembershipStatus.ACTIVE
    db.session.delete(membership)
    db.session.flush()
    _adjust_member_count(association, -int(was_active))
    forget_memberships()


def _adjust_member_count(association: Association, delta: int) -> None:
    if delta:
        db.session.execute(
            sa.update(Association)
            .where(Association.id == association.id)
            .values(member_count=Association.member_count + delta)
        )
        db.session.refresh(association, ["member_count"])
