"""Locale and time zone of the request, and the display filters for dates (stored UTC, shown in the user's zone)."""

import functools
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, g, request
from flask_babel import format_date, format_datetime, get_locale, get_translations
from flask_login import current_user

LOCALE_COOKIE = "vmk_locale"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(LOCALE_COOKIE) if request else None
    if cookie in languages:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if getattr(current_user, "is_authenticated", False) and is_valid_timezone(current_user.timezone):
        return current_user.timezone
    return current_app.config["TIMEZONE"]


def is_valid_timezone(name: str | None) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def datetime_filter(value: datetime | None, fmt: str = "d MMMM y, HH:mm") -> str:
    """«25 ноября 2026, 14:30» in the user's zone."""
    return "" if value is None else format_datetime(value, fmt)


def date_filter(value: datetime | None, fmt: str = "d MMMM y") -> str:
    if value is None:
        return ""
    return format_datetime(value, fmt) if isinstance(value, datetime) else format_date(value, fmt)


def _translations():
    """The request's catalog, found once per request and locale.

    Flask-Babel resolves the context, domain and locale again on every `_()` a template calls (about a hundred per
    page); this keeps the catalog on Flask-Babel's per-request namespace next to the locale it was found for, so
    `force_locale()` (e-mails in the recipient's language) still gets its own."""
    ctx = getattr(g, "_flask_babel", None) if g else None
    if ctx is not None:
        found = getattr(ctx, "vmk_translations", None)
        locale = getattr(ctx, "babel_locale", None)
        if found is not None and locale is not None and found[0] is locale:
            return found[1]
    translations = get_translations()
    ctx = getattr(g, "_flask_babel", None) if g else None
    if ctx is not None and getattr(ctx, "babel_locale", None) is not None:
        ctx.vmk_translations = (ctx.babel_locale, translations)
    return translations


@functools.cache
def _wtforms_catalog(locale: str):
    from babel import support
    from wtforms.i18n import messages_path

    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages («This field is required.» …) in the request's language. Flask-WTF reads WTForms' catalog
    from disk on every request that shows a form; this one is loaded once per process and language, when first used,
    and always follows `get_locale()` (so `force_locale()` too)."""

    def ugettext(self, string):
        return _wtforms_catalog(str(get_locale())).ugettext(string)

    def ungettext(self, singular, plural, n):
        return _wtforms_catalog(str(get_locale())).ungettext(singular, plural, n)


_WTFORMS_MESSAGES = _WTFormsMessages()


def _offer_wtforms_messages() -> None:
    request.wtforms_translations = _WTFORMS_MESSAGES  # where Flask-WTF looks first


def init_app(app) -> None:
    app.before_request(_offer_wtforms_messages)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
