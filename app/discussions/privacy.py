"""The SQL twins of the private-question rule (`policy.can_view_thread`): a private question is seen by its author,
methodists, the association's leaders and admins, and by nobody else — in no list, count, feed or search result.

`private_visible(user)` is a condition for statements built per request; `private_visible_to_viewer()` takes the
viewer from bound parameters (`thread_viewer_params(user)`) for statements built once (`app.db.prepared`). Feeds and
the visitors' pages use `~Thread.is_private`: they are the same for everyone.
"""

import sqlalchemy as sa

from app import policy
from app.associations.models import MemberRole, Membership, MembershipStatus
from app.associations.queries import viewer_params
from app.discussions.models import Thread


def _led_by(user_id):
    return sa.select(Membership.association_id).where(
        Membership.user_id == user_id,
        Membership.role == MemberRole.LEADER,
        Membership.status == MembershipStatus.ACTIVE,
    )


def sees_every_private_question(user) -> bool:
    """Methodists and admins see private questions in every association they may read."""
    return policy.is_admin(user) or policy.is_methodist(user)


def private_visible(user):
    """Threads the user may see as far as privacy goes (association visibility is checked separately)."""
    if sees_every_private_question(user):
        return sa.true()
    if not policy.is_active_user(user):
        return ~Thread.is_private
    return sa.or_(~Thread.is_private, Thread.author_id == user.id, Thread.association_id.in_(_led_by(user.id)))


def private_visible_to_viewer():
    """`private_visible()` for prebuilt statements: the viewer comes as bound parameters."""
    viewer = sa.bindparam("viewer_id", type_=sa.Integer)
    return sa.or_(
        ~Thread.is_private,
        sa.bindparam("viewer_sees_private", type_=sa.Boolean),
        Thread.author_id == viewer,
        Thread.association_id.in_(_led_by(viewer)),
    )


def thread_viewer_params(user) -> dict:
    """The bound parameters of `visible_to_viewer()` and `private_visible_to_viewer()` for this user."""
    return {**viewer_params(user), "viewer_sees_private": sees_every_private_question(user)}
