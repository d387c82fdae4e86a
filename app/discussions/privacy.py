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
from app.auth.models import Role, User, UserStatus
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


# --- who may read a thread, as a condition on users (whom to notify) ---------------------------------------------


def active_member(association_id, *extra):
    """The statement's `User` is an active member of the association (`extra`: and more, e.g. its leader)."""
    return sa.exists().where(
        Membership.user_id == User.id,
        Membership.association_id == association_id,
        Membership.status == MembershipStatus.ACTIVE,
        *extra,
    )


def thread_readers(association_id, author_id, *, members_only, private):
    """`policy.can_view_thread` for a shown thread, as a condition on `User`: an active account; in a members-only
    association its members and admins; for a private question its asker, methodists, the association's leaders and
    admins. `members_only` and `private` are Python booleans (a statement built per thread's shape: discussions'
    notices) or SQL expressions (one statement over many threads: consultations' notices and reminders)."""
    conditions = [User.status == UserStatus.ACTIVE]
    if members_only is not False:
        insiders = sa.or_(User.role == Role.ADMIN, active_member(association_id))
        conditions.append(insiders if members_only is True else sa.or_(sa.not_(members_only), insiders))
    if private is not False:
        allowed = sa.or_(User.id == author_id, User.role.in_([Role.METHODIST, Role.ADMIN]),
                         active_member(association_id, Membership.role == MemberRole.LEADER))  # fmt: skip
        conditions.append(allowed if private is True else sa.or_(sa.not_(private), allowed))
    return sa.and_(*conditions)
