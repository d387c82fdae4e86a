"""What a post shows to one reader, as plain values: the input of the post macros in `_post.html` and the key under
which the rendered post is kept in the fragment cache (app/fragments.py).

A card holds the post's text and attachments, its author, the answered post's excerpt, the reader's rights on it
(reply, «Полезно», bookmark, edit, delete, restore, history) and every link already formatted. The macros read
nothing else, so two readers with the same rights share the rendered post, and any change (an edit, a reaction, a
renamed author, another page of the thread) makes another card. Building cards runs no query: the thread page's view
(`queries.ThreadView`) has loaded what they need.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from markupsafe import Markup

from app import fragments, policy
from app.discussions.attachments import thumbnail_size
from app.discussions.models import Attachment, Post


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


def _parent_card(post: Post, view, moderator: bool, excerpt) -> ParentCard | None:
    parent = post.reply_to
    if parent is None:
        return None
    if view is not None and view.mode == "flat":
        url = f"{view.urls.page(view.page_of(parent.number))}#post-{parent.number}"
    else:
        url = f"#post-{parent.number}"
    return ParentCard(
        number=parent.number,
        author_name=parent.author.full_name if parent.author else None,
        url=url,
        excerpt=excerpt(parent) if parent.is_visible or moderator else None,
    )


def post_card(
    post: Post,
    view=None,
    *,
    user,
    moderator: bool | None = None,
    may_reply: bool | None = None,
    reactions=None,
    bookmarks=None,
    attachments=None,
) -> PostCard:
    """The card of `post` for `user`. `view` (queries.ThreadView) supplies the page's lookups (reactions, bookmarks,
    attachments), its view mode and its link patterns; a page showing one post alone passes the lookups it has."""
    from app.discussions.queries import excerpt  # queries imports this module

    if view is not None:
        reactions, bookmarks, attachments = view.reactions, view.bookmarks, view.attachments
    association = post.thread.association
    moderator = policy.can_moderate(user, association) if moderator is None else moderator
    may_reply = policy.can_reply(user, post.thread) if may_reply is None else may_reply
    urls = view.urls if view is not None else None
    shown = post.is_visible or moderator
    files = attachments.get(post.id, ()) if attachments else ()
    may_react = policy.can_react(user, post)
    may_bookmark = policy.can_bookmark(user, post)
    may_edit = policy.can_edit_post(user, post)
    may_history = post.revision_count > 0 and policy.can_view_post_history(user, post)
    shows_edited = post.edited_at is not None and policy.can_view_post(user, post)

    def link(pattern_name: str, endpoint: str) -> str:
        return getattr(urls, pattern_name)(post.id) if urls else url_for(endpoint, post_id=post.id)

    if post.author is None:
        profile_url = None
    elif urls:
        profile_url = urls.profile(post.author.id)
    else:
        profile_url = url_for("profiles.profile_show", user_id=post.author.id)
    return PostCard(
        id=post.id,
        number=post.number,
        depth=post.depth if view is not None and view.mode == "tree" else 0,
        author_name=post.author.full_name if post.author else None,
        profile_url=profile_url,
        created_at=post.created_at,
        parent=_parent_card(post, view, moderator, excerpt),
        visible=post.is_visible,
        deleted=post.deleted_at is not None,
        moderator=moderator,
        body_html=post.body_html if shown else None,
        files=tuple(_file_card(f) for f in files) if shown else (),
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
        delete_url=link("delete", "editing.post_delete") if policy.can_delete_post(user, post) else None,
        restore_url=link("restore", "editing.post_restore") if policy.can_restore_post(user, post) else None,
    )


def _unproxied(user):
    """The user object behind Flask-Login's `current_user` proxy: each attribute read through the proxy looks the
    request up again, and a page of posts reads hundreds."""
    resolve = getattr(user, "_get_current_object", None)
    return resolve() if resolve is not None else user


def render_posts(view, macro, *, user, moderator: bool, may_reply: bool) -> Markup:
    """The page's posts, each from the fragment cache by its card."""
    user = _unproxied(user)
    html = []
    for post in view.posts:
        card = post_card(post, view, user=user, moderator=moderator, may_reply=may_reply)
        html.append(fragments.render("discussions/post_item", macro, card))
    return Markup("\n".join(html))  # noqa: S704  (each part rendered by our template, escaped there)
