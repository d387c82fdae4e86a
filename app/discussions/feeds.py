"""Atom feeds (RFC 4287) of public associations and their threads.

Feed URLs get shared and polled by readers that never sign in, so a feed exists only for a public association
(`policy.can_read_feed`): a members-only association has none, even for its members. Hidden and deleted threads and
posts never appear. The XML is built with ElementTree, which escapes every piece of user text; the stored,
sanitised `body_html` goes into `<content type="html">` as escaped text. ElementTree (and pyexpat under it) is
imported by the first feed request, not by every worker at start.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from app import policy
from app.associations.models import Association
from app.discussions import queries
from app.discussions.models import Post, Thread
from app.extensions import db
from app.policy import require

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
FEED_SIZE = 30
CONTENT_TYPE = "application/atom+xml; charset=utf-8"


class _ElementTree:
    """`xml.etree.ElementTree`, imported (with Atom as the default namespace) when a feed is first built."""

    def __getattr__(self, name: str):
        module = importlib.import_module("xml.etree.ElementTree")
        module.register_namespace("", ATOM)
        for attribute in ("Element", "SubElement", "tostring"):
            setattr(self, attribute, getattr(module, attribute))
        return getattr(module, name)


ET = _ElementTree()


@bp.get("/associations/<slug>/feed.atom")
def association_feed(slug: str):
    association = db.first_or_404(sa.select(Association).where(Association.slug == slug))
    require(policy.can_read_feed(association), hide=True)
    rows = db.session.execute(latest_threads(association)).all()
    feed = _feed(
        feed_id=_tag(association.created_at, f"association/{association.id}"),
        title=_("%(name)s — новые темы", name=association.name),
        self_path=url_for("feeds.association_feed", slug=association.slug),
        page_path=url_for("associations.association_show", slug=association.slug),
        updated=max([_updated(post) for _thread, post in rows], default=association.created_at),
    )
    for thread, post in rows:
        _thread_entry(feed, thread, post)
    return _atom_response(feed)


@bp.get("/threads/<int:thread_id>/feed.atom")
def thread_feed(thread_id: int):
    thread = db.get_or_404(Thread, thread_id, options=[joinedload(Thread.association)])
    require(policy.can_read_feed(thread.association) and thread.is_visible and not thread.is_private, hide=True)
    posts = db.session.scalars(latest_posts(thread)).all()
    feed = _feed(
        feed_id=_tag(thread.created_at, f"thread/{thread.id}/posts"),
        title=thread.title,
        self_path=url_for("feeds.thread_feed", thread_id=thread.id),
        page_path=_thread_path(thread),
        updated=max([_updated(post) for post in posts], default=thread.created_at),
    )
    ET.SubElement(feed, _q("subtitle")).text = thread.association.name
    for post in posts:
        _post_entry(feed, thread, post)
    return _atom_response(feed)


def latest_threads(association: Association) -> sa.Select:
    """The association's newest visible threads, each with its visible opening post, author and tags."""
    return (
        sa.select(Thread, Post)
        .join(Post, sa.and_(Post.thread_id == Thread.id, Post.number == 1))
        .where(
            Thread.association_id == association.id,
            Thread.deleted_at.is_(None),
            Thread.hidden_at.is_(None),
            ~Thread.is_private,
            Post.deleted_at.is_(None),
            Post.hidden_at.is_(None),
        )
        .options(joinedload(Thread.author), selectinload(Thread.tags))
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(FEED_SIZE)
    )


def latest_posts(thread: Thread) -> sa.Select:
    """The thread's newest visible posts (the opening post included), with their authors."""
    return (
        sa.select(Post)
        .where(Post.thread_id == thread.id, Post.deleted_at.is_(None), Post.hidden_at.is_(None))
        .options(joinedload(Post.author))
        .order_by(Post.number.desc())
        .limit(FEED_SIZE)
    )


# --- building the XML ---------------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"] + path


def _tag(created: datetime, specific: str) -> str:
    """A tag: URI (RFC 4151) that stays the same for as long as the record exists: host + its creation date."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"tag:{host},{created:%Y-%m-%d}:{specific}"


def _utc(moment: datetime) -> str:
    """RFC 3339 in UTC; the stored values are UTC already (app.db.UTCDateTime)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _updated(post: Post) -> datetime:
    return post.edited_at or post.created_at


def _feed(*, feed_id: str, title: str, self_path: str, page_path: str, updated: datetime) -> ET.Element:
    feed = ET.Element(_q("feed"), {XML_BASE: _absolute("/")})
    ET.SubElement(feed, _q("id")).text = feed_id
    ET.SubElement(feed, _q("title")).text = title
    ET.SubElement(feed, _q("updated")).text = _utc(updated)
    ET.SubElement(feed, _q("link"), rel="self", type="application/atom+xml", href=_absolute(self_path))
    ET.SubElement(feed, _q("link"), rel="alternate", type="text/html", href=_absolute(page_path))
    ET.SubElement(feed, _q("generator")).text = current_app.config["SITE_NAME"]
    return feed


def _author_name(author) -> str:
    return author.full_name if author is not None else _("Удалённый пользователь")


def _entry(feed: ET.Element, *, entry_id: str, title: str, author, post: Post, href: str) -> ET.Element:
    entry = ET.SubElement(feed, _q("entry"))
    ET.SubElement(entry, _q("id")).text = entry_id
    ET.SubElement(entry, _q("title")).text = title
    ET.SubElement(entry, _q("published")).text = _utc(post.created_at)
    ET.SubElement(entry, _q("updated")).text = _utc(_updated(post))
    ET.SubElement(ET.SubElement(entry, _q("author")), _q("name")).text = _author_name(author)
    ET.SubElement(entry, _q("link"), rel="alternate", type="text/html", href=_absolute(href))
    ET.SubElement(entry, _q("content"), type="html").text = post.body_html
    return entry


def _thread_entry(feed: ET.Element, thread: Thread, post: Post) -> None:
    entry = _entry(
        feed,
        entry_id=_tag(thread.created_at, f"thread/{thread.id}"),
        title=thread.title,
        author=thread.author,
        post=post,
        href=_thread_path(thread),
    )
    ET.SubElement(entry, _q("category"), term=thread.kind.value, label=thread.kind.label)
    for tag in thread.tags:
        ET.SubElement(entry, _q("category"), term=tag.name)
    if thread.url:
        ET.SubElement(entry, _q("link"), rel="related", type="text/html", href=thread.url)


def _post_entry(feed: ET.Element, thread: Thread, post: Post) -> None:
    if post.number == 1:
        title = thread.title
    else:
        title = _("%(author)s — ответ в теме «%(title)s»", author=_author_name(post.author), title=thread.title)
    _entry(
        feed,
        entry_id=_tag(post.created_at, f"post/{post.id}"),
        title=title,
        author=post.author,
        post=post,
        href=_post_path(thread, post),
    )


def _thread_path(thread: Thread) -> str:
    return url_for("discussions.thread_show", thread_id=thread.id)


def _post_path(thread: Thread, post: Post) -> str:
    page = queries.page_of(post.number)
    return url_for("discussions.thread_show", thread_id=thread.id, page=page, _anchor=f"post-{post.number}")


def _atom_response(feed: ET.Element) -> Response:
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    response = Response(body, content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = "max-age=300"
    response.add_etag()
    return response.make_conditional(request)
