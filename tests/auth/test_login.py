"""Logging in and out: messages, refusals, safe `next`, rate limit, remember-me and the death of copied cookies."""

import pytest

from app.auth.models import UserStatus
from app.extensions import db
from tests.auth.conftest import cookie, is_signed_in, user_by_email
from tests.factories import PASSWORD, make_user

WRONG = "Неверный адрес электронной почты или пароль."


def post_login(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_login_page_links_to_registration_and_password_reset(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/register"' in html
    assert 'href="/password/reset"' in html
    assert "Забыли пароль?" in html
    assert 'href="/confirm/resend"' in html


def test_login_with_right_password_signs_in_and_records_last_seen(client):
    user = make_user(email="teacher@example.org")
    response = post_login(client, "Teacher@Example.org ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_signed_in(client)
    assert user_by_email(user.email).last_seen_at is not None


def test_wrong_email_and_wrong_password_get_the_same_message(client):
    make_user(email="known@example.org")
    unknown = post_login(client, "unknown@example.org")
    wrong = post_login(client, "known@example.org", "not-the-password-at-all")
    assert unknown.status_code == wrong.status_code == 400
    assert WRONG in unknown.get_data(as_text=True)
    assert WRONG in wrong.get_data(as_text=True)
    assert not is_signed_in(client)


def test_empty_form_is_refused_with_messages(client):
    response = client.post("/login", data={})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Укажите адрес электронной почты." in html
    assert "Введите пароль." in html


@pytest.mark.parametrize(
    ("status", "confirmed", "message"),
    [
        (UserStatus.PENDING, False, "Подтвердите адрес электронной почты"),
        (UserStatus.PENDING, True, "ожидает одобрения администратором"),
        (UserStatus.SUSPENDED, True, "заблокирована"),
    ],
)
def test_refusal_reasons_are_given_to_the_right_password_only(client, status, confirmed, message):
    make_user(status=status, email="who@example.org", email_confirmed=confirmed)
    right = post_login(client, "who@example.org")
    assert right.status_code == 400
    assert message in right.get_data(as_text=True)
    assert not is_signed_in(client)
    wrong = post_login(client, "who@example.org", "not-the-password-at-all")
    assert message not in wrong.get_data(as_text=True)
    assert WRONG in wrong.get_data(as_text=True)


def test_next_leads_back_to_our_own_page(client):
    make_user(email="next@example.org")
    assert client.get("/settings").headers["Location"].startswith("/login?next=")
    response = post_login(client, "next@example.org", next="/settings")
    assert response.headers["Location"] == "/settings"


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example", "/\\evil.example", "\\\\evil.example", "http:/evil.example"]
)
def test_next_never_leads_to_another_site(client, target):
    make_user(email="redirect@example.org")
    response = post_login(client, "redirect@example.org", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    # Already signed in: the GET shortcut obeys the same rule.
    again = client.get("/login", query_string={"next": target})
    assert again.headers["Location"] == "/"


def test_eleventh_login_attempt_within_a_minute_is_refused(client):
    for _ in range(10):
        assert post_login(client, "nobody@example.org").status_code == 400
    response = post_login(client, "nobody@example.org")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Слишком много попыток" in html
    assert '<html lang="ru">' in html


def test_logout_signs_out_and_needs_post(client, login):
    login(make_user())
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert not is_signed_in(client)


def test_logout_when_anonymous_goes_to_login(client):
    response = client.post("/logout")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_nav_offers_registration_to_visitors_and_profile_to_members(client, login):
    html = client.get("/").get_data(as_text=True)
    assert "Регистрация" in html and 'href="/register"' in html
    user = make_user()
    login(user)
    html = client.get("/").get_data(as_text=True)
    assert f'href="/users/{user.id}"' in html
    assert 'href="/register"' not in html


# --- remember me and copied cookies ---------------------------------------------------------------------------------


def test_remember_me_keeps_the_browser_signed_in_without_the_session(client, login, fresh_client):
    login(make_user(), remember=True)
    remember = cookie(client, "remember_token")
    assert remember
    assert is_signed_in(fresh_client(remember_token=remember))


def test_without_remember_me_there_is_no_remember_cookie(client, login):
    login(make_user())
    assert cookie(client, "remember_token") is None


def test_copied_session_cookie_stops_working_after_logout(client, login, fresh_client):
    login(make_user())
    copied = cookie(client, "session")
    assert is_signed_in(fresh_client(session=copied))  # the copy works while the session lives
    client.post("/logout")
    assert not is_signed_in(fresh_client(session=copied))


def test_copied_remember_cookie_stops_working_after_logout(client, login, fresh_client):
    login(make_user(), remember=True)
    copied = cookie(client, "remember_token")
    client.post("/logout")
    assert not is_signed_in(fresh_client(remember_token=copied))


def test_copied_cookies_stop_working_after_a_password_change(client, login, fresh_client):
    login(make_user(), remember=True)
    session_copy, remember_copy = cookie(client, "session"), cookie(client, "remember_token")
    new = "новый-пароль-для-проверки"
    response = client.post("/settings/password", data={"current_password": PASSWORD, "password": new, "password2": new})
    assert response.status_code == 302
    assert is_signed_in(client)  # this browser stays signed in
    assert not is_signed_in(fresh_client(session=session_copy))
    assert not is_signed_in(fresh_client(remember_token=remember_copy))
    assert not is_signed_in(fresh_client(session=session_copy, remember_token=remember_copy))
    # ...while the browser that changed it got a fresh remember cookie that works on its own.
    assert is_signed_in(fresh_client(remember_token=cookie(client, "remember_token")))


def test_suspending_a_user_ends_their_sessions(client, login):
    user = make_user()
    login(user)
    user.status = UserStatus.SUSPENDED
    db.session.flush()
    assert not is_signed_in(client)
