"""Links of the notifications moderation sends (about posts, threads and associations), for the inbox: notifications
know nothing of discussions, so moderation, which may read everything, registers this resolver in
`notifications.inbox.TARGET_RESOLVERS`. A link names its post, thread or association only while the reader may see
it (the policy's own rules), so nothing a reader may no longer see gives its title away."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, load_only
from sqlalchemy.orm.attributes import set_committed_value

from app import policy
from app.associations.models import Association
from app.discussions.editing import post_url
from app.discussions.models import Post, Thread
from app.discussions.queries import excerpt
from app.extensions import db
from app.notifications.inbox import Target

EXCERPT = 300  # characters of the post a notice quotes (the inbox and e-mail)
_POST_COLUMNS = (Post.id, Post.thread_id, Post.number, Post.author_id, Post.deleted_at, Post.hidden_at, Post.held_at,
                 Post.body_html)  # fmt: skip


def notice_targets(user, notices) -> dict[int, Target]:
    """Notification id → the link its reader may follow: the post, else its thread, else the association. At most
    three queries for a page (posts, threads with their associations, associations named alone)."""
    post_ids = {n.post_id for n in notices if n.post_id is not None}
    posts = _by_id(sa.select(Post).where(Post.id.in_(post_ids)).options(load_only(*_POST_COLUMNS)), post_ids)
    thread_ids = {n.thread_id for n in notices if n.thread_id is not None} | {p.thread_id for p in posts.values()}
    threads = _by_id(sa.select(Thread).where(Thread.id.in_(thread_ids)).options(joinedload(Thread.association)),
                     thread_ids)  # fmt: skip
    alone = {n.association_id for n in notices if n.association_id is not None and n.thread_id is None
             and n.post_id is None}  # fmt: skip
    associations = _by_id(sa.select(Association).where(Association.id.in_(alone)), alone)
    for post in posts.values():
        set_committed_value(post, "thread", threads.get(post.thread_id))
    targets = {}
    for notice in notices:
        target = _target(user, notice, posts, threads, associations)
        if target is not None:
            targets[notice.id] = target
    return targets


def _by_id(statement, ids: set) -> dict:
    return {row.id: row for row in db.session.scalars(statement)} if ids else {}


def _target(user, notice, posts: dict, threads: dict, associations: dict) -> Target | None:
    post = posts.get(notice.post_id)
    if post is not None and post.thread is not None and policy.can_view_post(user, post):
        label = _("сообщение № %(n)d в теме «%(title)s»", n=post.number, title=post.thread.title)
        return Target(label, post_url(post), excerpt(post, EXCERPT))
    thread = threads.get(notice.thread_id) or (post.thread if post is not None else None)
    if thread is not None and policy.can_view_thread(user, thread):
        return Target(
            _("тема «%(title)s»", title=thread.title), url_for("discussions.thread_show", thread_id=thread.id)
        )
    association = associations.get(notice.association_id)
    if association is not None and notice.kind == "join_request" and policy.can_manage_members(user, association):
        url = url_for("associations.request_list", slug=association.slug)
        return Target(_("заявки в объединение «%(name)s»", name=association.name), url)
    if association is not None and policy.can_view_association(user, association):
        url = url_for("associations.association_show", slug=association.slug)
        return Target(_("объединение «%(name)s»", name=association.name), url)
    return None
