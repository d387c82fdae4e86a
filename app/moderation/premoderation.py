"""Pre-moderation: an association may hold the first N posts of each new member for a leader's approval.

Discussions writes a held post (or a held new thread with its opening post) hidden, with `held_at`, out of every
counter and hook (discussions.services.HOLD_CHECKS, where `holds` is registered). Approving publishes it as if it had
just been written at its original time: the counters move in SQL, the thread's and the association's latest activity
move only if it is the newest, and the hooks creation would have run run now. Rejecting keeps it hidden with the
reason, which its author sees. Both are conditional UPDATEs on the held state, so a second click changes nothing.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import contains_eager, joinedload

from app import policy
from app.associations.models import Association
from app.associations.services import InvalidState
from app.db import UTCDateTime, prepared, rows
from app.discussions import services as discussions
from app.discussions.models import Post, Thread
from app.extensions import db
from app.moderation.log import record
from app.moderation.models import ModerationKind
from app.moderation.posts import clean_reason
from app.notifications.services import notify

MAX_HELD_POSTS = 20  # the most a leader may hold of each new member
QUEUE_LIMIT = 50  # held posts shown at once, oldest first


# --- the setting and the hold -------------------------------------------------------------------------------------


def describe(posts: int) -> str:
    """The setting in words: «выключена» or «3 сообщения нового участника»."""
    if not posts:
        return _("выключена")
    return ngettext("%(num)d сообщение нового участника", "%(num)d сообщений нового участника", posts)


def set_premoderation(actor, association: Association, posts: int) -> bool:
    """Hold the first `posts` posts of each new member (0: off); False when the setting was already that."""
    if not 0 <= posts <= MAX_HELD_POSTS:
        raise InvalidState(_("Укажите число от 0 до %(max)d.", max=MAX_HELD_POSTS))
    before = association.premoderation_posts
    if before == posts:
        return False
    association.premoderation_posts = posts
    db.session.flush()
    record(actor, ModerationKind.PREMODERATION, association_id=association.id,
           details=f"{describe(before)} → {describe(posts)}")  # fmt: skip
    return True


@prepared
def _approved_posts():
    """The author's shown posts in the association, counted only up to `enough`: the hold needs no more."""
    shown = (
        sa.select(sa.literal(1))
        .select_from(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Thread.association_id == sa.bindparam("association_id"),
            Post.author_id == sa.bindparam("author_id"),
            Post.hidden_at.is_(None),  # held, rejected or hidden posts are not approved ones
            Post.deleted_at.is_(None),
        )
        .limit(sa.bindparam("enough", type_=sa.Integer))
        .subquery()
    )
    return sa.select(sa.func.count()).select_from(shown)


def approved_posts(author, association: Association, enough: int) -> int:
    """How many of the author's posts in the association are shown (approved, not hidden or deleted), up to
    `enough`: one query."""
    params = {"association_id": association.id, "author_id": author.id, "enough": enough}
    return rows(_approved_posts(), params).scalar_one()


def holds(author, association: Association) -> bool:
    """A new member's post waits for approval: one whose shown posts here are fewer than the setting. Leaders,
    methodists and admins are never held."""
    needed = association.premoderation_posts
    if not needed or policy.is_admin(author) or policy.is_methodist(author) or policy.is_leader(author, association):
        return False
    return approved_posts(author, association, needed) < needed


# --- approving and rejecting --------------------------------------------------------------------------------------


def approve_post(actor, post: Post) -> bool:
    """Publish a held post (a held thread with its opening post) with its original time and number; False when it
    was not held any more (or was deleted meanwhile)."""
    shown = _approve_thread(post) if post.number == 1 else _approve_reply(post)
    if not shown:
        return False
    _reload(post)
    if post.number == 1:
        for hook in discussions.THREAD_HOOKS:
            hook(post.thread, {})
    else:
        for hook in discussions.REPLY_HOOKS:
            hook(post)
    _record_and_notify(actor, post, ModerationKind.POST_APPROVED, "post_approved")
    return True


def reject_post(actor, post: Post, reason: str) -> bool:
    """Refuse a held post: it stays hidden, with the reason its author sees; False when it was not held any more."""
    reason = clean_reason(reason)
    if not reason:
        raise InvalidState(_("Укажите причину: её увидит автор сообщения."))
    values = {"held_at": None, "hidden_by_id": getattr(actor, "id", None), "hidden_reason": reason}
    if post.number == 1:
        done = _update(Thread, post.thread_id, values, Thread.id)
        if done is not None:
            _update(Post, post.id, values, Post.id, held=False)
    else:
        done = _update(Post, post.id, values, Post.id)
    if done is None:
        return False
    _reload(post)
    _record_and_notify(actor, post, ModerationKind.POST_REJECTED, "post_rejected", reason=reason)
    return True


def _update(model, row_id: int, values: dict, *returning, held: bool = True):
    """Change a thread's or a post's row while it is held and not deleted; what `returning` asks, or None."""
    condition = [model.id == row_id, model.deleted_at.is_(None)]
    if held:
        condition.append(model.held_at.is_not(None))
    stmt = sa.update(model).where(*condition).values(**values).returning(*returning)
    return db.session.execute(stmt).first()


_SHOWN = {"held_at": None, "hidden_at": None}


def _approve_reply(post: Post) -> bool:
    row = _update(Post, post.id, _SHOWN, Post.created_at, Post.author_id)
    if row is None:
        return False
    at = sa.literal(row.created_at, UTCDateTime())
    newest = Thread.last_posted_at <= at
    thread = db.session.execute(
        sa.update(Thread)
        .where(Thread.id == post.thread_id)
        .values(
            reply_count=Thread.reply_count + 1,
            last_posted_at=sa.case((newest, at), else_=Thread.last_posted_at),
            last_poster_id=sa.case((newest, row.author_id), else_=Thread.last_poster_id),
        )
        .returning(Thread.association_id, Thread.deleted_at, Thread.hidden_at, Thread.is_private)
    ).one()
    # A hidden, deleted or private thread's posts are out of the association's counts (discussions.editing).
    if thread.deleted_at is None and thread.hidden_at is None and not thread.is_private:
        discussions.count_in_association(thread.association_id, posts=1, at=row.created_at, forward=True)
    return True


def _approve_thread(opening: Post) -> bool:
    row = _update(Thread, opening.thread_id, _SHOWN, Thread.association_id, Thread.is_private, Thread.last_posted_at)
    if row is None:
        return False
    _update(Post, opening.id, _SHOWN, Post.id, held=False)
    if not row.is_private:
        shown_posts = (
            sa.select(sa.func.count(Post.id))
            .where(Post.thread_id == opening.thread_id, Post.deleted_at.is_(None), Post.hidden_at.is_(None))
            .scalar_subquery()
        )
        discussions.count_in_association(
            row.association_id, threads=1, posts=shown_posts, at=row.last_posted_at, forward=True
        )
    return True


def _reload(post: Post) -> None:
    """The rows changed in SQL: the objects in the session read them again."""
    db.session.flush()
    db.session.expire(post.thread)
    db.session.expire(post)


def _record_and_notify(actor, post: Post, kind: ModerationKind, notice: str, *, reason: str = "") -> None:
    thread = post.thread
    record(actor, kind, post=post, user=post.author, reason=reason)
    notify(post.author, notice, actor=actor, association_id=thread.association_id, thread_id=thread.id,
           post_id=post.id, thread_title=thread.title, post_number=post.number, reason=reason)  # fmt: skip


# --- the queue ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldPosts:
    posts: list[Post]  # oldest first, with their thread, its association and their author loaded
    more: bool  # more are waiting than are shown


def held_posts(association: Association | None = None, limit: int = QUEUE_LIMIT) -> HeldPosts:
    """Posts waiting for approval in the association (every association's, when None): one query."""
    stmt = (
        sa.select(Post)
        .join(Post.thread)
        .join(Thread.association)
        .where(Post.held_at.is_not(None), Post.deleted_at.is_(None), Thread.deleted_at.is_(None))
        .options(contains_eager(Post.thread).contains_eager(Thread.association), joinedload(Post.author))
        .order_by(Post.created_at, Post.id)
        .limit(limit + 1)
    )
    if association is not None:
        stmt = stmt.where(Thread.association_id == association.id)
    found = list(db.session.scalars(stmt))
    return HeldPosts(found[:limit], len(found) > limit)
