"""Forgotten password: the same answer for every address, a signed link that expires and works once."""

import time

import pytest

from app.auth import tokens
from tests.auth.conftest import cookie, is_signed_in, link_path, old_token, only_message, user_by_email
from tests.factories import PASSWORD, make_user

NEW = "весенний-ручей-на-рассвете"


def request_link(client, smtp, email: str) -> str:
    assert client.post("/password/reset", data={"email": email}).status_code == 302
    path = link_path(only_message(smtp, email))
    smtp.clear()
    return path


def test_request_page_shows_the_form(client):
    html = client.get("/password/reset").get_data(as_text=True)
    assert "Восстановление пароля" in html
    assert 'name="email"' in html


def test_the_answer_is_the_same_whether_or_not_the_address_exists(client, smtp):
    make_user(email="known@example.org")
    answers = []
    for email in ("nobody@example.org", "known@example.org"):
        response = client.post("/password/reset", data={"email": email})
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"], "Если этот адрес зарегистрирован" in page))
    assert answers[0] == answers[1] == (302, "/login", True)
    smtp.wait(1)
    time.sleep(0.2)
    assert [str(m["To"]) for m in smtp.messages] == ["known@example.org"]


def test_the_e_mail_greets_explains_and_links(client, smtp):
    make_user(email="known@example.org", full_name="Кузнецова Ольга Ивановна")
    client.post("/password/reset", data={"email": "KNOWN@example.org"})
    message = only_message(smtp, "known@example.org")
    assert "Восстановление пароля" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Здравствуйте, Ольга Ивановна!" in text
    assert "попросил сменить пароль" in text
    assert "Ссылка действует 2 ч" in text
    assert "только один раз" in text
    assert link_path(message).startswith("/password/reset/")
    assert link_path(message) in message.get_body(preferencelist=("html",)).get_content()


def test_following_the_link_sets_a_new_password_once(client, smtp):
    user = make_user(email="known@example.org")
    old_token_value = user.session_token
    path = request_link(client, smtp, "known@example.org")
    form = client.get(path)
    assert form.status_code == 200
    assert "Новый пароль" in form.get_data(as_text=True)

    response = client.post(path, data={"password": NEW, "password2": NEW})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    user = user_by_email("known@example.org")
    assert user.check_password(NEW)
    assert user.password_changed_at is not None
    assert user.session_token != old_token_value

    notice = only_message(smtp, "known@example.org")
    assert "Пароль изменён" in notice["Subject"]
    assert link_path(notice) == "/password/reset"

    # Works once: the same link is now refused, on GET and POST alike.
    for again in (client.get(path), client.post(path, data={"password": NEW + "2", "password2": NEW + "2"})):
        assert again.status_code == 400
        assert "Ссылка недействительна" in again.get_data(as_text=True)
    assert user_by_email("known@example.org").check_password(NEW)

    assert client.post("/login", data={"email": "known@example.org", "password": PASSWORD}).status_code == 400
    assert client.post("/login", data={"email": "known@example.org", "password": NEW}).status_code == 302


def test_an_older_link_dies_when_a_newer_one_is_used(client, smtp):
    make_user(email="known@example.org")
    first = request_link(client, smtp, "known@example.org")
    time.sleep(1.1)  # a different timestamp, so the second link is a different token
    second = request_link(client, smtp, "known@example.org")
    assert first != second
    assert client.post(second, data={"password": NEW, "password2": NEW}).status_code == 302
    assert client.get(first).status_code == 400


@pytest.mark.parametrize(
    ("password", "password2", "message"),
    [
        ("коротко", "коротко", "не короче 10 символов"),
        ("password123", "password123", "слишком распространён"),
        (NEW, NEW + "!", "Пароли не совпадают"),
    ],
)
def test_the_new_password_follows_the_rules(client, smtp, password, password2, message):
    make_user(email="known@example.org")
    path = request_link(client, smtp, "known@example.org")
    response = client.post(path, data={"password": password, "password2": password2})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert user_by_email("known@example.org").check_password(PASSWORD)
    assert client.get(path).status_code == 200  # the link still works after a refused attempt


def test_an_expired_link_says_so(app, client):
    user = make_user()
    with app.test_request_context():
        token = old_token(app, tokens.RESET_SALT, {"uid": user.id, "fp": tokens.password_fingerprint(user)})
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Ссылка устарела" in html
    assert 'href="/password/reset"' in html


@pytest.mark.parametrize("token", ["garbage", "eyJ1aWQiOjF9.AAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBB"])
def test_a_forged_link_gets_a_clear_400_page(client, token):
    response = client.post(f"/password/reset/{token}", data={"password": NEW, "password2": NEW})
    assert response.status_code == 400
    assert "Ссылка недействительна" in response.get_data(as_text=True)


def test_a_confirmation_token_does_not_reset_a_password(client):
    user = make_user()
    with client.application.test_request_context():
        token = tokens.make_confirm_token(user)
    assert client.post(f"/password/reset/{token}", data={"password": NEW, "password2": NEW}).status_code == 400
    assert user_by_email(user.email).check_password(PASSWORD)


def test_resetting_ends_every_session(client, smtp, login, app, fresh_client):
    user = make_user(email="known@example.org")
    login(user, remember=True)
    session_copy, remember_copy = cookie(client, "session"), cookie(client, "remember_token")
    other = app.test_client()
    path = request_link(other, smtp, "known@example.org")
    assert other.post(path, data={"password": NEW, "password2": NEW}).status_code == 302
    assert not is_signed_in(client)
    assert not is_signed_in(fresh_client(session=session_copy, remember_token=remember_copy))


def test_reset_requests_are_rate_limited_per_address(client):
    for _ in range(3):
        assert client.post("/password/reset", data={"email": "victim@example.org"}).status_code == 302
    response = client.post("/password/reset", data={"email": " Victim@Example.org"})
    assert response.status_code == 429
    assert "Слишком много попыток" in response.get_data(as_text=True)
    assert client.post("/password/reset", data={"email": "other@example.org"}).status_code == 302


def test_reset_requests_are_rate_limited_per_visitor(client):
    for n in range(5):
        assert client.post("/password/reset", data={"email": f"b{n}@example.org"}).status_code == 302
    assert client.post("/password/reset", data={"email": "b9@example.org"}).status_code == 429
    assert client.get("/password/reset").status_code == 200


def test_bad_address_is_refused_beside_the_field(client):
    response = client.post("/password/reset", data={"email": ""})
    assert response.status_code == 400
    assert "Укажите адрес электронной почты." in response.get_data(as_text=True)
