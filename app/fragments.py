"""Rendered HTML of repeated page parts (a thread in a list, a post), kept per worker process and keyed by
everything the part shows.

Rendering a post or a list row through Jinja costs far more than loading it, and most of them look the same on the
next request. A fragment is rendered by a macro that receives nothing but its key's values (plain, hashable data:
text, numbers, dates, enum members, tuples) and reads nothing else, so a key says exactly what the HTML depends on and
a stale fragment cannot exist: an edit, a new reply, a renamed author or another viewer's rights make another key.
The page's language and time zone are part of every key. Nothing to invalidate, which is what makes it safe with
several workers and with writes from the CLI.

What differs per viewer and per request (the CSRF token, «unread» badges) stays out of fragments, or is put into a
fragment as a marker replaced in the finished page (`CSRF_MARKER`, put in by an after-request hook).

Memory is bounded: least recently used fragments go first once `FRAGMENT_CACHE_BYTES` is reached; 0 turns caching
off (every call renders).
"""

import sys
import threading
from collections import OrderedDict

from flask import current_app, g, request, url_for
from flask_babel import get_locale, get_timezone
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

# Fragments carry these instead of what differs per request; the finished page gets them replaced (_fill_markers):
CSRF_MARKER = "\x00csrf\x00"  # the request's CSRF token
HERE_MARKER = "\x00here\x00"  # this page's path and query, for the «next» of forms that come back here


def cost(html: str) -> int:
    """Memory a kept fragment takes, counted high: the HTML as Python holds it (Cyrillic takes two bytes a letter), as
    much again for its key (a post's key holds the post's text) and the bookkeeping."""
    return 2 * sys.getsizeof(html) + 200


class FragmentCache:
    """A bounded LRU map of keys to kept values (rendered fragments, and query results keyed by change stamps: see
    `remember`), each counted at its `cost`."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: tuple, value, size: int | None = None) -> None:
        size = cost(value) if size is None else size
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_old, old_size) = self._items.popitem(last=False)
                self._bytes -= old_size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


_CSRF_MARKER_BYTES = CSRF_MARKER.encode()
_HERE_MARKER_BYTES = HERE_MARKER.encode()


def init_app(app) -> None:
    app.extensions["vmk_fragments"] = FragmentCache(app.config.get("FRAGMENT_CACHE_BYTES", 2 * 1024 * 1024))
    app.add_template_global(render, "fragment")
    app.add_template_global(render_stamped, "stamped_fragment")
    app.add_template_global(CSRF_MARKER, "csrf_marker")
    app.add_template_global(HERE_MARKER, "here_marker")
    app.add_template_filter(tuple, "tuple")  # lists become hashable fragment values
    app.add_template_global(pagination_values)
    app.add_template_global(page_url)
    app.after_request(_fill_markers)


def _fill_markers(response):
    """The page leaves with this request's CSRF token and its own address where fragments carry the markers."""
    if response.mimetype == "text/html" and not response.is_streamed:
        body = response.get_data()
        if _CSRF_MARKER_BYTES in body or _HERE_MARKER_BYTES in body:
            here = request.full_path if request.query_string else request.path
            body = body.replace(_CSRF_MARKER_BYTES, generate_csrf().encode())
            response.set_data(body.replace(_HERE_MARKER_BYTES, str(escape(here)).encode()))
    return response


def pagination_values(page, endpoint: str) -> tuple:
    """What a pager shows, as plain values (the `page_links` macro's arguments): the endpoint and the request's
    arguments it keeps, the current page, its neighbours and the page numbers to list (None for a gap)."""
    view_args = tuple(sorted((request.view_args or {}).items()))
    args = tuple((key, value) for key, value in request.args.items() if key != "page")
    numbers = tuple(page.iter_pages(left_edge=1, left_current=2, right_current=2, right_edge=1))
    previous = page.prev_num if page.has_prev else None
    following = page.next_num if page.has_next else None
    return endpoint, view_args, args, page.page, previous, following, numbers


def page_url(endpoint: str, view_args: tuple, args: tuple, number: int) -> str:
    return url_for(endpoint, **dict(view_args), **dict(args), page=number)


def language_and_zone() -> tuple[str, str]:
    """The page's language and time zone (part of every key), found once per request: Flask-Babel's own look-ups
    go through several context proxies each time. Kept beside the locale object they were found for, so a
    `force_locale()` block still gets its own."""
    ctx = getattr(g, "_flask_babel", None)
    locale = getattr(ctx, "babel_locale", None)
    known = getattr(ctx, "vmk_fragment_key", None)
    if known is not None and known[0] is locale and locale is not None:
        return known[1]
    found = (str(get_locale()), str(get_timezone()))
    ctx = getattr(g, "_flask_babel", None)
    if ctx is not None:
        ctx.vmk_fragment_key = (getattr(ctx, "babel_locale", None), found)
    return found


def cache() -> FragmentCache:
    return current_app.extensions["vmk_fragments"]


def render(name: str, macro, *values) -> Markup:
    """`macro(*values)`, from the cache when the same values were rendered before in this language and time zone.

    `name` tells macros apart (the template's path and the macro's name); `values` must be all the macro reads."""
    store = cache()
    if store.max_bytes <= 0:
        return macro(*values)
    key = (name, *language_and_zone(), *values)
    html = store.get(key)
    if html is None:
        html = macro(*values)  # a macro's output is Markup already
        store.put(key, html)
    return html


def remember_for_user(name: str, user, compute, *values):
    """`remember` under the user's change stamps and the site's (`stamps.user_stamps`) plus `values`; computed every
    time where the request read no stamps (outside a signed-in request)."""
    from app.stamps import user_stamps

    key = user_stamps(user)
    return compute() if key is None else remember(name, compute, *key, *values)


def render_stamped(name: str, stamps: tuple, macro, *args) -> Markup:
    """`macro(*args)` kept under `stamps`, change stamps (app/stamps.py) that cover everything the macro reads of
    `args` (objects may be passed, unlike `render`), plus the language and time zone. For page parts that show rows
    whose stamps the page has already read (an association's facts under its version)."""
    return remember(name, lambda: macro(*args), *stamps, *language_and_zone())


def data_cost(value) -> int:
    """Memory a kept result takes, counted high: HTML as a fragment, ~600 bytes a row (a row of a thread list holds a
    title, names and dates), 100 for a number."""
    if isinstance(value, str):
        return cost(value)
    return 300 + 600 * len(value) if isinstance(value, list | tuple | dict) else 100


def remember(name: str, compute, *key):
    """`compute()`, kept in the same store as the fragments under `key`, which must hold change stamps
    (`app/stamps.py`) covering everything `compute` reads, and every value it depends on (user, filters, page).

    Computed afresh, and not kept, when this request's transaction has written (its own changes would not be in the
    stamps the key was read with yet) and when caching is off."""
    from app import stamps

    store = cache()
    if store.max_bytes <= 0 or stamps.written_in_this_transaction():
        return compute()
    full_key = ("data", name, *key)
    value = store.get(full_key)
    if value is None:
        value = compute()
        store.put(full_key, value, data_cost(value))
    return value
