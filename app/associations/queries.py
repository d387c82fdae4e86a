"""The selects that feed association pages, with their eager loads."""

from sqlalchemy.orm import selectinload

from app.associations.models import Association, Membership, MembershipStatus
from app.extensions import db


def my_associations(user) -> list[Membership]:
    """The user's active memberships with their associations, for the home page and profile."""
    stmt = (
        db.select(Membership)
        .join(Membership.association)
        .where(Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE)
        .where(Association.archived_at.is_(None))
        .options(selectinload(Membership.association))
        .order_by(Association.name)
    )
    return list(db.session.scalars(stmt))
