"""Editing, deleting and restoring posts; the history of a post with the differences between its versions.

Every earlier text of a post is kept as a PostRevision (number 1 = the original, with who wrote it and when); the
current text lives on the post. Counters follow the soft delete in SQL, in the same transaction, and only when a row
really changed state, so a repeated delete or restore never counts twice.
"""

import difflib
import itertools
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.associations.models import Association
from app.auth.models import User
from app.db import utcnow
from app.discussions.models import Mention, Post, PostRevision, Thread
from app.discussions.queries import page_of
from app.discussions.services import DiscussionError, render_post_body
from app.extensions import db

MAX_BODY = 50_000
MIN_TITLE, MAX_TITLE = 5, 200
# Features built on discussions (moderation) act on an edit in the same transaction: each hook is called with the
# editor and the post after a change is flushed. Discussions knows nothing of them.
EDIT_HOOKS: list = []
RESTORE_HOOKS: list = []  # hook(actor, post) after a deleted post came back (moderation logs it)


def normalize_text(text: str | None) -> str:
    """Browsers send CRLF; trailing spaces at the end of the text carry no meaning."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").rstrip()


# --- where a post is shown -------------------------------------------------------------------------------------------


def post_url(post: Post) -> str:
    """The post on its page of the thread (the same page arithmetic as the thread page)."""
    page = page_of(post.number)
    args = {"page": page} if page > 1 else {}
    return url_for("discussions.thread_show", thread_id=post.thread_id, _anchor=f"post-{post.number}", **args)


# --- edit ----------------------------------------------------------------------------------------------------------


def edit_post(actor: User, post: Post, *, body: str, title: str | None = None) -> bool:
    """Change a post's text (and the thread title for an opening post), keeping the earlier version.

    Returns False when nothing changed (no revision is made)."""
    body = normalize_text(body)
    if not body.strip():
        raise DiscussionError(_("Напишите текст сообщения."))
    if len(body) > MAX_BODY:
        raise DiscussionError(_("Сообщение длиннее %(n)d символов.", n=MAX_BODY))
    # Lock the post's row (PostgreSQL): two editors at once each keep the other's text as a revision.
    db.session.refresh(post, with_for_update=True)
    thread = post.thread
    opening = post.number == 1
    new_title = " ".join((title or "").split()) if opening and title is not None else None
    if new_title is not None and not MIN_TITLE <= len(new_title) <= MAX_TITLE:
        raise DiscussionError(_("Заголовок — от %(min)d до %(max)d символов.", min=MIN_TITLE, max=MAX_TITLE))
    title_changed = new_title is not None and new_title != thread.title
    if body == normalize_text(post.body) and not title_changed:
        return False
    number = post.revision_count + 1
    db.session.add(
        PostRevision(
            post_id=post.id,
            number=number,
            body=post.body,
            title=thread.title if opening else None,
            author_id=post.edited_by_id if post.edited_at is not None else post.author_id,
            created_at=post.edited_at or post.created_at,
        )
    )
    post.body = body
    post.body_html, mentioned = render_post_body(thread.association_id, body)
    _record_new_mentions(post, mentioned)
    post.edited_at = utcnow()
    post.edited_by_id = actor.id
    post.revision_count = number
    if title_changed:
        thread.title = new_title
    db.session.flush()
    for hook in EDIT_HOOKS:
        hook(actor, post)
    return True


def _record_new_mentions(post: Post, users: list[User]) -> None:
    """Members first named by this edit are recorded (for notifications); earlier mentions stay as they are."""
    wanted = {user.id for user in users} - {post.author_id}
    if not wanted:
        return
    known = set(db.session.scalars(sa.select(Mention.user_id).where(Mention.post_id == post.id)))
    for user_id in sorted(wanted - known):
        db.session.add(Mention(post_id=post.id, user_id=user_id))


# --- delete and restore ----------------------------------------------------------------------------------------------


def delete_post(actor: User, post: Post) -> bool:
    """Soft-delete a post; the opening post takes its thread with it. False when it was already deleted."""
    now = utcnow()
    changed = db.session.execute(
        sa.update(Post)
        .where(Post.id == post.id, Post.deleted_at.is_(None))
        .values(deleted_at=now, deleted_by_id=actor.id)
        .returning(Post.hidden_at)
    ).first()
    if changed is None:
        return False
    was_counted = changed.hidden_at is None
    if post.number == 1:
        _set_thread_deleted(post.thread_id, now, opening_counted=was_counted)
    elif was_counted:
        _count_reply(post.thread_id, -1)
    _reload(post)
    return True


def restore_post(actor: User, post: Post) -> bool:
    """Bring a deleted post back (and its thread, for an opening post). False when it was not deleted."""
    changed = db.session.execute(
        sa.update(Post)
        .where(Post.id == post.id, Post.deleted_at.is_not(None))
        .values(deleted_at=None, deleted_by_id=None)
        .returning(Post.hidden_at)
    ).first()
    if changed is None:
        return False
    if post.number == 1:
        _set_thread_deleted(post.thread_id, None)
    elif changed.hidden_at is None:
        _count_reply(post.thread_id, +1)
    _reload(post)
    for hook in RESTORE_HOOKS:
        hook(actor, post)
    return True


def _reload(post: Post) -> None:
    """The counters moved in SQL: let the objects in the session read them again."""
    db.session.flush()
    db.session.expire(post.thread)
    db.session.expire(post)


def _count_reply(thread_id: int, step: int) -> None:
    """A reply appears or disappears: its thread's reply count, and its association's post count while the thread
    itself is shown (a deleted, hidden or private thread's posts are out of the association's count)."""
    row = db.session.execute(
        sa.update(Thread)
        .where(Thread.id == thread_id)
        .values(reply_count=Thread.reply_count + step)
        .returning(Thread.association_id, Thread.deleted_at, Thread.hidden_at, Thread.is_private)
    ).one()
    if row.deleted_at is None and row.hidden_at is None and not row.is_private:
        db.session.execute(
            sa.update(Association)
            .where(Association.id == row.association_id)
            .values(post_count=Association.post_count + step)
        )


def _visible_posts(thread_id: int):
    return (
        sa.select(sa.func.count(Post.id))
        .where(Post.thread_id == thread_id, Post.deleted_at.is_(None), Post.hidden_at.is_(None))
        .scalar_subquery()
    )


def _set_thread_deleted(thread_id: int, at: datetime | None, *, opening_counted: bool = True) -> None:
    """Delete (at = a time) or restore (at = None) a thread; its visible posts leave or rejoin the association's
    count. The thread's row is changed first, so its lock orders this against replies being deleted at once."""
    deleting = at is not None
    row = db.session.execute(
        sa.update(Thread)
        .where(Thread.id == thread_id, Thread.deleted_at.is_(None) if deleting else Thread.deleted_at.is_not(None))
        .values(deleted_at=at)
        .returning(Thread.association_id, Thread.hidden_at, Thread.is_private)
    ).first()
    if row is None or row.hidden_at is not None or row.is_private:  # never in the association's counts
        return
    # When deleting, the opening post is already marked deleted: count it back in if it was visible until now.
    posts = _visible_posts(thread_id) + (1 if deleting and opening_counted else 0)
    step = -1 if deleting else 1
    db.session.execute(
        sa.update(Association)
        .where(Association.id == row.association_id)
        .values(thread_count=Association.thread_count + step, post_count=Association.post_count + step * posts)
    )


# --- history -------------------------------------------------------------------------------------------------------


@dataclass
class Version:
    number: int
    body: str
    title: str | None
    author: User | None
    at: datetime
    current: bool = False
    body_diff: Markup | None = None
    title_diff: Markup | None = None


def post_versions(post: Post) -> list[Version]:
    """Every version of the post, newest first, each with its difference from the one before it."""
    revisions = db.session.scalars(
        sa.select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.number)
    ).all()
    author_ids = {r.author_id for r in revisions} | {post.edited_by_id or post.author_id}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(author_ids - {None})))}
    versions = [Version(r.number, r.body, r.title, users.get(r.author_id), r.created_at) for r in revisions]
    current_author = post.edited_by_id if post.edited_at is not None else post.author_id
    versions.append(
        Version(
            len(versions) + 1,
            post.body,
            post.thread.title if post.number == 1 else None,
            users.get(current_author),
            post.edited_at or post.created_at,
            current=True,
        )
    )
    for older, newer in itertools.pairwise(versions):
        newer.body_diff = diff_html(older.body, newer.body)
        if older.title is not None and newer.title is not None and older.title != newer.title:
            newer.title_diff = diff_html(older.title, newer.title)
    return versions[::-1]


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def diff_html(old: str, new: str) -> Markup:
    """A word-level difference as <del>/<ins>; every piece of text is escaped, so user HTML stays inert."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    # Screen readers do not announce <del>/<ins>: say it in words, hidden from sight.
    # (the words are taken out of the f-strings so that extraction finds them; a diff's own msgids, not the labels)
    removed_word, added_word = _("удалённый текст"), _("добавленный текст")
    removed = f'<span class="visually-hidden">[{escape(removed_word)}: ]</span>'
    added = f'<span class="visually-hidden">[{escape(added_word)}: ]</span>'
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(str(escape("".join(a[i1:i2]))))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{removed}{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{added}{escape(''.join(b[j1:j2]))}</ins>")
    return Markup("".join(parts))  # noqa: S704  (every user token above went through escape())
