"""Dates in the user's zone and Russian format; the language switch for visitors and signed-in users."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user

from app.auth.models import User
from app.extensions import db
from app.i18n import LOCALE_COOKIE, is_valid_timezone
from tests.factories import make_user

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
