"""What a post shows to one reader, as plain values: the input of the post macros in `_post.html` and the key under
which the rendered post is kept in the fragment cache (app/fragments.py).

A card holds the post's text and attachments, its author, the answered post's excerpt, the reader's rights on it
(reply, «Полезно», bookmark, edit, delete, restore, history) and every link already formatted. The macros read
nothing else, so two readers with the same rights share the rendered post, and any change (an edit, a reaction, a
renamed author, another page of the thread) makes another card. Building cards runs no query: the thread page's view
(`queries.ThreadView`) has loaded what they need.

Other features add their marks to a thread page's posts through `POST_MARK_SOURCES` (consultations: «Консультация
методиста», «Решение», «Рекомендовано методистом» and their buttons), so discussions imports nothing of them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from markupsafe import Markup

from app import fragments, policy
from app.auth.models import User
from app.db import prepared
from app.discussions.attachments import thumbnail_size
from app.discussions.models import Attachment, Post
from app.extensions import db


@dataclass(frozen=True, slots=True)
class FileCard:
    download_url: str
    display_name: str
    is_image: bool
    thumbnail_url: str | None  # images with a thumbnail
    thumbnail_size: tuple[int, int] | None
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class ParentCard:
    """The post a reply answers: «в ответ на <author>» with a link, and its excerpt unless removed."""

    number: int
    author_name: str | None
    url: str
    excerpt: str | None  # None: removed, shown as «сообщение удалено»


@dataclass(frozen=True, slots=True)
class ParentData:
    """The post a reply answers, as any reader's card starts from it."""

    number: int
    author_name: str | None
    visible: bool
    excerpt: str


@dataclass(frozen=True, slots=True)
class PostData:
    """A post as the thread page shows it to anyone: its columns, its author's name, the post it answers and its
    files. The thread page keeps a page of these per worker under the thread's change stamp (app/stamps.py), so a
    page served again loads no posts; each reader's card (rights, links, marks) is then built from them."""

    id: int
    thread_id: int
    number: int
    depth: int
    author_id: int | None
    author_name: str | None  # None: the author's account is gone
    created_at: datetime
    body_html: str
    edited_at: datetime | None
    revision_count: int
    useful_count: int
    deleted_at: datetime | None
    hidden_at: datetime | None
    parent: ParentData | None
    files: tuple[FileCard, ...]
    # moderation: who hid it (None with `hidden_at`: hidden by members' reports, or held) and why; held for approval
    hidden_by_id: int | None = None
    hidden_reason: str = ""
    held: bool = False

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None

    @classmethod
    def of(cls, post: Post, files=()) -> "PostData":
        from app.discussions.queries import excerpt  # queries imports this module

        parent = post.reply_to
        return cls(
            id=post.id,
            thread_id=post.thread_id,
            number=post.number,
            depth=post.depth,
            author_id=post.author_id,
            author_name=post.author.full_name if post.author else None,
            created_at=post.created_at,
            body_html=post.body_html,
            edited_at=post.edited_at,
            revision_count=post.revision_count,
            useful_count=post.useful_count,
            deleted_at=post.deleted_at,
            hidden_at=post.hidden_at,
            parent=(
                ParentData(
                    number=parent.number,
                    author_name=parent.author.full_name if parent.author else None,
                    visible=parent.is_visible,
                    excerpt=excerpt(parent),
                )
                if parent is not None
                else None
            ),
            files=tuple(_file_card(f) for f in files),
            hidden_by_id=post.hidden_by_id,
            hidden_reason=post.hidden_reason or "",
            held=post.held_at is not None,
        )


@dataclass(frozen=True, slots=True)
class PostBadge:
    label: str
    css: str = ""  # extra class of the badge (`badge-ok` …)


@dataclass(frozen=True, slots=True)
class PostButton:
    """A button in a POST form of its own (with the CSRF marker) that acts on the post. With `reason`, the form opens
    as a disclosure asking for a reason first (the label of its required field `reason`)."""

    url: str
    label: str
    hint: str = ""  # visually hidden words after the label (which post it acts on)
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PostLink:
    """A plain link beside the post's buttons, to a page of its own (moderation: «Пожаловаться» opens the report
    form); whatever changes state happens there, by POST."""

    url: str
    label: str
    hint: str = ""  # visually hidden words after the label (which post it concerns)


@dataclass(frozen=True, slots=True)
class PostMarks:
    """What another feature shows on a post for one reader: badges beside the author, notes under the text, buttons,
    links."""

    badges: tuple[PostBadge, ...] = ()
    notes: tuple[str, ...] = ()
    buttons: tuple[PostButton, ...] = ()
    links: tuple[PostLink, ...] = ()

    def __add__(self, other: "PostMarks") -> "PostMarks":
        return PostMarks(
            self.badges + other.badges, self.notes + other.notes, self.buttons + other.buttons, self.links + other.links
        )


@dataclass(frozen=True, slots=True)
class PostMarkSource:
    """One feature's marks on a thread page's posts.

    `load(thread, post_ids)` reads what the marks need for a page's posts: at most one query, none where the feature
    has nothing to add. Its result is kept with the page's posts under their change stamps (`ThreadView.key`), so it
    may read only tables whose changes raise the thread's stamp (app/stamps.py). `marks(view, user, loaded)` turns it
    into {post id: PostMarks} for this reader, running no query; the marks are part of the rendered page's key."""

    load: Callable
    marks: Callable


POST_MARK_SOURCES: list[PostMarkSource] = []


class _InThread:
    """A PostData with the request's thread, for the policy's rules (they read `post.thread`)."""

    __slots__ = ("_data", "thread")

    def __init__(self, data: PostData, thread):
        self._data, self.thread = data, thread

    def __getattr__(self, name):
        return getattr(self._data, name)


@dataclass(frozen=True, slots=True)
class PostCard:
    id: int
    number: int
    depth: int  # nesting shown (0 in the flat view)
    author_name: str | None  # None: the author's account is gone
    profile_url: str | None
    created_at: datetime
    parent: ParentCard | None
    visible: bool  # neither deleted nor hidden
    deleted: bool
    moderator: bool  # the reader moderates the association (sees removed text, with a notice)
    body_html: str | None  # None when the reader may not see the text
    files: tuple[FileCard, ...]
    # «Полезно» and bookmarks
    useful_count: int
    useful_url: str | None  # who found it useful (None when nobody did or the post is removed)
    useful_toggle_url: str | None  # None: the reader may not react
    useful_mine: bool
    bookmark_toggle_url: str | None  # None: the reader may not bookmark
    bookmarked: bool
    back_url: str  # where the toggles return (this page: fragments.HERE_MARKER)
    # links and actions
    reply_url: str | None
    quote_url: str | None
    edited_at: datetime | None  # shown as «изменено …» when set
    history_url: str | None
    edit_url: str | None
    delete_url: str | None
    restore_url: str | None
    marks: PostMarks | None = None  # other features' badges, notes and buttons (POST_MARK_SOURCES)
    # a hidden post whose text the reader sees (moderators, its author): why, by whom, or held for approval
    held: bool = False
    by_reports: bool = False  # hidden by members' reports, pending a moderator's review
    hidden_reason: str = ""
    hidden_by: str | None = None  # the moderator's name, for moderators


def _file_card(file: Attachment) -> FileCard:
    return FileCard(
        download_url=url_for("attachments.attachment_download", attachment_id=file.id, name=file.display_name),
        display_name=file.display_name,
        is_image=file.is_image,
        thumbnail_url=(
            url_for("attachments.attachment_thumbnail", attachment_id=file.id)
            if file.is_image and file.thumbnail_name
            else None
        ),
        thumbnail_size=thumbnail_size(file) if file.is_image and file.thumbnail_name else None,
        content_type=file.content_type,
        size=file.size,
    )


def _parent_card(post: PostData, view, moderator: bool) -> ParentCard | None:
    parent = post.parent
    if parent is None:
        return None
    if view is not None and view.mode == "flat":
        url = f"{view.urls.page(view.page_of(parent.number))}#post-{parent.number}"
    else:
        url = f"#post-{parent.number}"
    return ParentCard(
        number=parent.number,
        author_name=parent.author_name,
        url=url,
        excerpt=parent.excerpt if parent.visible or moderator else None,
    )


def post_card(
    post: Post | PostData,
    view=None,
    *,
    user,
    moderator: bool | None = None,
    may_reply: bool | None = None,
    reactions=None,
    bookmarks=None,
    attachments=None,
    marks: PostMarks | None = None,
    hiders: dict[int, str] | None = None,
) -> PostCard:
    """The card of `post` for `user`. `view` (queries.ThreadView) supplies the page's lookups (reactions, bookmarks),
    its thread, view mode and link patterns, and its posts come as PostData with their files; a page showing one post
    alone passes the Post and the lookups it has. `hiders` names the moderators who hid the page's posts (moderators
    see who hid a post)."""
    if view is not None:
        reactions, bookmarks = view.reactions, view.bookmarks
    if isinstance(post, Post):
        thread = post.thread
        post = PostData.of(post, attachments.get(post.id, ()) if attachments else ())
    else:
        thread = view.thread
    ruled = _InThread(post, thread)
    association = thread.association
    moderator = policy.can_moderate(user, association) if moderator is None else moderator
    may_reply = policy.can_reply(user, thread) if may_reply is None else may_reply
    urls = view.urls if view is not None else None
    # the author sees their own hidden or held post (with a banner); a deleted one only moderators
    own = policy.is_active_user(user) and post.author_id is not None and post.author_id == user.id
    shown = post.is_visible or moderator or (own and post.deleted_at is None)
    may_react = policy.can_react(user, ruled)
    may_bookmark = policy.can_bookmark(user, ruled)
    may_edit = policy.can_edit_post(user, ruled)
    may_history = post.revision_count > 0 and policy.can_view_post_history(user, ruled)
    shows_edited = post.edited_at is not None and policy.can_view_post(user, ruled)

    def link(pattern_name: str, endpoint: str) -> str:
        return getattr(urls, pattern_name)(post.id) if urls else url_for(endpoint, post_id=post.id)

    if post.author_id is None or post.author_name is None:
        profile_url = None
    elif urls:
        profile_url = urls.profile(post.author_id)
    else:
        profile_url = url_for("profiles.profile_show", user_id=post.author_id)
    return PostCard(
        id=post.id,
        number=post.number,
        depth=post.depth if view is not None and view.mode == "tree" else 0,
        author_name=post.author_name,
        profile_url=profile_url,
        created_at=post.created_at,
        parent=_parent_card(post, view, moderator),
        visible=post.is_visible,
        deleted=post.deleted_at is not None,
        moderator=moderator,
        body_html=post.body_html if shown else None,
        files=post.files if shown else (),
        useful_count=post.useful_count,
        useful_url=link("useful_list", "engagement.useful_list") if post.useful_count and post.is_visible else None,
        useful_toggle_url=link("useful_toggle", "engagement.useful_toggle") if may_react else None,
        useful_mine=bool(reactions and reactions.get(post.id, False)),
        bookmark_toggle_url=link("bookmark_toggle", "engagement.bookmark_toggle") if may_bookmark else None,
        bookmarked=bool(bookmarks and post.id in bookmarks),
        back_url=f"{fragments.HERE_MARKER}#post-{post.number}",  # this page, filled in when it leaves
        reply_url=urls.reply(post.id) if urls and post.is_visible and may_reply else None,
        quote_url=urls.quote(post.id) if urls and post.is_visible and may_reply else None,
        edited_at=post.edited_at if shows_edited else None,
        history_url=link("history", "editing.post_history") if may_history else None,
        edit_url=link("edit", "editing.post_edit") if may_edit else None,
        delete_url=link("delete", "editing.post_delete") if policy.can_delete_post(user, ruled) else None,
        restore_url=link("restore", "editing.post_restore") if policy.can_restore_post(user, ruled) else None,
        marks=marks,
        held=post.held,
        by_reports=post.hidden_at is not None and post.hidden_by_id is None and not post.held,
        hidden_reason=post.hidden_reason if shown and not post.is_visible else "",
        hidden_by=(hiders or {}).get(post.hidden_by_id) if moderator and post.hidden_at is not None else None,
    )


def _unproxied(user):
    """The user object behind Flask-Login's `current_user` proxy: each attribute read through the proxy looks the
    request up again, and a page of posts reads hundreds."""
    resolve = getattr(user, "_get_current_object", None)
    return resolve() if resolve is not None else user


def _rights(view, user, moderator: bool, may_reply: bool) -> tuple:
    """Every input of the rules `post_card` applies to the reader, for the posts of `view`: whether they are an active
    user, moderate, may reply, may post in the association, may see the thread, and which of the page's posts are
    theirs. A rule that reads anything else about the reader must add it here."""
    user_id = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    return (
        policy.is_active_user(user),
        moderator,
        may_reply,
        policy.can_post_in(user, view.thread.association),
        policy.can_view_thread(user, view.thread),
        tuple(post.id for post in view.posts if user_id is not None and post.author_id == user_id),
    )


def render_posts(view, macro, *, user, moderator: bool, may_reply: bool) -> Markup:
    """The page's posts, kept whole per worker under the posts' key (their change stamps, page and mode), the
    reader's rights (`_rights`) and marks («Полезно», bookmarks, other features' `page_marks`), the language and the
    time zone: readers with the same rights share it. Else each post from the fragment cache by its card
    (`_render_posts`)."""
    user = _unproxied(user)
    extra = page_marks(view, user)
    hiders = hider_names(view) if moderator else {}
    if not view.key:
        return _render_posts(view, macro, extra, hiders, user=user, moderator=moderator, may_reply=may_reply)
    marks = (tuple(sorted(view.reactions.items())), tuple(sorted(view.bookmarks)), tuple(sorted(extra.items())),
             tuple(sorted(hiders.items())))  # fmt: skip
    key = (*view.key, *_rights(view, user, moderator, may_reply), marks, *fragments.language_and_zone())

    def render() -> Markup:
        return _render_posts(view, macro, extra, hiders, user=user, moderator=moderator, may_reply=may_reply)

    return fragments.remember("thread_posts_html", render, *key)


def page_marks(view, user) -> dict[int, PostMarks]:
    """Post id → the marks of every source (`POST_MARK_SOURCES`) for this reader on the page's posts. What the sources
    load is kept with the posts under `view.key`."""
    if not POST_MARK_SOURCES or not view.posts:
        return {}
    post_ids = [post.id for post in view.posts]

    def load() -> tuple:
        return tuple(source.load(view.thread, post_ids) for source in POST_MARK_SOURCES)

    loaded = fragments.remember("thread_post_marks", load, *view.key) if view.key else load()
    merged: dict[int, PostMarks] = {}
    for source, data in zip(POST_MARK_SOURCES, loaded, strict=True):
        for post_id, marks in source.marks(view, user, data).items():
            merged[post_id] = merged[post_id] + marks if post_id in merged else marks
    return merged


@prepared
def _names_of_users():
    return sa.select(User.id, User.full_name).where(User.id.in_(sa.bindparam("ids", expanding=True)))


def hider_names(view) -> dict[int, str]:
    """User id → name of the moderators who hid the page's posts, for moderators' banners: one query, and only when a
    post on the page was hidden by someone. Not kept under the page's stamps (a moderator need not belong to the
    association, whose stamp their rename would raise): the names are part of the rendered page's key instead."""
    ids = {post.hidden_by_id for post in view.posts if post.hidden_at is not None and post.hidden_by_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(_names_of_users(), {"ids": sorted(ids)}).tuples().all())


def _render_posts(view, macro, extra: dict, hiders: dict, *, user, moderator: bool, may_reply: bool) -> Markup:
    html = []
    for post in view.posts:
        marks = extra.get(post.id)
        card = post_card(post, view, user=user, moderator=moderator, may_reply=may_reply, marks=marks, hiders=hiders)
        html.append(fragments.render("discussions/post_item", macro, card))
    return Markup("\n".join(html))  # noqa: S704  (each part rendered by our template, escaped there)
