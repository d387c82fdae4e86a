"""Hiding a post and showing it again: the one way moderation (a moderator's button, the reports queue, the automatic
hide by reports) changes a post's hidden state.

A hidden post keeps its text for moderators; for everyone else it leaves the thread's reply count and the
association's post count, exactly as a deleted one does, and comes back into them when shown again. Each change is
one conditional UPDATE (the row's own state decides, so a repeated or concurrent request never counts twice), then
the counters in SQL, a line in the moderation log and a notification to the author.

Posts held by pre-moderation are hidden too (`held_at`), but they are approved or rejected, never unhidden here.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from app.associations.models import Association
from app.db import utcnow
from app.discussions.editing import _count_reply
from app.discussions.models import Post, Thread
from app.extensions import db
from app.moderation.log import record
from app.moderation.models import ModerationKind
from app.notifications.services import notify

MAX_REASON = 500


class ModerationError(Exception):
    """The action cannot be done as asked (the message says why, for the user)."""


def clean_reason(reason: str | None) -> str:
    """One line, at most MAX_REASON characters."""
    return " ".join((reason or "").split())[:MAX_REASON]


def is_auto_hidden(post) -> bool:
    """Hidden by reports (nobody's hand), pending a moderator's review; not a post held by pre-moderation."""
    return post.hidden_at is not None and post.hidden_by_id is None and post.held_at is None


def hide_post(actor, post: Post, reason: str) -> bool:
    """Hide a post with a reason shown to its author; `actor=None` is the automatic hide by reports (AUTO_HIDDEN).

    A moderator hiding a post that reports hid automatically takes the hide over (their name and reason; the counters
    do not move). False when nothing changed: already hidden by a moderator, or held by pre-moderation."""
    reason = clean_reason(reason)
    if not reason:
        raise ModerationError(_("Укажите причину: её увидит автор сообщения."))
    actor_id = getattr(actor, "id", None)
    values = {"hidden_at": utcnow(), "hidden_by_id": actor_id, "hidden_reason": reason}
    newly = _update(post, Post.hidden_at.is_(None), values)
    if newly is not None:
        if newly.deleted_at is None:
            _count_post(newly, -1)
    elif actor is None or _update(post, _auto_hidden(), {"hidden_by_id": actor_id, "hidden_reason": reason}) is None:
        return False
    kind = ModerationKind.POST_HIDDEN if actor is not None else ModerationKind.AUTO_HIDDEN
    _record_and_notify(actor, post, kind, "post_hidden", reason=reason)
    return True


def unhide_post(actor, post: Post, reason: str = "") -> bool:
    """Show a hidden post again (not one held by pre-moderation); the reason, if any, goes to the log and the author.
    False when it was not hidden."""
    shown = _update(post, sa.and_(Post.hidden_at.is_not(None), Post.held_at.is_(None)),
                    {"hidden_at": None, "hidden_by_id": None, "hidden_reason": ""})  # fmt: skip
    if shown is None:
        return False
    if shown.deleted_at is None:
        _count_post(shown, +1)
    _record_and_notify(actor, post, ModerationKind.POST_UNHIDDEN, "post_unhidden", reason=clean_reason(reason))
    return True


def _auto_hidden():
    return sa.and_(Post.hidden_at.is_not(None), Post.hidden_by_id.is_(None), Post.held_at.is_(None))


def _update(post: Post, condition, values: dict):
    """Change the post's row if it is in the state `condition` describes; its number, thread and deletion, or None."""
    return db.session.execute(
        sa.update(Post)
        .where(Post.id == post.id, condition)
        .values(**values)
        .returning(Post.number, Post.thread_id, Post.deleted_at)
    ).first()


def _count_post(row, step: int) -> None:
    """A reply leaves (or rejoins) its thread's reply count and the association's post count; an opening post only
    the association's, and only while its thread is counted there (shown, not private)."""
    if row.number > 1:
        _count_reply(row.thread_id, step)
        return
    counted = (
        sa.select(Thread.association_id)
        .where(Thread.id == row.thread_id, Thread.deleted_at.is_(None), Thread.hidden_at.is_(None),
               Thread.is_private.is_(False))
        .scalar_subquery()
    )  # fmt: skip
    db.session.execute(
        sa.update(Association).where(Association.id == counted).values(post_count=Association.post_count + step)
    )


def _record_and_notify(actor, post: Post, kind: ModerationKind, notice: str, *, reason: str = "") -> None:
    db.session.flush()
    db.session.expire(post)
    thread = post.thread
    db.session.expire(thread)
    record(actor, kind, post=post, user=post.author, reason=reason)
    notify(post.author, notice, actor=actor, association_id=thread.association_id, thread_id=thread.id,
           post_id=post.id, thread_title=thread.title, post_number=post.number, reason=reason)  # fmt: skip
