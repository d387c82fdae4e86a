"""What the association's leaders hear of: a new report on a post (`report_new`) and a post held for their approval
(`post_held`).

The association's leaders are told; an association without an active leader tells the admins instead (as join
requests do: `associations.queries.leaders_or_admins`): admins see every association's queue
(`/moderation`), but the association's own leaders are the ones who act on it, and telling every admin about every
report in the district would drown them. Leaders and admins may read every post of the association, held, hidden
or in a private question, so no other check is needed. The reporter or the author is never told of their own action
(`notify_many` leaves the actor out).
"""

from app.associations.queries import leaders_or_admins
from app.discussions.models import Post
from app.notifications.services import notify_many


def reported(reporter, report, post: Post) -> None:
    """A member reported a post."""
    thread = post.thread
    notify_many(leaders_or_admins(thread.association_id), "report_new", actor=reporter,
                association_id=thread.association_id, thread_id=thread.id, post_id=post.id,
                report_reason=report.reason.value)  # fmt: skip


def held(post: Post) -> None:
    """A new member's post waits for approval (`discussions.services.HELD_HOOKS`)."""
    thread = post.thread
    notify_many(leaders_or_admins(thread.association_id), "post_held", actor=post.author,
                association_id=thread.association_id, thread_id=thread.id, post_id=post.id)  # fmt: skip
