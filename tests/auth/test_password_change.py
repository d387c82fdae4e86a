"""Changing a known password: the current one is required; this browser stays in, every other session ends."""

import pytest

from tests.auth.conftest import cookie, is_signed_in, only_message, user_by_email
from tests.factories import PASSWORD, make_user

NEW = "осенний-лист-над-рекой"


def change(client, current=PASSWORD, password=NEW, password2=NEW):
    return client.post(
        "/settings/password", data={"current_password": current, "password": password, "password2": password2}
    )


def test_anonymous_is_sent_to_login(client):
    for response in (client.get("/settings/password"), change(client)):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_form_is_shown(client, login):
    login(make_user())
    html = client.get("/settings/password").get_data(as_text=True)
    assert "Текущий пароль" in html
    assert 'aria-current="page"' in html


def test_changing_keeps_this_browser_and_ends_the_others(client, login, app, smtp):
    user = make_user(email="changer@example.org")
    login(user)
    other = app.test_client()
    other.post("/login", data={"email": "changer@example.org", "password": PASSWORD})
    assert is_signed_in(other)
    copied = cookie(client, "session")

    response = change(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings"
    assert "Пароль изменён" in client.get("/settings").get_data(as_text=True)
    assert is_signed_in(client)
    assert not is_signed_in(other)
    fresh = app.test_client()
    fresh.set_cookie("session", copied)
    assert not is_signed_in(fresh)

    stored = user_by_email("changer@example.org")
    assert stored.check_password(NEW)
    assert stored.password_changed_at is not None
    notice = only_message(smtp, "changer@example.org")
    assert "Пароль изменён" in notice["Subject"]
    assert "Если это были не вы" in notice.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.parametrize(
    ("current", "password", "password2", "message"),
    [
        ("wrong-current-password", NEW, NEW, "Текущий пароль введён неверно."),
        ("", NEW, NEW, "Введите текущий пароль."),
        (PASSWORD, "коротко", "коротко", "не короче 10 символов"),
        (PASSWORD, "1234567890", "1234567890", "слишком распространён"),
        (PASSWORD, NEW, NEW + "x", "Пароли не совпадают"),
    ],
)
def test_bad_input_changes_nothing(client, login, current, password, password2, message):
    user = make_user()
    login(user)
    token = user.session_token
    response = change(client, current, password, password2)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    stored = user_by_email(user.email)
    assert stored.check_password(PASSWORD)
    assert stored.session_token == token
    assert is_signed_in(client)
