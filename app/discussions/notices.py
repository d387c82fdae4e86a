"""Who hears of what happens in discussions: a new thread, a reply, an @mention, a «Полезно».

Each event reads its recipients with one statement, already reduced to what each may see and to the most specific
reason each has (an @mention beats an answer to one's post, which beats watching the thread), and then makes one
`notifications.services.notify_many` call per kind: the cost does not grow with the number of recipients.

Who may see a thread is `policy.can_view_thread` turned around, as a condition on users (`_may_see`): active
accounts; in a members-only association its active members and admins; a private question only its author,
methodists, the association's leaders and admins. Nothing is said about a hidden, held or deleted post or thread: a
held post is told about when a leader approves it (pre-moderation runs the same hooks then).

Reached through discussions' hook lists (`services.THREAD_HOOKS`, `services.REPLY_HOOKS`, `editing.EDIT_HOOKS`,
registered by `init_app`) and called by `engagement.set_useful` (a mark, and a mark taken back).
"""

import sqlalchemy as sa

from app.associations.models import Membership, MembershipStatus, Visibility
from app.auth.models import User
from app.db import UTCDateTime, prepared, rows
from app.discussions.models import (
    AssociationWatch,
    Mention,
    Post,
    Reaction,
    Thread,
    ThreadKind,
    ThreadReader,
    WatchLevel,
)
from app.discussions.privacy import thread_readers
from app.extensions import db
from app.notifications.kinds import Delivery
from app.notifications.models import Notification
from app.notifications.services import lower_unread_count, notify_many

# Why someone hears of a post, most specific first: each recipient is told once, for the smallest rank they have.
MENTIONED, ANSWERED, WATCHING, TRACKING = 0, 1, 2, 3  # a reply
MEMBER = 1  # a new announcement: every member, unless they muted the association (then WATCHING: thread_new)


# Other features that tell some people about a post more specifically register `claim(post) -> user ids` here
# (`THREAD_CLAIMS`: `claim(thread)`): discussions leave those people out, so each person gets one notice per post.
# Consultations claims the asker of a question a methodist answers (`question_answered`) and the methodists a new
# question is for (`question_new`).
REPLY_CLAIMS: list = []
THREAD_CLAIMS: list = []


def _claimed(claims: list, subject) -> set[int]:
    claimed: set[int] = set()
    for claim in claims:
        claimed |= set(claim(subject))
    return claimed


def _unclaimed(ranked: dict[int, list[int]], claimed: set[int]) -> dict[int, list[int]]:
    if not claimed:
        return ranked
    return {rank: [user_id for user_id in users if user_id not in claimed] for rank, users in ranked.items()}


def init_app(app) -> None:
    """Register the hooks (idempotent: create_app may run many times)."""
    from app.discussions import editing, services

    for hooks, hook in ((services.THREAD_HOOKS, on_thread), (services.REPLY_HOOKS, on_reply),
                        (editing.EDIT_HOOKS, on_edit)):  # fmt: skip
        if hook not in hooks:
            hooks.append(hook)


# --- the events ---------------------------------------------------------------------------------------------------


def on_reply(post: Post) -> None:
    """A reply is shown (posted, or approved): the mentioned, the author of the answered post, the thread's and the
    association's watchers, and (for the digest) those who track the thread; not those who muted it."""
    thread = post.thread
    if not (post.is_visible and thread.is_visible):
        return
    found = rows(_reply_recipients(*_shape(thread)),
                 {**_params(thread), "post_id": post.id, "reply_to_id": post.reply_to_id})  # fmt: skip
    ranked = _unclaimed(_by_rank(found), _claimed(REPLY_CLAIMS, post))
    where = {"actor": post.author, "association_id": thread.association_id, "thread_id": thread.id,
             "post_id": post.id}  # fmt: skip
    notify_many(ranked[MENTIONED], "mention", **where)
    notify_many(ranked[ANSWERED], "post_reply", **where)
    notify_many(ranked[WATCHING], "thread_reply", **where)
    notify_many(ranked[TRACKING], "thread_reply", at_most=Delivery.DIGEST, **where)


def on_thread(thread: Thread, details: dict) -> None:
    """A thread is shown (opened, or approved): those its opening post mentions; for an announcement every member who
    did not mute the association; those watching the association (`thread_new`)."""
    if not thread.is_visible:
        return
    announcement = thread.kind == ThreadKind.ANNOUNCEMENT
    found = rows(_thread_recipients(*_shape(thread), announcement), _params(thread)).all()
    if not found:
        return
    ranked = _unclaimed(_by_rank(found), _claimed(THREAD_CLAIMS, thread))
    # About the opening post, so that the inbox and the e-mail quote it.
    opening = rows(_opening_post(), {"thread_id": thread.id}).scalar()
    where = {"actor": thread.author, "association_id": thread.association_id, "thread_id": thread.id,
             "post_id": opening}  # fmt: skip
    notify_many(ranked[MENTIONED], "mention", **where)
    notify_many(ranked[MEMBER], "announcement", **where)
    notify_many(ranked[WATCHING], "thread_new", **where)


def on_edit(actor: User, post: Post) -> None:
    """An edit named members the post did not name before (`editing._record_new_mentions`): they are told."""
    thread = post.thread
    if not (post.is_visible and thread.is_visible) or post.edited_at is None:
        return
    found = rows(_new_mentions(*_shape(thread)), {**_params(thread), "post_id": post.id, "since": post.edited_at})
    notify_many([user_id for user_id, _rank in found], "mention", actor=actor, association_id=thread.association_id,
                thread_id=thread.id, post_id=post.id)  # fmt: skip


def on_useful(user: User, post: Post) -> None:
    """`user` marked the post «Полезно»: its author is told (one notification per post, counting the colleagues)."""
    thread = post.thread
    if post.author_id is None or not (post.is_visible and thread.is_visible):
        return
    authors = rows(_author_may_see(*_shape(thread)), {**_params(thread), "post_id": post.id}).scalars().all()
    notify_many(authors, "post_useful", actor=user, association_id=thread.association_id, thread_id=thread.id,
                post_id=post.id)  # fmt: skip


def on_useful_taken_back(user: User, post: Post) -> None:
    """`user` took their «Полезно» back: the author's unread notice counts one colleague fewer, and goes when it
    counted only them (as Discourse takes back a like's notification)."""
    recount_useful(post.id)


def recount_useful(post_id: int) -> None:
    """Each unread «Полезно» notice of the post counts the colleagues whose marks stand and were made since its reader
    last read one, and names the latest of them; a notice with none left is deleted and the bell lowered."""
    for notice_id, user_id, left, latest in rows(_useful_left(), {"post_id": post_id}).all():
        if left:
            db.session.execute(
                sa.update(Notification).where(Notification.id == notice_id).values(count=left, actor_id=latest)
            )
            continue
        db.session.execute(sa.delete(Notification).where(Notification.id == notice_id))
        lower_unread_count(db.session.get(User, user_id), 1)


@prepared
def _useful_left():
    notices, earlier = Notification.__table__, Notification.__table__.alias("earlier")
    last_read = (
        sa.select(sa.func.max(earlier.c.read_at))
        .where(earlier.c.user_id == notices.c.user_id, earlier.c.kind == "post_useful",
               earlier.c.post_id == notices.c.post_id, earlier.c.read_at.is_not(None))
        .scalar_subquery()
    )  # fmt: skip
    standing = sa.and_(
        Reaction.post_id == notices.c.post_id,
        Reaction.user_id != notices.c.user_id,
        sa.or_(last_read.is_(None), Reaction.created_at > last_read),
    )
    left = sa.select(sa.func.count()).select_from(Reaction).where(standing).scalar_subquery()
    latest = sa.select(Reaction.user_id).where(standing).order_by(Reaction.created_at.desc()).limit(1)
    return sa.select(notices.c.id, notices.c.user_id, left, latest.scalar_subquery()).where(
        notices.c.kind == "post_useful", notices.c.post_id == _param("post_id"), notices.c.read_at.is_(None)
    )


# --- the statements -----------------------------------------------------------------------------------------------


def _shape(thread: Thread) -> tuple[bool, bool]:
    """What the visibility condition needs to check: (members-only association, private question)."""
    return thread.association.visibility != Visibility.PUBLIC, bool(thread.is_private)


def _params(thread: Thread) -> dict:
    return {"thread_id": thread.id, "association_id": thread.association_id, "thread_author_id": thread.author_id}


def _by_rank(found) -> dict[int, list[int]]:
    ranked: dict[int, list[int]] = {MENTIONED: [], ANSWERED: [], WATCHING: [], TRACKING: []}
    for user_id, rank in found:
        ranked[rank].append(user_id)
    return ranked


def _param(name: str, type_=None):
    return sa.bindparam(name, type_=type_ or sa.Integer())


def _rank(rank: int):
    return sa.literal_column(str(int(rank)), sa.Integer)


def _may_see(members_only: bool, private: bool):
    """Users who may read the thread of the statement's bound parameters (`privacy.thread_readers`)."""
    return thread_readers(_param("association_id"), _param("thread_author_id"), members_only=members_only,
                          private=private)  # fmt: skip


def _best(reasons, members_only: bool, private: bool):
    """Each user among `reasons` (user_id, rank) who may see the thread, with their most specific rank."""
    return (
        sa.select(reasons.c.user_id, sa.func.min(reasons.c.rank))
        .join(User, User.id == reasons.c.user_id)
        .where(_may_see(members_only, private))
        .group_by(reasons.c.user_id)
    )


@prepared
def _reply_recipients(members_only: bool, private: bool):
    thread_id = _param("thread_id")
    muted = sa.select(ThreadReader.user_id).where(
        ThreadReader.thread_id == thread_id, ThreadReader.level == WatchLevel.MUTED
    )
    level = sa.case((ThreadReader.level == WatchLevel.WATCHING, _rank(WATCHING)), else_=_rank(TRACKING))
    reasons = sa.union_all(
        sa.select(Mention.user_id.label("user_id"), _rank(MENTIONED).label("rank")).where(
            Mention.post_id == _param("post_id")
        ),
        sa.select(Post.author_id, _rank(ANSWERED)).where(Post.id == _param("reply_to_id")),
        sa.select(ThreadReader.user_id, level).where(
            ThreadReader.thread_id == thread_id, ThreadReader.level.in_([WatchLevel.WATCHING, WatchLevel.TRACKING])
        ),
        sa.select(AssociationWatch.user_id, _rank(WATCHING)).where(
            AssociationWatch.association_id == _param("association_id"),
            AssociationWatch.level == WatchLevel.WATCHING,
            AssociationWatch.user_id.not_in(muted),
        ),
    ).subquery()
    return _best(reasons, members_only, private)


@prepared
def _thread_recipients(members_only: bool, private: bool, announcement: bool):
    association_id = _param("association_id")
    branches = [
        sa.select(Mention.user_id.label("user_id"), _rank(MENTIONED).label("rank"))
        .join(Post, Post.id == Mention.post_id)
        .where(Post.thread_id == _param("thread_id"), Post.number == 1),
        sa.select(AssociationWatch.user_id, _rank(WATCHING)).where(
            AssociationWatch.association_id == association_id, AssociationWatch.level == WatchLevel.WATCHING
        ),
    ]
    if announcement:
        muted = sa.select(AssociationWatch.user_id).where(
            AssociationWatch.association_id == association_id, AssociationWatch.level == WatchLevel.MUTED
        )
        branches.append(
            sa.select(Membership.user_id, _rank(MEMBER)).where(
                Membership.association_id == association_id,
                Membership.status == MembershipStatus.ACTIVE,
                Membership.user_id.not_in(muted),
            )
        )
    return _best(sa.union_all(*branches).subquery(), members_only, private)


@prepared
def _new_mentions(members_only: bool, private: bool):
    """Mentions the latest edit recorded: written (at its flush) no earlier than the post's `edited_at`."""
    reasons = (
        sa.select(Mention.user_id.label("user_id"), _rank(MENTIONED).label("rank"))
        .where(Mention.post_id == _param("post_id"), Mention.created_at >= _param("since", UTCDateTime()))
        .subquery()
    )
    return _best(reasons, members_only, private)


@prepared
def _author_may_see(members_only: bool, private: bool):
    return (
        sa.select(User.id)
        .join(Post, Post.author_id == User.id)
        .where(Post.id == _param("post_id"), _may_see(members_only, private))
    )


@prepared
def _opening_post():
    return sa.select(Post.id).where(Post.thread_id == _param("thread_id"), Post.number == 1)
