"""Writing the moderation log: every moderation service records what it did through `record`."""

from app.extensions import db
from app.moderation.models import ModerationAction, ModerationKind


def record(actor, kind: ModerationKind, *, association_id=None, thread=None, post=None, user=None, reason: str = "",
           details: str = "") -> ModerationAction:  # fmt: skip
    """One line of the log; the association is the thread's or the post's when not given."""
    if association_id is None:
        source = thread if thread is not None else (post.thread if post is not None else None)
        association_id = source.association_id if source is not None else None
    action = ModerationAction(
        association_id=association_id, actor_id=getattr(actor, "id", None), kind=kind,
        thread_id=getattr(thread, "id", None) if thread is not None else getattr(post, "thread_id", None),
        post_id=getattr(post, "id", None), user_id=getattr(user, "id", None), reason=(reason or "").strip()[:500],
        details=(details or "")[:500],
    )  # fmt: skip
    db.session.add(action)
    return action
