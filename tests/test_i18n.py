"""Dates in the user's zone and Russian format; the language switch for visitors and signed-in users; the catalogs
(English complete, Russian plural forms, in sync with the code) and pages rendered in both languages."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_login import login_user

from app.auth.models import User
from app.extensions import db
from app.i18n import LOCALE_COOKIE, is_valid_timezone
from tests.factories import make_association, make_membership, make_user, make_users

MOMENT = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


def _render(app, template: str, user=None, **context) -> str:
    # A fresh application context, as each real request has: Flask-Babel caches the zone and locale on `g`.
    with app.app_context(), app.test_request_context("/"):
        if user is not None:
            login_user(user)
        return render_template_string(template, **context)


# --- |datetime and |date -----------------------------------------------------------------------------------------


def test_datetime_filter_shows_moscow_time_in_russian(app):
    assert _render(app, "{{ value|datetime }}", value=MOMENT) == "25 ноября 2026, 17:30"


def test_date_filter_shows_the_day_in_russian(app):
    assert _render(app, "{{ value|date }}", value=MOMENT) == "25 ноября 2026"
    assert _render(app, "{{ value|date }}", value=date(2026, 3, 8)) == "8 марта 2026"


def test_date_filter_uses_the_moscow_day_near_midnight(app):
    late_evening_utc = datetime(2026, 12, 31, 22, 15, tzinfo=UTC)
    assert _render(app, "{{ value|date }}", value=late_evening_utc) == "1 января 2027"


def test_filters_show_nothing_for_a_missing_value(app):
    assert _render(app, "[{{ value|datetime }}|{{ value|date }}]", value=None) == "[|]"


def test_datetime_filter_respects_the_users_time_zone(app):
    user = make_user()
    user.timezone = "Asia/Yekaterinburg"  # UTC+5
    assert _render(app, "{{ value|datetime }}", user=user, value=MOMENT) == "25 ноября 2026, 19:30"


def test_a_user_in_kaliningrad_sees_their_own_time(app):
    user = make_user()
    user.timezone = "Europe/Kaliningrad"  # UTC+2
    assert _render(app, "{{ value|datetime }}", user=user, value=MOMENT) == "25 ноября 2026, 16:30"


def test_an_invalid_user_time_zone_falls_back_to_moscow(app):
    user = make_user()
    user.timezone = "Mars/Olympus_Mons"
    assert _render(app, "{{ value|datetime }}", user=user, value=MOMENT) == "25 ноября 2026, 17:30"


def test_datetime_filter_follows_the_users_language(app):
    user = make_user()
    user.locale = "en"
    assert _render(app, "{{ value|date }}", user=user, value=MOMENT) == "25 November 2026"


@pytest.mark.parametrize(
    ("name", "valid"),
    [("Europe/Moscow", True), ("Asia/Yekaterinburg", True), ("", False), (None, False), ("Europe", False),
     ("../../etc/passwd", False), ("/etc/localtime", False), ("Mars/Olympus_Mons", False)],
    ids=["moscow", "yekaterinburg", "empty", "none", "directory", "path-traversal", "absolute-path", "unknown"],
)  # fmt: skip
def test_is_valid_timezone(name, valid):
    assert is_valid_timezone(name) is valid


# --- the language switch -----------------------------------------------------------------------------------------


def _cookie(response, name: str) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return None


def _html_lang(client, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    return html.split("<html lang=", 1)[1].split(">", 1)[0].strip('"')


def test_visitor_sees_russian_by_default(client):
    assert _html_lang(client) == "ru"


def test_visitor_switches_to_english_with_a_cookie(client):
    response = client.post("/language", data={"locale": "en", "next": "/privacy"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/privacy"
    assert _cookie(response, LOCALE_COOKIE) == "en"
    assert _html_lang(client) == "en"
    assert _html_lang(client, "/privacy") == "en"


def test_visitor_switches_back_to_russian(client):
    client.post("/language", data={"locale": "en"})
    client.post("/language", data={"locale": "ru"})
    assert _html_lang(client) == "ru"


def test_an_unknown_locale_is_ignored(client):
    response = client.post("/language", data={"locale": "xx", "next": "/privacy"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/privacy"
    assert _cookie(response, LOCALE_COOKIE) is None
    assert _html_lang(client) == "ru"


def test_an_unknown_locale_cookie_is_ignored(client):
    client.set_cookie(LOCALE_COOKIE, "xx")
    assert _html_lang(client) == "ru"


def test_the_language_switch_does_not_redirect_off_site(client):
    response = client.post("/language", data={"locale": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_signed_in_user_keeps_the_language_in_the_profile(client, login):
    user = make_user()
    login(user)
    client.post("/language", data={"locale": "en"})
    assert db.session.scalar(sa.select(User.locale).where(User.id == user.id)) == "en"
    client.delete_cookie(LOCALE_COOKIE)
    assert _html_lang(client) == "en"


def test_the_profile_language_wins_over_the_cookie(client, login):
    user = make_user()
    login(user)
    client.set_cookie(LOCALE_COOKIE, "en")
    assert _html_lang(client) == "ru"


def test_the_language_switch_is_in_the_footer_of_every_page(client):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/language"' in html
    assert '<option value="en" lang="en"' in html


# --- the catalogs ------------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
# The keywords of `make extract-translations`: Babel's defaults plus the lazy ones.
EXTRA_KEYWORDS = ["_l", "lazy_gettext", "lazy_ngettext:1,2"]
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")


def _catalog(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _forms(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _msgid_placeholders(message) -> list[str]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    return sorted({p for msgid in ids for p in _placeholders(msgid)})


def _wrong_placeholders(messages) -> list:
    return [
        (m.id, form)
        for m in messages
        for form in _forms(m)
        if form and sorted(set(_placeholders(form))) != _msgid_placeholders(m)
    ]


def test_the_english_catalog_is_complete():
    catalog = _catalog("en")
    assert catalog.num_plurals == 2
    messages = [m for m in catalog if m.id]
    assert len(messages) > 400
    problems = {
        "untranslated": [
            m.id for m in messages if len(_forms(m)) != (2 if m.pluralizable else 1) or not all(_forms(m))
        ],
        "fuzzy": [m.id for m in messages if m.fuzzy],
        "placeholders differ from the msgid": _wrong_placeholders(messages),
        "format errors": [(m.id, errors) for m, errors in catalog.check()],
    }
    assert {k: v for k, v in problems.items() if v} == {}, "translations/en/LC_MESSAGES/messages.po"


def test_every_russian_plural_entry_has_three_forms():
    catalog = _catalog("ru")
    assert catalog.num_plurals == 3
    plurals = [m for m in catalog if m.id and m.pluralizable]
    assert plurals, "the Russian catalog has no plural entries: were the catalogs extracted?"
    problems = {
        "need three forms (1, 2–4, 5–20)": [m.id for m in plurals if len(_forms(m)) != 3 or not all(_forms(m))],
        "fuzzy": [m.id for m in plurals if m.fuzzy],
        "placeholders differ from the msgid": _wrong_placeholders(plurals),
        "format errors": [(m.id, errors) for m, errors in catalog.check()],
    }
    assert {k: v for k, v in problems.items() if v} == {}, "translations/ru/LC_MESSAGES/messages.po"


def _messages_in_the_code() -> dict[tuple[str, str | None], tuple[str | tuple[str, ...], str]]:
    """What `make extract-translations` extracts: (msgid, context) → (the message, the first place it occurs)."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(EXTRA_KEYWORDS)}
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault((msgid, context), (message, f"{filename}:{lineno}"))
    return found


def test_the_catalogs_are_in_sync_with_the_code():
    in_code = _messages_in_the_code()
    assert len(in_code) > 400
    missing = []
    for locale in ("en", "ru"):
        catalog = _catalog(locale)
        for (msgid, context), (message, where) in sorted(in_code.items(), key=lambda item: item[1][1]):
            entry = catalog.get(msgid, context)
            if entry is None or entry.id != message:
                missing.append(f"{locale}: {where}: {message!r}")
    assert missing == [], (
        "These strings of the code are missing from the catalogs (or their plural form changed):\n  "
        + "\n  ".join(missing)
        + "\nRun `make extract-translations`, then translate the new entries in "
        "translations/en/LC_MESSAGES/messages.po (and the plural forms in translations/ru/LC_MESSAGES/messages.po)."
    )


# --- rendered pages ----------------------------------------------------------------------------------------------


def test_the_home_page_in_english(client):
    client.post("/language", data={"locale": "en"})
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert ">Log in</a>" in html
    assert "What you will find here" in html
    assert "Skip to content" in html
    assert "Войти" not in html
    assert "Что здесь есть" not in html


def test_the_login_page_in_english(client):
    client.post("/language", data={"locale": "en"})
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html
    assert ">Log in</button>" in html
    assert "Remember me" in html
    assert "Forgot your password?" in html
    assert "Вход" not in html
    assert "Запомнить меня" not in html


def test_a_user_with_the_english_locale_sees_the_home_page_in_english(client, login):
    user = make_user()
    user.locale = "en"
    db.session.flush()
    login(user)
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "My associations" in html
    assert "You are not a member of any association yet." in html


def _member_count_line(client, name: str) -> str:
    html = client.get("/associations/", query_string={"q": name}).get_data(as_text=True)
    assert name in html
    lines = re.findall(r'<p class="assoc-card-line">([^<]*)</p>', html)
    assert len(lines) == 1, lines
    return lines[0].strip()


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 участник"), (3, "3 участника"), (11, "11 участников"), (21, "21 участник"), (24, "24 участника"),
     (25, "25 участников")],
)  # fmt: skip
def test_russian_plural_forms_on_the_associations_page(client, n, expected):
    association = make_association(f"РМО учителей географии {n}")
    for user in make_users(n):
        make_membership(user, association)
    assert _member_count_line(client, association.name) == expected


@pytest.mark.parametrize(("n", "expected"), [(1, "1 member"), (21, "21 members")])
def test_english_plural_forms_on_the_associations_page(client, n, expected):
    association = make_association(f"РМО учителей истории {n}")
    for user in make_users(n):
        make_membership(user, association)
    client.post("/language", data={"locale": "en"})
    assert _member_count_line(client, association.name) == expected


def test_templates_translate_in_the_forced_locale_and_back(app):
    """Template `_()` keeps the request's catalog, but `force_locale()` (an e-mail in the recipient's language) gets
    its own, and the page after it is in the request's language again."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ _('Выйти из объединения') }}"
    with app.test_request_context("/"):
        assert render_template_string(template) == "Выйти из объединения"
        with force_locale("en"):
            assert render_template_string(template) == "Leave the association"
        assert render_template_string(template) == "Выйти из объединения"


def test_wtforms_own_messages_follow_the_language(app):
    """WTForms' built-in messages (validators without a message of ours) come in the request's language, from a
    catalog loaded once per process and language."""
    from flask_babel import force_locale
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import DataRequired, Length

    class Probe(FlaskForm):
        name = StringField(validators=[DataRequired()])
        code = StringField(validators=[Length(min=5)])

    def errors() -> list[str]:
        form = Probe(data={"name": "", "code": "ab"}, meta={"csrf": False})
        form.validate()
        return form.name.errors + form.code.errors

    with app.test_request_context("/", method="POST"):
        app.preprocess_request()
        assert errors() == ["Обязательное поле.", "Значение должно содержать не менее 5 символов."]
        with force_locale("en"):
            assert errors() == ["This field is required.", "Field must be at least 5 characters long."]


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize("zone", ["Europe/Moscow", "Europe/Kaliningrad", "Asia/Vladivostok", "UTC"])
def test_our_date_formats_write_what_babel_writes(app, locale, zone):
    """The filters write the two formats every page uses themselves (no CLDR data loaded); Babel is the reference."""
    from datetime import timedelta

    from flask_babel import format_date, format_datetime

    from app.i18n import DATE_FORMAT, DATETIME_FORMAT, date_filter, datetime_filter

    user = make_user()
    user.locale, user.timezone = locale, zone
    moments = [datetime(2026, month, 1, 0, 5, tzinfo=UTC) + timedelta(hours=month * 5) for month in range(1, 13)]
    moments += [datetime(2025, 12, 31, 21, 30, tzinfo=UTC), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)]
    with app.test_request_context("/"):
        login_user(user)
        for moment in moments:
            assert datetime_filter(moment) == format_datetime(moment, DATETIME_FORMAT)
            assert date_filter(moment) == format_datetime(moment, DATE_FORMAT)
        assert date_filter(date(2026, 5, 9)) == format_date(date(2026, 5, 9), DATE_FORMAT)


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_our_number_format_writes_what_babel_writes(app, locale):
    from flask_babel import force_locale, format_decimal

    from app.i18n import format_number

    values = [0, 1, 12, 999, 1000, 1010, 1023, 123456, 0.05, 1.0, 1.25, 12.2, 19.9, 1234.5]
    with app.test_request_context("/"), force_locale(locale):
        for value in values:
            assert format_number(value) == format_decimal(value, format="#,##0")
            assert format_number(value, decimals=1) == format_decimal(value, format="#,##0.#")


def test_dates_and_sizes_load_no_language_data(app, monkeypatch):
    """Babel keeps a language's whole CLDR data (1.3–1.6 MB) once anything reads it; our formats never do."""
    import babel.localedata

    from app.discussions.attachments import human_size
    from app.i18n import date_filter, datetime_filter

    monkeypatch.setattr(babel.localedata, "_cache", {})
    with app.test_request_context("/"):
        assert datetime_filter(MOMENT) == "25 ноября 2026, 17:30"
        assert date_filter(MOMENT) == "25 ноября 2026"
        assert human_size(1258291) == "1,2 МБ"
    assert babel.localedata._cache == {}
