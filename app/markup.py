"""The one place user text becomes HTML: Markdown (markdown-it-py, raw HTML off) → nh3 (Ammonia) allow-list.

Sanitise after Markdown, never before: Markdown can build a `javascript:` link out of harmless-looking text.
The stored HTML is the only thing templates mark `|safe`.

markdown-it-py (with linkify-it and mdurl) and nh3 are imported on the first render, not with the app: pages only show
stored HTML, so a worker that serves readers never loads them (~2.5 MB of resident memory a process).
"""

import re
from functools import cache
from html import escape, unescape

from app.db import fold_for_search

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False}).enable(
        ["table", "strikethrough", "linkify"]
    )


# @[Фамилия Имя Отчество]: brackets let a mention hold spaces and Cyrillic, and stop exactly where the name ends.
MENTION_RE = re.compile(r"@\[([^\[\]\n<>]{1,200})\]")
_CODE_RE = re.compile(r"(<pre>.*?</pre>|<code>.*?</code>)", re.S)


def find_mentions(source: str) -> list[str]:
    """The names mentioned in Markdown source, folded (lower case, ё→е, single spaces), in order, once each."""
    return list(dict.fromkeys(mention_key(name) for name in MENTION_RE.findall(source or "")))


def mention_key(name: str) -> str:
    return re.sub(r"\s+", " ", fold_for_search(name))


def render_markdown(source: str, mentions: dict[str, str] | None = None) -> str:
    """Markdown source → safe HTML, ready to store beside the source.

    `mentions` maps folded names (see `mention_key`) to profile URLs: those @[…] become links; others stay text.
    """
    html = _markdown().render(source or "")
    if mentions:
        html = _link_mentions(html, mentions)
    return sanitize_html(html)


def _link_mentions(html: str, mentions: dict[str, str]) -> str:
    def link(match: re.Match) -> str:
        # The name is already HTML-escaped text here; the key is compared on the unescaped, folded form.
        url = mentions.get(mention_key(unescape(match.group(1))))
        return f'<a href="{escape(url)}">@{match.group(1)}</a>' if url else match.group(0)

    # Mentions inside code stay literal.
    return "".join(part if _CODE_RE.fullmatch(part) else MENTION_RE.sub(link, part) for part in _CODE_RE.split(html))


def sanitize_html(html: str) -> str:
    import nh3

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )
