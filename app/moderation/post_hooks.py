"""Moderation on the thread page and in editing, through discussions' hook points (discussions imports nothing of
moderation): the moderators' «Скрыть» / «Показать снова» buttons on each post (a `post_cards.POST_MARK_SOURCES`
source), and a moderator's edit of someone else's post written to the log and told to its author
(`editing.EDIT_HOOKS`)."""

from flask_babel import gettext as _

from app import policy
from app.auth.models import User
from app.discussions.post_cards import PostButton, PostMarks
from app.discussions.queries import UrlPattern
from app.extensions import db
from app.moderation.log import record
from app.moderation.models import ModerationKind
from app.notifications.services import notify


def load_nothing(thread, post_ids) -> None:
    """The buttons need nothing beyond the page's posts: no query."""
    return None


def moderation_buttons(view, user, _loaded) -> dict:
    """Post id → the moderator's button on it: «Скрыть» (asking for a reason) on a shown post, «Показать снова» on a
    hidden one; none on deleted posts and posts held for approval (the queue approves or rejects those)."""
    if not policy.can_moderate(user, view.thread.association) or not view.posts:
        return {}
    hide, unhide = (
        UrlPattern("post_moderation.post_hide", "post_id"),
        UrlPattern("post_moderation.post_unhide", "post_id"),
    )
    hide_label, unhide_label, reason = _("Скрыть"), _("Показать снова"), _("Причина (её увидит автор)")
    marks = {}
    for post in view.posts:
        if post.deleted_at is not None or post.held:
            continue
        hint = _("сообщение № %(n)d", n=post.number)
        if post.hidden_at is None:
            button = PostButton(hide(post.id), hide_label, hint, reason=reason)
        else:
            button = PostButton(unhide(post.id), unhide_label, hint)
        marks[post.id] = PostMarks(buttons=(button,))
    return marks


def on_post_edited(actor, post) -> None:
    """A moderator changed someone else's post: a line in the log and a notice to the author (the revision already
    names the moderator: `Post.edited_by_id`)."""
    if post.author_id is None or post.author_id == actor.id:
        return
    thread = post.thread
    record(actor, ModerationKind.POST_EDITED, post=post, user=post.author)
    notify(post.author, "post_edited", actor=actor, association_id=thread.association_id, thread_id=thread.id,
           post_id=post.id, post_number=post.number)  # fmt: skip


def on_post_restored(actor, post) -> None:
    """A moderator brought a deleted post back: a line in the log and, if someone else wrote it, a notice."""
    thread = post.thread
    record(actor, ModerationKind.POST_RESTORED, post=post, user=post.author)
    notify(post.author, "post_restored", actor=actor, association_id=thread.association_id, thread_id=thread.id,
           post_id=post.id, post_number=post.number)  # fmt: skip


def moderator_name(user_id: int) -> str | None:
    """The name of the moderator who hid a thread, for its banner (the identity map, else one query)."""
    user = db.session.get(User, user_id)
    return user.full_name if user is not None else None


def init_app(app) -> None:
    """Register this module's hooks, the thread banner's `moderator_name`, and the inbox's links for moderation's
    notifications (`notice_targets`); idempotent."""
    from app.discussions import editing, post_cards
    from app.moderation.notice_targets import notice_targets
    from app.notifications import inbox

    app.jinja_env.globals["moderator_name"] = moderator_name
    source = post_cards.PostMarkSource(load=load_nothing, marks=moderation_buttons)
    if source not in post_cards.POST_MARK_SOURCES:  # compares by its functions: once per process
        post_cards.POST_MARK_SOURCES.append(source)
    if on_post_edited not in editing.EDIT_HOOKS:
        editing.EDIT_HOOKS.append(on_post_edited)
    if on_post_restored not in editing.RESTORE_HOOKS:
        editing.RESTORE_HOOKS.append(on_post_restored)
    if notice_targets not in inbox.TARGET_RESOLVERS:
        inbox.TARGET_RESOLVERS.append(notice_targets)
