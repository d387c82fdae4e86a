"""Thread and post verbs. They flush, never commit; the caller commits once.

Counters (post numbers, reply counts, last activity on threads and associations) are changed in SQL in the same
transaction as the post: `UPDATE … SET n = n + 1 RETURNING n` takes the thread's row lock on PostgreSQL, so
concurrent replies get distinct numbers and exact counts.
"""

import functools
import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.associations.models import Association, Membership, MembershipStatus
from app.auth.models import User
from app.db import UTCDateTime, dialect_insert, prepared, utcnow
from app.discussions.models import Mention, Post, Tag, Thread, ThreadKind, ThreadReader, WatchLevel
from app.extensions import db
from app.markup import find_mentions, mention_key, render_markdown

MAX_TAGS = 5
MAX_REPLY_DEPTH = 4  # deeper answers are shown at this depth, still saying whom they answer


# Features built on discussions (consultations) act on new threads and replies in the same transaction: each hook is
# called with the thread (after it is flushed) and the `details` the form gave for its kind, or with the new reply;
# one may raise DiscussionError to refuse it (the route rolls the whole request back). Discussions itself knows
# nothing of them.
THREAD_HOOKS: list = []
REPLY_HOOKS: list = []
# Moderation's say before a post is written: a check(author, thread) raises DiscussionError to refuse a reply (slow
# mode); a hold(author, association) returns True to hold a new thread or reply for a leader's approval
# (pre-moderation). A held post is hidden (`hidden_at` and `held_at` both set) and stays out of every counter and
# list, and out of REPLY_HOOKS, until it is approved (a held thread does get its THREAD_HOOKS: a question keeps its
# subject and level).
REPLY_CHECKS: list = []
HOLD_CHECKS: list = []
# Told of each post held for approval (a new thread's opening post, or a reply), once it is flushed: moderation tells
# the association's leaders.
HELD_HOOKS: list = []


def _held(author: User, association) -> bool:
    return any(hold(author, association) for hold in HOLD_CHECKS)


class DiscussionError(Exception):
    """A domain error with a message fit to show the user."""


def normalize_tag(raw: str) -> str:
    return re.sub(r"\s+", " ", raw.strip().lower().replace("ё", "е").lstrip("#"))[:40]


def parse_tags(raw: str | list[str]) -> list[str]:
    """«ФГОС, ВПР ,  5 класс» → ["фгос", "впр", "5 класс"], duplicates and empties dropped."""
    items = raw.split(",") if isinstance(raw, str) else raw
    return list(dict.fromkeys(tag for tag in (normalize_tag(item) for item in items) if tag))


def get_or_create_tags(names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in db.session.scalars(sa.select(Tag).where(Tag.name.in_(names)))} if names else {}
    tags = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            tag = Tag(name=name)
            db.session.add(tag)
        tags.append(tag)
    return tags


def url_domain(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def find_submitted(author: User, submission_token: str | None) -> Post | None:
    """The post an identical earlier submission of the same form already created (double submit)."""
    if not submission_token:
        return None
    return db.session.scalar(
        sa.select(Post).where(Post.author_id == author.id, Post.submission_token == submission_token)
    )


def _once_per_submission(made_by):
    """The same form sent twice at once: both requests pass `find_submitted`, the second then loses the race on the
    unique (author, submission_token) and, instead of failing, returns what the first one made (`made_by(post)`)."""

    def decorate(create):
        @functools.wraps(create)
        def create_once(author: User, target, **kwargs):
            if not kwargs.get("submission_token"):
                return create(author, target, **kwargs)
            try:
                with db.session.begin_nested():
                    return create(author, target, **kwargs)
            except IntegrityError:
                if (earlier := find_submitted(author, kwargs["submission_token"])) is None:
                    raise
                return made_by(earlier)

        return create_once

    return decorate


@_once_per_submission(lambda post: post.thread)
def create_thread(
    author: User,
    association: Association,
    *,
    title: str,
    body: str,
    kind: ThreadKind = ThreadKind.DISCUSSION,
    tags: list[str] | str = (),
    url: str | None = None,
    experience_grade: str = "",
    experience_method: str = "",
    submission_token: str | None = None,
    details: dict | None = None,
    private: bool = False,
) -> Thread:
    """Open a thread with its first post; the author watches it. A repeated submission returns the first thread.
    `details` are handed to THREAD_HOOKS (a question's subject and level, for consultations). Only a question may be
    private; a private thread stays out of the association's counters (they are what every reader sees)."""
    if (earlier := find_submitted(author, submission_token)) is not None:
        return earlier.thread
    names = parse_tags(tags)
    if len(names) > MAX_TAGS:
        raise DiscussionError(_("Не больше %(n)d меток.", n=MAX_TAGS))
    if private and ThreadKind(kind) != ThreadKind.QUESTION:
        raise DiscussionError(_("Скрыть от участников можно только вопрос."))
    now = utcnow()
    held = _held(author, association)
    thread = Thread(
        association=association,
        author=author,
        kind=ThreadKind(kind),
        title=title.strip(),
        url=url or None,
        url_domain=url_domain(url) if url else None,
        experience_grade=experience_grade.strip(),
        experience_method=experience_method.strip(),
        created_at=now,
        last_posted_at=now,
        last_poster=author,
        post_count=1,
        is_private=private,
        hidden_at=now if held else None,
        held_at=now if held else None,
    )
    thread.tags = get_or_create_tags(names)
    db.session.add(thread)
    db.session.flush()
    body_html, mentioned = render_post_body(association.id, body)
    post = Post(thread=thread, number=1, author=author, body=body, body_html=body_html, tree_path=tree_key(1),
                submission_token=submission_token, created_at=now, hidden_at=thread.hidden_at,
                held_at=thread.held_at)  # fmt: skip
    db.session.add(post)
    _record_mentions(post, mentioned)
    if not private and not held:
        count_in_association(association.id, threads=1, posts=1, at=now)
    set_watch_level(author, thread, WatchLevel.WATCHING).last_read_number = 1
    db.session.flush()
    # Held or not: a question keeps the details it was asked with (consultations' lists leave hidden threads out).
    for hook in THREAD_HOOKS:
        hook(thread, details or {})
    if held:
        for hook in HELD_HOOKS:
            hook(post)
    return thread


def tree_key(number: int) -> str:
    """A post number as fixed-width text, so that paths of numbers sort as text."""
    return f"{number:010d}"


def place_in_tree(number: int, reply_to: Post | None) -> tuple[int, str]:
    """A new post's nesting depth and its path in the tree view (`Post.tree_path`, sorted as text).

    The opening post, posts answering nothing and answers to the opening post are roots: path = their number. An
    answer goes under what it answers (the parent's path, then its number), so a conversation stays together in
    time order at every level. Below MAX_REPLY_DEPTH an answer is placed beside its parent instead, at the depth it
    is shown with (it still says whom it answers); paths therefore stay short and a thread of any length is one
    indexed ORDER BY."""
    if reply_to is None or reply_to.number == 1:
        return 0, tree_key(number)
    if reply_to.depth < MAX_REPLY_DEPTH:
        return reply_to.depth + 1, f"{reply_to.tree_path}/{tree_key(number)}"
    return reply_to.depth, f"{reply_to.tree_path.rsplit('/', 1)[0]}/{tree_key(number)}"


@_once_per_submission(lambda post: post)
def create_reply(
    author: User,
    thread: Thread,
    *,
    body: str,
    reply_to: Post | None = None,
    submission_token: str | None = None,
) -> Post:
    """Add a reply; numbers and counters change in SQL. A repeated submission returns the first reply."""
    if (earlier := find_submitted(author, submission_token)) is not None:
        return earlier
    if reply_to is not None and reply_to.thread_id != thread.id:
        raise DiscussionError(_("Можно отвечать только на сообщения этой темы."))
    for check in REPLY_CHECKS:
        check(author, thread)
    # Render before taking the thread's row lock: concurrent repliers wait only for the counter update.
    body_html, mentioned = render_post_body(thread.association_id, body)
    now = utcnow()
    held = _held(author, thread.association)
    # A held reply takes its number now (numbers are never reused) but is not counted or shown as the latest.
    shown = {} if held else {"reply_count": Thread.reply_count + 1, "last_posted_at": now, "last_poster_id": author.id}
    number = db.session.execute(
        sa.update(Thread)
        .where(Thread.id == thread.id)
        .values(post_count=Thread.post_count + 1, **shown)
        .returning(Thread.post_count)
    ).scalar_one()
    depth, path = place_in_tree(number, reply_to)
    post = Post(
        thread_id=thread.id, number=number, author=author, reply_to=reply_to, depth=depth, tree_path=path, body=body,
        body_html=body_html, submission_token=submission_token, created_at=now, hidden_at=now if held else None,
        held_at=now if held else None,
    )  # fmt: skip
    db.session.add(post)
    _record_mentions(post, mentioned)
    if not thread.is_private and not held:
        count_in_association(thread.association_id, posts=1, at=now)
    reader = _reader(author, thread)
    if reader is None or reader.level == WatchLevel.NORMAL:
        reader = set_watch_level(author, thread, WatchLevel.TRACKING)
    reader.last_read_number = max(reader.last_read_number or 0, number)  # one's own post is read
    db.session.flush()
    db.session.refresh(thread, ["post_count", "reply_count", "last_posted_at", "last_poster_id"])
    for hook in HELD_HOOKS if held else REPLY_HOOKS:
        hook(post)
    return post


def mentioned_members(association_id: int, body: str) -> list[User]:
    """Active members of the association named in the text as @[Фамилия Имя Отчество] (case and ё ignored)."""
    keys = find_mentions(body)
    if not keys:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.association_id == association_id,
                Membership.status == MembershipStatus.ACTIVE,
                User.search_name.in_(keys),
            )
        )
    )


def render_post_body(association_id: int, body: str) -> tuple[str, list[User]]:
    """The stored HTML of a post, its @mentions of members linked to their profiles, and who was mentioned."""
    members = mentioned_members(association_id, body)
    links = {mention_key(user.full_name): f"/users/{user.id}" for user in members}
    return render_markdown(body, mentions=links), members


def _record_mentions(post: Post, users: list[User]) -> None:
    db.session.flush()  # the post's id
    for user in users:
        if user.id != post.author_id:
            db.session.add(Mention(post_id=post.id, user_id=user.id))


def count_in_association(association_id: int, *, threads: int = 0, posts: int = 0, at=None, forward=False) -> None:
    """The association's counters grow (or shrink) in SQL; its latest activity becomes `at` — the newest post's time,
    as the thread's own (written in the order of the threads' row locks) — or, with `forward`, moves only forward (a
    post approved later keeps its own, older time)."""
    values = {
        "thread_count": Association.thread_count + threads,
        "post_count": Association.post_count + posts,
    }
    if at is not None and forward:
        at = sa.literal(at, UTCDateTime())
        newer = sa.or_(Association.last_posted_at.is_(None), Association.last_posted_at < at)
        values["last_posted_at"] = sa.case((newer, at), else_=Association.last_posted_at)
    elif at is not None:
        values["last_posted_at"] = at
    db.session.execute(sa.update(Association).where(Association.id == association_id).values(**values))


def _reader(user: User, thread: Thread) -> ThreadReader | None:
    return db.session.get(ThreadReader, (user.id, thread.id))


def _watch_level(user: User, thread: Thread) -> WatchLevel:
    reader = _reader(user, thread)
    return reader.level if reader is not None else WatchLevel.NORMAL


def mark_read(user: User, thread: Thread, *, number: int, reader: ThreadReader | None) -> None:
    """Remember the user has seen the thread up to post `number` (never moves back): one INSERT or UPDATE.

    `reader` is the user's read state as already loaded with the page (None when they have none yet).
    """
    params = {"reader_id": user.id, "read_thread_id": thread.id, "read_number": number}
    if reader is None:
        dialect = db.session.get_bind().dialect.name
        db.session.connection().execute(_first_read(dialect), {**params, "read_at": utcnow()})
    elif reader.last_read_number < number:
        db.session.connection().execute(_read_further(), params)


# Run on the connection: with a dict of values the ORM would take these for a bulk operation by primary key.
@prepared
def _first_read(dialect: str):
    table = ThreadReader.__table__
    insert = dialect_insert(table, dialect).values(
        user_id=sa.bindparam("reader_id"),
        thread_id=sa.bindparam("read_thread_id"),
        level=WatchLevel.NORMAL,
        last_read_number=sa.bindparam("read_number"),
        updated_at=sa.bindparam("read_at"),
    )
    return insert.on_conflict_do_nothing()


@prepared
def _read_further():
    table = ThreadReader.__table__
    return (
        sa.update(table)
        .where(
            table.c.user_id == sa.bindparam("reader_id"),
            table.c.thread_id == sa.bindparam("read_thread_id"),
            table.c.last_read_number < sa.bindparam("read_number"),
        )
        .values(last_read_number=sa.bindparam("read_number"))
    )


def set_watch_level(user: User, thread: Thread, level: WatchLevel) -> ThreadReader:
    """How closely the user follows the thread (watching / tracking / normal / muted)."""
    reader = _reader(user, thread)
    if reader is None:
        # INSERT … ON CONFLICT DO NOTHING: two tabs replying at once must not both try to create the row.
        db.session.execute(
            dialect_insert(ThreadReader)
            .values(user_id=user.id, thread_id=thread.id, level=WatchLevel.NORMAL, last_read_number=0,
                    updated_at=utcnow())
            .on_conflict_do_nothing()
        )  # fmt: skip
        reader = db.session.get(ThreadReader, (user.id, thread.id))
    reader.level = WatchLevel(level)
    reader.updated_at = utcnow()
    return reader
