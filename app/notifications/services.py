"""Notifying: a row per recipient, written in the transaction of the action that caused it. Services flush, never
commit."""

from app.extensions import db
from app.notifications.models import Notification


def notify(user, kind: str, *, actor=None, association_id=None, thread_id=None, post_id=None, **params) -> None:
    """Tell `user` about `kind`; nobody is told about their own action, and a missing user (deleted) is skipped.
    `params` are plain JSON values the notification's text is made of (names, reasons, dates as ISO text)."""
    if user is None or (actor is not None and getattr(actor, "id", None) == user.id):
        return
    db.session.add(
        Notification(user_id=user.id, kind=kind, actor_id=getattr(actor, "id", None), association_id=association_id,
                     thread_id=thread_id, post_id=post_id, params=params)
    )  # fmt: skip
