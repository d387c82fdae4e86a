"""Locale and time zone of the request, and the display filters for dates (stored UTC, shown in the user's zone)."""

import functools
from contextlib import contextmanager
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, g, request
from flask_babel import (
    force_locale,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_timezone,
    get_translations,
)
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


# The two formats every page uses, written out for our two languages: Babel's formatter would load a language's whole
# CLDR data (1.3–1.6 MB a worker and language) for month names, and costs more CPU. Other formats go to Babel.
DATETIME_FORMAT = "d MMMM y, HH:mm"
DATE_FORMAT = "d MMMM y"
MONTHS = {
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября",
           "декабря"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip


def _day_month_year(value: date, months: tuple[str, ...]) -> str:
    return f"{value.day} {months[value.month - 1]} {value.year}"


def datetime_filter(value: datetime | None, fmt: str = DATETIME_FORMAT) -> str:
    """«25 ноября 2026, 14:30» in the user's zone."""
    if value is None:
        return ""
    months = MONTHS.get(str(get_locale()))
    if fmt != DATETIME_FORMAT or months is None:
        return format_datetime(value, fmt)
    local = value.astimezone(get_timezone()) if value.tzinfo else value
    return f"{_day_month_year(local, months)}, {local:%H:%M}"


def date_filter(value: date | datetime | None, fmt: str = DATE_FORMAT) -> str:
    if value is None:
        return ""
    months = MONTHS.get(str(get_locale()))
    if fmt != DATE_FORMAT or months is None:
        return format_datetime(value, fmt) if isinstance(value, datetime) else format_date(value, fmt)
    if isinstance(value, datetime) and value.tzinfo:
        value = value.astimezone(get_timezone())
    return _day_month_year(value, months)


_NUMBER_SYMBOLS = {"ru": ("\xa0", ","), "en": (",", ".")}  # (group, decimal) as CLDR has them


def format_number(value: float, decimals: int = 0) -> str:
    """«1 010», «1,2» in Russian, «1,010», «1.2» in English: up to `decimals` digits after the point, trailing zeros
    dropped (Babel's "#,##0.#"), without loading the language's CLDR data."""
    symbols = _NUMBER_SYMBOLS.get(str(get_locale()))
    if symbols is None:
        return format_decimal(value, format="#,##0" + ("." + "#" * decimals if decimals else ""))
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)  # as Babel
    text = f"{rounded:,f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.translate(str.maketrans({",": symbols[0], ".": symbols[1]}))


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
    app.jinja_env.globals["language_choices"] = tuple(app.config["LANGUAGES"].items())  # (code, name) pairs
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


@contextmanager
def recipient_context(user):
    """Write for `user` outside their request (e-mail from the worker): their language and their time zone, so
    dates in the message read as on their screen. Restores the current ones after."""
    from pytz import timezone as pytz_timezone

    languages = current_app.config["LANGUAGES"]
    locale = user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    zone = user.timezone if is_valid_timezone(user.timezone) else current_app.config["TIMEZONE"]
    with force_locale(locale):
        ctx = g._flask_babel  # force_locale made Flask-Babel's per-request namespace
        saved = getattr(ctx, "babel_tzinfo", None)
        ctx.babel_tzinfo = pytz_timezone(zone)
        try:
            yield
        finally:
            ctx.babel_tzinfo = saved
