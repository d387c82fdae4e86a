"""The selects that feed the discussion pages, with their eager loads: a fixed number of queries whatever the rows."""

import importlib
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import abort, current_app, request, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from sqlalchemy.orm import aliased, defer, joinedload, load_only, raiseload
from sqlalchemy.orm.attributes import set_committed_value

from app import fragments, policy
from app.associations.models import Association
from app.auth.models import User
from app.db import page_number, prepared, rows
from app.discussions.models import (
    AssociationWatch,
    Post,
    Tag,
    Thread,
    ThreadKind,
    ThreadReader,
    WatchLevel,
    thread_tags,
)
from app.discussions.post_cards import PostData
from app.discussions.services import normalize_tag
from app.extensions import db

POSTS_PER_PAGE = 20
EXCERPT_LENGTH = 100
THREAD_SORTS = {"activity": Thread.last_posted_at, "newest": Thread.created_at, "useful": Thread.useful_count}


def _optional(module: str, name: str):
    """A function another part of discussions provides (engagement, attachments), or None while it has none."""
    try:
        return getattr(importlib.import_module(f"app.discussions.{module}"), name, None)
    except ImportError:
        return None


def excerpt(post: Post, length: int = EXCERPT_LENGTH) -> str:
    """The first characters of a post's plain text, for «в ответ на …» quotes."""
    text = Markup(post.body_html).striptags()  # noqa: S704  (stored, sanitised HTML; only its text is kept)
    return text if len(text) <= length else text[:length].rstrip() + "…"


class ListPage(Pagination):
    """A page whose items and total were found by our own queries (no COUNT(*) needed)."""

    def __init__(self, items: list, page: int, per_page: int, total: int):
        self._items, self._total = items, total
        super().__init__(page=page, per_page=per_page, error_out=False)

    def _query_items(self) -> list:
        return self._items

    def _query_count(self) -> int:
        return self._total


# --- the association's thread list --------------------------------------------------------------------------------


@dataclass
class ThreadList:
    page: Pagination
    kind: str | None
    tag: str | None
    sort: str
    unread: dict[int, int]  # thread id → posts the signed-in user has not read
    slug: str = ""
    tags: dict[int, tuple[str, ...]] = field(default_factory=dict)
    watch_level: WatchLevel | None = None  # the signed-in user's for the association, so its form asks nothing
    key: tuple = ()  # what the page's rows were kept under (association_threads), with change stamps
    states: dict = field(default_factory=dict)  # thread id → its state from ROW_STATES (a question's status)
    own_private: list = field(default_factory=list)  # the reader's own private questions here (rows of _ROW_COLUMNS)

    def render_own_private(self, row_macro) -> Markup:
        """The reader's own private questions, above the list (those who see every private question list them)."""
        html = (
            str(fragments.render("discussions/thread_row", row_macro, *self._values(row))) for row in self.own_private
        )
        return Markup("\n".join(html).replace(_UNREAD_MARKER, ""))  # noqa: S704  (rendered by our templates)

    def _values(self, row) -> tuple:
        return thread_row_values(row, self.tags.get(row.id, ()), self.slug, self.states.get(row.id))

    def render_rows(self, row_macro, badge_macro) -> Markup:
        """The page's rows, kept whole under the list's key, this reader's unread counts, the language and the time
        zone (the rows were found under the association's change stamp); else rendered by `_render_rows`."""
        if not self.key:
            return self._render_rows(row_macro, badge_macro)
        unread = tuple(sorted(self.unread.items()))
        key = (*self.key, unread, *fragments.language_and_zone())
        return fragments.remember("thread_rows", lambda: self._render_rows(row_macro, badge_macro), *key)

    def _render_rows(self, row_macro, badge_macro) -> Markup:
        """Each row from the fragment cache by what it shows, then this reader's «unread» badge."""
        html = []
        for thread in self.page.items:
            row = fragments.render("discussions/thread_row", row_macro, *self._values(thread))
            unread = self.unread.get(thread.id, 0)
            html.append(str(row).replace(_UNREAD_MARKER, " " + str(badge_macro(unread)) if unread else "", 1))
        return Markup("\n".join(html))  # noqa: S704  (rendered by our templates, escaped there)


_UNREAD_MARKER = "<!--unread-->"


# Features built on discussions add a state to the rows of their threads (consultations: a question's status): each
# hook takes the page's rows and returns {thread id: a value with `.value` and `.label`}, read in one query for the
# page and kept with it under the association's change stamp.
ROW_STATES: list = []


def _row_states(items) -> dict:
    states = {}
    for hook in ROW_STATES:
        states.update(hook(items))
    return states


def thread_row_values(row, tags: tuple[str, ...], slug: str, state=None) -> tuple:
    """Everything a thread's row shows, in the order of the `thread_row` macro's arguments (its cache key). `row`
    has the columns of `_ROW_COLUMNS`; `state` comes from ROW_STATES."""
    return (
        row.id,
        row.title,
        row.url_domain,
        row.kind,
        row.pinned_at is not None,
        row.deleted_at is not None,
        row.hidden_at is not None,
        row.locked_at is not None,
        row.is_private,
        row.author_name,
        row.reply_count,
        row.last_posted_at,
        row.last_poster_name,
        tags,
        slug,
        state,
    )


_AUTHOR, _LAST_POSTER = aliased(User), aliased(User)
# What a list row shows (thread_row_values), read as plain rows: loading entities cost more than the query.
_ROW_COLUMNS = (
    Thread.id,
    Thread.title,
    Thread.url_domain,
    Thread.kind,
    Thread.pinned_at,
    Thread.deleted_at,
    Thread.hidden_at,
    Thread.locked_at,
    Thread.is_private,
    Thread.reply_count,
    Thread.post_count,
    Thread.last_posted_at,
    _AUTHOR.full_name.label("author_name"),
    _LAST_POSTER.full_name.label("last_poster_name"),
)


@prepared
def _thread_list_statements(sort: str, kind: bool, tag: bool, moderator: bool, private: bool):
    """The pinned threads, the page of the others and the total, for one combination of filters (built once).
    `private`: the private questions of others are listed too (methodists, leaders, admins)."""
    conditions = [Thread.association_id == sa.bindparam("association_id")]
    if not moderator:
        conditions += [Thread.deleted_at.is_(None), Thread.hidden_at.is_(None)]
    if not private:
        conditions.append(~Thread.is_private)
    if kind:
        conditions.append(Thread.kind == sa.bindparam("kind", type_=Thread.__table__.c.kind.type))
    if tag:
        conditions.append(Thread.tags.any(Tag.name == sa.bindparam("tag")))
    rows = (
        sa.select(*_ROW_COLUMNS, THREAD_SORTS[sort].label("sort_key"))
        .outerjoin(_AUTHOR, _AUTHOR.id == Thread.author_id)
        .outerjoin(_LAST_POSTER, _LAST_POSTER.id == Thread.last_poster_id)
        .where(*conditions)
        .order_by(THREAD_SORTS[sort].desc(), Thread.id.desc())
    )
    pinned = rows.where(Thread.pinned_at.is_not(None))
    unpinned = rows.where(Thread.pinned_at.is_(None))
    rest = unpinned.offset(sa.bindparam("offset", type_=sa.Integer)).limit(sa.bindparam("limit", type_=sa.Integer))
    total = sa.select(sa.func.count()).select_from(sa.select(Thread.id).where(*conditions).subquery())
    # The first page (most views) in one query: every pinned thread, then the first `limit` others.
    parts = [
        sa.select(sa.literal(part).label("part"), *branch.subquery().c)
        for part, branch in ((0, pinned), (1, unpinned.limit(sa.bindparam("limit", type_=sa.Integer))))
    ]
    both = sa.union_all(*parts).subquery()
    first_page = sa.select(both).order_by(both.c.part, both.c.sort_key.desc(), both.c.id.desc())
    return pinned, rest, total, first_page


def association_threads(association: Association, args=None, user=None) -> ThreadList:
    """One page of the association's threads (pinned first), filtered by ?kind= and ?tag=, sorted by ?sort=.

    Pinned threads come from their own small query and the rest are paged by the sort column alone, so that
    `ix_threads_association_activity` serves the default order; ordering by «pinned first» would make the database
    sort every thread of the association. With no filter the total is `Association.thread_count` (no COUNT(*)).
    """
    args = request.args if args is None else args
    user = current_user._get_current_object() if user is None else user
    kind = args.get("kind") if args.get("kind") in {k.value for k in ThreadKind} else None
    tag = normalize_tag(args.get("tag", "")) or None
    sort = args.get("sort") if args.get("sort") in THREAD_SORTS else "activity"
    moderator = policy.can_moderate(user, association)
    # Private questions: listed for those who see them all; their askers find their own in `own_private_questions`.
    private = policy.can_see_private_questions(user, association)
    statements = _thread_list_statements(sort, bool(kind), bool(tag), moderator, private)
    pinned_stmt, rest_stmt, total_stmt, first_stmt = statements
    params = {"association_id": association.id, "kind": ThreadKind(kind) if kind else None, "tag": tag}
    per_page = current_app.config["PER_PAGE"]
    page = page_number(args)

    def load() -> tuple[list, int, dict]:
        if page == 1:
            found = rows(first_stmt, {**params, "limit": per_page}).all()
            items = found[:per_page]  # pinned first; the others fill the page
        else:
            pinned = rows(pinned_stmt, params).all()
            start = (page - 1) * per_page
            items = pinned[start : start + per_page]
            if len(items) < per_page:
                more = {"offset": max(start - len(pinned), 0), "limit": per_page - len(items)}
                items += rows(rest_stmt, {**params, **more}).all()
        counted = kind or tag or moderator or private  # thread_count counts what everyone sees
        total = rows(total_stmt, params).scalar() if counted else association.thread_count
        return items, total, _tag_names(items), _row_states(items)

    # Kept per worker under the association's change stamp, which every change to its threads raises (app/stamps.py).
    key = (association.id, association.content_version, sort, kind, tag, moderator, private, page, per_page)
    items, total, tags, states = fragments.remember("association_threads", load, *key)
    pagination = ListPage(list(items), page, per_page, total)
    unread, watch_level = reading_state(user, association, items)
    own, own_tags, own_states = own_private_questions(user, association) if not private and page == 1 else ([], {}, {})
    if own:
        tags, states = {**tags, **own_tags}, {**states, **own_states}
    return ThreadList(pagination, kind, tag, sort, unread, association.slug, tags, watch_level, key, states, own)


@prepared
def _own_private():
    return (
        sa.select(*_ROW_COLUMNS)
        .outerjoin(_AUTHOR, _AUTHOR.id == Thread.author_id)
        .outerjoin(_LAST_POSTER, _LAST_POSTER.id == Thread.last_poster_id)
        .where(
            Thread.association_id == sa.bindparam("association_id"),
            Thread.author_id == sa.bindparam("user_id"),
            Thread.is_private,
            Thread.deleted_at.is_(None),
            Thread.hidden_at.is_(None),
        )
        .order_by(Thread.last_posted_at.desc(), Thread.id.desc())
        .limit(OWN_PRIVATE_LIMIT)
    )


OWN_PRIVATE_LIMIT = 20  # the rest are on /consultations/ («Мои вопросы»)


def own_private_questions(user, association: Association) -> tuple[list, dict, dict]:
    """The user's private questions in the association, newest activity first, with their tags and states (kept per
    worker under the association's change stamp, which every change to its threads raises; none for visitors)."""
    if not policy.is_active_user(user):
        return [], {}, {}

    def load() -> tuple[list, dict, dict]:
        found = rows(_own_private(), {"association_id": association.id, "user_id": user.id}).all()
        return (found, _tag_names(found), _row_states(found)) if found else ([], {}, {})

    return fragments.remember("own_private", load, user.id, association.id, association.content_version)


@prepared
def _tags_of_threads():
    return (
        sa.select(thread_tags.c.thread_id, Tag.name)
        .join(Tag, Tag.id == thread_tags.c.tag_id)
        .where(thread_tags.c.thread_id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(Tag.name)
    )


def _tag_names(threads) -> dict[int, tuple[str, ...]]:
    """Thread id → its tag names, for every listed thread in one query."""
    found = defaultdict(list)
    if threads:
        for thread_id, name in rows(_tags_of_threads(), {"ids": [t.id for t in threads]}):
            found[thread_id].append(name)
    return {thread_id: tuple(names) for thread_id, names in found.items()}


@prepared
def _reading_state():
    """How far :user_id has read each listed thread (:ids), and, in a last row, how closely they watch the association
    (:association_id): both in one query."""
    reads = sa.select(ThreadReader.thread_id, ThreadReader.last_read_number, sa.null().label("level")).where(
        ThreadReader.user_id == sa.bindparam("user_id"),
        ThreadReader.thread_id.in_(sa.bindparam("ids", expanding=True)),
    )
    watch = sa.select(sa.null(), sa.null(), AssociationWatch.level).where(
        AssociationWatch.user_id == sa.bindparam("user_id"),
        AssociationWatch.association_id == sa.bindparam("association_id"),
    )
    return sa.union_all(reads, watch)


def reading_state(user, association: Association, threads: list) -> tuple[dict[int, int], WatchLevel | None]:
    """(thread id → how many of its posts the user has not seen yet, the user's watch level for the association),
    one query for the whole list; ({}, None) for visitors."""
    if not getattr(user, "is_authenticated", False):
        return {}, None
    ids = tuple(t.id for t in threads)

    def load() -> tuple[dict[int, int], WatchLevel]:
        read, level = {}, WatchLevel.NORMAL
        params = {"user_id": user.id, "ids": list(ids), "association_id": association.id}
        for thread_id, last_read, watch in rows(_reading_state(), params):
            if thread_id is None:
                level = WatchLevel(watch)
            else:
                read[thread_id] = last_read
        counts = {t.id: t.post_count - read.get(t.id, 0) for t in threads}
        return {thread_id: n for thread_id, n in counts.items() if n > 0}, level

    # The threads' post counts are under the association's stamp; the read state and watch under the user's.
    key = (user.id, user.view_version, association.id, association.content_version, ids)
    return fragments.remember("reading_state", load, *key)


# --- the thread page ----------------------------------------------------------------------------------------------


@prepared
def _thread_with_reader(signed_in: bool):
    stmt = sa.select(Thread, ThreadReader) if signed_in else sa.select(Thread, sa.null())
    stmt = stmt.where(Thread.id == sa.bindparam("thread_id")).options(joinedload(Thread.association))
    if signed_in:
        stmt = stmt.outerjoin(
            ThreadReader,
            sa.and_(ThreadReader.thread_id == Thread.id, ThreadReader.user_id == sa.bindparam("user_id")),
        )
    return stmt


def load_thread(thread_id: int, user) -> tuple[Thread, ThreadReader | None]:
    """The thread with its association and the user's read state in one query, then its tags; 404 when unknown."""
    signed_in = getattr(user, "is_authenticated", False)
    params = {"thread_id": thread_id, "user_id": user.id if signed_in else None}
    row = db.session.execute(_thread_with_reader(bool(signed_in)), params).first()
    if row is None:
        abort(404)
    # Its tags by their own query (joined, SQLite would build the whole thread_tags ⋈ tags join for one thread; a
    # selectinload builds its statement anew on every request).
    set_committed_value(row[0], "tags", list(db.session.scalars(_tags_of_thread(), {"thread_id": thread_id})))
    return row[0], row[1]


@prepared
def _tags_of_thread():
    return (
        sa.select(Tag)
        .join(thread_tags, thread_tags.c.tag_id == Tag.id)
        .where(thread_tags.c.thread_id == sa.bindparam("thread_id"))
        .order_by(Tag.name)
    )


_SENTINEL = 987654321


class UrlPattern:
    """One url_for per page for an endpoint whose URLs differ only by one number: `pattern(42)` formats the rest."""

    __slots__ = ("prefix", "suffix")

    def __init__(self, endpoint: str, name: str, **values):
        self.prefix, self.suffix = url_for(endpoint, **values, **{name: _SENTINEL}).split(str(_SENTINEL), 1)

    def __call__(self, number) -> str:
        return f"{self.prefix}{number}{self.suffix}"


class PostUrls:
    """The per-post links of a thread page, built from one url_for per endpoint instead of one per post and link."""

    def __init__(self, thread: Thread, page: int, mode: str):
        tree = "tree" if mode == "tree" else None
        self.profile = UrlPattern("profiles.profile_show", "user_id")
        self.page = UrlPattern("discussions.thread_show", "page", thread_id=thread.id)
        here = {"thread_id": thread.id, "page": page, "view": tree, "_anchor": "reply"}
        self.reply = UrlPattern("discussions.thread_show", "reply_to", **here)
        self.quote = UrlPattern("discussions.thread_show", "quote", **here)
        for name, endpoint in (
            ("edit", "editing.post_edit"),
            ("history", "editing.post_history"),
            ("delete", "editing.post_delete"),
            ("restore", "editing.post_restore"),
            ("useful_toggle", "engagement.useful_toggle"),
            ("useful_list", "engagement.useful_list"),
            ("bookmark_toggle", "engagement.bookmark_toggle"),
        ):
            setattr(self, name, UrlPattern(endpoint, "post_id"))


@dataclass
class ThreadView:
    """What the thread page and its per-post partials need, loaded once per page."""

    thread: Thread
    page: Pagination
    mode: str  # "flat" or "tree"
    first_unread: int | None = None  # the number of the first post the user has not read
    watch_level: WatchLevel | None = None  # the signed-in user's, so the watch form needs no query
    reactions: dict = field(default_factory=dict)
    bookmarks: set = field(default_factory=set)
    urls: PostUrls | None = None
    key: tuple = ()  # what the page's posts were kept under (change stamps, page, mode)

    @property
    def posts(self) -> list[PostData]:
        return self.page.items

    @property
    def last_number_shown(self) -> int:
        return max((p.number for p in self.posts), default=0)

    def page_of(self, number: int) -> int:
        return page_of(number)


def page_of(number: int) -> int:
    """The page (in time order) where post `number` is."""
    return (max(number, 1) - 1) // POSTS_PER_PAGE + 1


# What «в ответ на …» shows of the answered post: its author, number, visibility and text for the excerpt.
_PARENT_COLUMNS = (
    Post.id,
    Post.thread_id,
    Post.number,
    Post.author_id,
    Post.body_html,
    Post.deleted_at,
    Post.hidden_at,
)


def _post_options():
    """Only what a post on the page shows: no Markdown source, authors' names only, and any other relationship
    raises rather than loading post by post (identity-map look-ups, such as post.thread, still work)."""
    author = joinedload(Post.author).load_only(User.id, User.full_name)
    return (
        defer(Post.body),
        defer(Post.submission_token),
        author,
        joinedload(Post.reply_to).options(load_only(*_PARENT_COLUMNS), author.options(raiseload("*"))),
        raiseload("*", sql_only=True),
    )


@prepared
def _posts_by_number():
    return (
        sa.select(Post)
        .where(
            Post.thread_id == sa.bindparam("thread_id"),
            Post.number.between(sa.bindparam("first"), sa.bindparam("last")),
        )
        .options(*_post_options())
        .order_by(Post.number)
    )


def _flat_posts(thread: Thread, page: int) -> list[Post]:
    # Posts are numbered 1…post_count without gaps (they are never removed, only marked deleted), so a page is a
    # range of numbers and needs no COUNT(*).
    first = (page - 1) * POSTS_PER_PAGE + 1
    params = {"thread_id": thread.id, "first": first, "last": first + POSTS_PER_PAGE - 1}
    return list(db.session.scalars(_posts_by_number(), params))


@prepared
def _posts_in_tree_order():
    return (
        sa.select(Post)
        .where(Post.thread_id == sa.bindparam("thread_id"))
        .options(*_post_options())
        .order_by(Post.tree_path)
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .limit(POSTS_PER_PAGE)
    )


def _tree_posts(thread: Thread, page: int) -> list[Post]:
    """A page of the tree view: posts in the order of their stored path, through ix_posts_thread_tree."""
    params = {"thread_id": thread.id, "offset": (page - 1) * POSTS_PER_PAGE}
    return list(db.session.scalars(_posts_in_tree_order(), params))


def thread_view(thread: Thread, reader: ThreadReader | None, user, *, page: int, mode: str) -> ThreadView:
    """One page of the thread's posts (flat in time order or as a tree) with every per-post lookup loaded."""
    mode = mode if mode in ("flat", "tree") else "flat"
    pages = max((thread.post_count + POSTS_PER_PAGE - 1) // POSTS_PER_PAGE, 1)
    if page < 1 or page > pages:
        abort(404)

    def load() -> list:
        posts = _tree_posts(thread, page) if mode == "tree" else _flat_posts(thread, page)
        for_posts = _optional("attachments", "for_posts")
        files = for_posts([p.id for p in posts]) if for_posts is not None and posts else {}
        return [PostData.of(post, files.get(post.id, ())) for post in posts]

    # Kept per worker under the thread's stamp (its posts and files) and its association's (authors' names).
    key = (thread.id, thread.content_version, thread.association.content_version, page, mode)
    posts = fragments.remember("thread_posts", load, *key)
    view = ThreadView(thread, ListPage(posts, page, POSTS_PER_PAGE, thread.post_count), mode, key=key)
    view.urls = PostUrls(thread, page, mode)
    if reader is not None and 0 < reader.last_read_number < thread.post_count:
        view.first_unread = reader.last_read_number + 1
    if getattr(user, "is_authenticated", False):
        view.watch_level = reader.level if reader is not None else WatchLevel.NORMAL
    _load_extras(view, user)
    return view


def _load_extras(view: ThreadView, user) -> None:
    post_ids = [p.id for p in view.posts]
    if not post_ids:
        return
    if (reader_marks := _optional("engagement", "reader_marks")) is not None:
        view.reactions, view.bookmarks = reader_marks(user, post_ids)


def post_in_thread(thread: Thread, post_id: int | None) -> Post | None:
    """A post of this thread by id (for reply_to and quotes), or None."""
    if post_id is None:
        return None
    post = db.session.get(Post, post_id, options=[joinedload(Post.author)])
    return post if post is not None and post.thread_id == thread.id else None


def quote_markdown(post: Post) -> str:
    """The post's source as a Markdown quote, ready to answer below it."""
    lines = (post.body or "").strip().splitlines() or [""]
    return "\n".join(f"> {line}".rstrip() for line in lines) + "\n\n"
