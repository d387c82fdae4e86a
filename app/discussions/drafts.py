"""Server-side drafts: what a user is writing is saved as they type, so a lost connection, a dead session or a
closed tab never throws the text away.

A draft belongs to a user and a key: "thread:<association id>" (a new thread), "reply:<thread id>" (a reply) or
"edit:<post id>" (an edit). The forms prefill from the draft when their field is empty; creating the post consumes it.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from app import policy
from app.associations.models import Association
from app.auth.models import User
from app.db import utcnow
from app.discussions.models import Draft, Post, Thread
from app.extensions import db

MAX_BODY = 50_000
MAX_TITLE = 200
KINDS = {"thread": Association, "reply": Thread, "edit": Post}


class DraftError(Exception):
    """A draft that cannot be saved, with a message fit to show the user."""


def thread_key(association: Association) -> str:
    return f"thread:{association.id}"


def reply_key(thread: Thread) -> str:
    return f"reply:{thread.id}"


def edit_key(post: Post) -> str:
    return f"edit:{post.id}"


def target_of(key: str):
    """The association, thread or post a key names, or None when the key is malformed or names nothing."""
    kind, _sep, raw_id = (key or "").partition(":")
    model = KINDS.get(kind)
    if model is None or not raw_id.isdigit() or len(raw_id) > 18:
        return None
    return db.session.get(model, int(raw_id))


def can_save(user, target) -> bool:
    """A draft may be kept only where the user may post it."""
    if isinstance(target, Association):
        return policy.can_create_thread(user, target)
    if isinstance(target, Thread):
        return policy.can_reply(user, target)
    return policy.can_edit_post(user, target)


def load(user, key: str) -> Draft | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.get(Draft, (user.id, key))


def save(user: User, key: str, *, body: str, title: str = "") -> Draft | None:
    """Keep the text under the key (an empty text drops the draft). One statement, so autosaves racing each other
    end with the last text instead of an error."""
    body, title = body or "", (title or "").strip()
    if len(body) > MAX_BODY:
        raise DraftError(_("Черновик длиннее %(n)d символов не сохраняется.", n=MAX_BODY))
    if len(title) > MAX_TITLE:
        raise DraftError(_("Заголовок длиннее %(n)d символов.", n=MAX_TITLE))
    if not body.strip() and not title:
        consume(user, key)
        return None
    values = {"user_id": user.id, "key": key, "title": title, "body": body, "updated_at": utcnow()}
    if db.session.get_bind().dialect.name == "postgresql":  # the other database's dialect is never imported
        from sqlalchemy.dialects import postgresql as dialect
    else:
        from sqlalchemy.dialects import sqlite as dialect
    stmt = dialect.insert(Draft).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Draft.user_id, Draft.key],
        set_={"title": stmt.excluded.title, "body": stmt.excluded.body, "updated_at": stmt.excluded.updated_at},
    )
    db.session.execute(stmt)
    draft = db.session.get(Draft, (user.id, key))
    if draft is not None:
        db.session.refresh(draft)
    return draft


def consume(user, key: str) -> None:
    """The text was posted: its draft is no longer needed."""
    if getattr(user, "is_authenticated", False):
        db.session.execute(sa.delete(Draft).where(Draft.user_id == user.id, Draft.key == key))


def prefill(form, user, key: str) -> Draft | None:
    """Fill an empty form's body (and title, when the form has one) from the user's draft; returns the draft used."""
    if form.body.data:
        return None
    draft = load(user, key)
    if draft is None:
        return None
    form.body.data = draft.body
    title = getattr(form, "title", None)
    if title is not None and not title.data and draft.title:
        title.data = draft.title
    return draft
