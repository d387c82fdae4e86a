"""What the association's leaders hear of: a new report on a post (`report_new`) and a post held for their approval
(`post_held`).

The association's leaders are told; an association without an active leader tells the admins instead (as join
requests do, `associations.services._request_recipients`): admins see every association's queue
(`/moderation`), but the association's own leaders are the ones who act on it, and telling every admin about every
report in the district would drown them. Leaders and admins may read every post of the association, held, hidden
or in a private question, so no other check is needed. The reporter or the author is never told of their own action
(`notify_many` leaves the actor out).
"""

import sqlalchemy as sa

from app.associations.models import MemberRole, Membership, MembershipStatus
from app.auth.models import Role, User, UserStatus
from app.db import prepared, rows
from app.discussions.models import Post
from app.notifications.services import notify_many


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
    )


def moderators_to_tell(association_id: int) -> list[int]:
    """The association's active leaders, or the admins when it has none (one query)."""
    found = rows(_leaders_and_admins(), {"association_id": association_id}).all()
    leaders = [user_id for user_id, leads in found if leads]
    return leaders or [user_id for user_id, _leads in found]


def reported(reporter, report, post: Post) -> None:
    """A member reported a post."""
    thread = post.thread
    notify_many(moderators_to_tell(thread.association_id), "report_new", actor=reporter,
                association_id=thread.association_id, thread_id=thread.id, post_id=post.id,
                report_reason=report.reason.value)  # fmt: skip


def held(post: Post) -> None:
    """A new member's post waits for approval (`discussions.services.HELD_HOOKS`)."""
    thread = post.thread
    notify_many(moderators_to_tell(thread.association_id), "post_held", actor=post.author,
                association_id=thread.association_id, thread_id=thread.id, post_id=post.id)  # fmt: skip
