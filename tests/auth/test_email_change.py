"""Changing the e-mail address: the current password, a link to the new address, a notice to the old one; the address
changes only when the link is confirmed (a POST), and a link works once."""

from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from app.auth import services, tokens
from app.db import utcnow
from app.extensions import db
from tests.auth.conftest import DAMAGES, damaged, link_path, old_token, only_message, user_by_email
from tests.conftest import body_text
from tests.factories import PASSWORD, make_user

OLD = "staryi.adres@example.org"
NEW = "novyi.adres@example.org"


def request_change(client, email=NEW, password=PASSWORD):
    return client.post("/settings/email", data={"email": email, "current_password": password})


def change_link(client, smtp, email=NEW) -> str:
    assert request_change(client, email).status_code == 302
    path = link_path(only_message(smtp, email))
    smtp.clear()
    return path


@pytest.fixture
def owner(login):
    user = make_user(email=OLD, full_name="Петрова Елена Викторовна")
    login(user)
    return user


def test_anonymous_is_sent_to_login(client):
    for response in (client.get("/settings/email"), request_change(client), client.post("/settings/email/retry")):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_form_is_in_the_settings_navigation(client, owner):
    html = client.get("/settings/email").get_data(as_text=True)
    assert OLD in html
    assert 'href="/settings/email" aria-current="page"' in html
    assert 'name="current_password"' in html
    assert "Адрес исправлен — попробовать снова" not in html  # nothing bounces
    assert 'href="/settings/email"' in client.get("/settings").get_data(as_text=True)


def test_full_change(client, app, smtp, owner):
    owner.email_confirmed_at = utcnow() - timedelta(days=30)
    owner.email_bounced_at, owner.email_bounce_reason = utcnow(), "550 mailbox full"
    db.session.flush()

    response = request_change(client, email="  Novyi.Adres@Example.org ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/email"
    assert f"Мы отправили ссылку на {NEW}" in client.get("/settings/email").get_data(as_text=True)
    assert user_by_email(OLD) is not None  # nothing changes before the link is confirmed

    smtp.wait(2)
    link = only_message(smtp, NEW)
    assert "Подтвердите новый адрес" in link["Subject"]
    path = link_path(link)
    assert path.startswith("/settings/email/confirm/")
    notice = only_message(smtp, OLD)
    assert "Запрошена смена адреса" in notice["Subject"]
    assert NEW in body_text(notice) and "/password/reset" in body_text(notice)
    assert path not in body_text(notice)  # the old mailbox cannot confirm the change

    page = client.get(path)
    assert page.status_code == 200
    assert "Подтвердить новый адрес" in page.get_data(as_text=True)
    assert f'action="{path}"' in page.get_data(as_text=True)
    assert user_by_email(NEW) is None  # a mail scanner opening the link changes nothing

    response = client.post(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/email"
    assert f"изменён на {NEW}" in client.get("/settings/email").get_data(as_text=True)
    changed = user_by_email(NEW)
    assert changed.id == owner.id and user_by_email(OLD) is None
    assert changed.email_confirmed_at > utcnow() - timedelta(minutes=1)
    assert changed.email_bounced_at is None and changed.email_bounce_reason == ""

    assert app.test_client().post("/login", data={"email": NEW, "password": PASSWORD}).status_code == 302
    assert app.test_client().post("/login", data={"email": OLD, "password": PASSWORD}).status_code == 400


def test_confirming_signed_out_sends_to_login(app, client, smtp, owner):
    path = change_link(client, smtp)
    elsewhere = app.test_client()  # the new mailbox is read on a phone where nobody is signed in
    response = elsewhere.post(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert user_by_email(NEW).id == owner.id


def test_a_used_link_says_so_and_changes_nothing(client, smtp, owner):
    path = change_link(client, smtp)
    client.post(path)
    confirmed_at = user_by_email(NEW).email_confirmed_at
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 200
        assert "Адрес уже изменён" in response.get_data(as_text=True)
    assert user_by_email(NEW).email_confirmed_at == confirmed_at


def test_an_earlier_link_dies_when_another_change_is_confirmed(client, smtp, owner):
    first = change_link(client, smtp, "first@example.org")
    second = change_link(client, smtp, "second@example.org")
    assert client.post(second).status_code == 302
    for response in (client.get(first), client.post(first)):
        assert response.status_code == 400
        assert "Ссылка недействительна" in response.get_data(as_text=True)
    assert user_by_email("second@example.org").id == owner.id
    assert user_by_email("first@example.org") is None


def test_a_new_password_kills_the_link(app, client, smtp, owner):
    path = change_link(client, smtp)
    with app.test_request_context():  # the owner, warned by the notice, resets the password
        services.set_password(owner, "совсем-другой-пароль-2024")
    assert client.post(path).status_code == 400
    assert user_by_email(OLD).id == owner.id


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_links_get_a_clear_400_page(client, smtp, owner, damage):
    path = change_link(client, smtp)
    token = path.removeprefix("/settings/email/confirm/")
    broken = damaged(token, damage)
    for response in (client.get(f"/settings/email/confirm/{broken}"), client.post(f"/settings/email/confirm/{broken}")):
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "Ссылка недействительна" in html
        assert 'href="/settings/email"' in html
    assert user_by_email(OLD).id == owner.id and user_by_email(NEW) is None


def test_a_forged_payload_with_another_address_is_refused(client, smtp, owner):
    path = change_link(client, smtp)
    token = path.removeprefix("/settings/email/confirm/")
    payload = tokens.serializer(tokens.EMAIL_CHANGE_SALT).loads(token)
    forged = URLSafeTimedSerializer("not-our-key", salt=tokens.EMAIL_CHANGE_SALT).dumps(
        dict(payload, email="attacker@example.org")
    )
    assert client.post(f"/settings/email/confirm/{forged}").status_code == 400
    assert user_by_email("attacker@example.org") is None


def test_an_expired_link_says_so(app, client, owner):
    payload = {"uid": owner.id, "email": NEW, "fp": tokens.address_fingerprint(owner)}
    token = old_token(app, tokens.EMAIL_CHANGE_SALT, payload)
    for response in (client.get(f"/settings/email/confirm/{token}"), client.post(f"/settings/email/confirm/{token}")):
        assert response.status_code == 400
        assert "Ссылка устарела" in response.get_data(as_text=True)
    assert user_by_email(OLD).id == owner.id


def test_other_purposes_tokens_do_not_change_the_address(client, owner):
    for token in (tokens.make_confirm_token(owner), tokens.make_reset_token(owner)):
        assert client.post(f"/settings/email/confirm/{token}").status_code == 400
    token = tokens.make_email_change_token(owner, NEW)
    assert client.post(f"/confirm/{token}").status_code == 400
    assert (
        client.post(f"/password/reset/{token}", data={"password": "x" * 12, "password2": "x" * 12}).status_code == 400
    )
    assert user_by_email(OLD).id == owner.id


def test_a_taken_address_is_refused_in_any_letter_case(client, smtp, owner):
    make_user(email="zanyat@example.org")
    response = request_change(client, email="ZanYat@Example.ORG")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Этот адрес уже занят другой учётной записью." in html
    assert 'value="ZanYat@Example.ORG"' in html  # what was typed stays
    assert smtp.messages == []


def test_an_address_taken_after_the_link_was_sent_is_refused_on_confirming(client, smtp, owner):
    path = change_link(client, smtp)
    other = make_user(email=NEW)
    response = client.post(path)
    assert response.status_code == 400
    assert "Этот адрес уже занят другой учётной записью." in response.get_data(as_text=True)
    assert user_by_email(OLD).id == owner.id and user_by_email(NEW).id == other.id


def test_a_wrong_password_is_refused(client, smtp, owner):
    response = request_change(client, password="не-тот-пароль")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Текущий пароль введён неверно." in html
    assert f'value="{NEW}"' in html
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        (OLD.upper(), PASSWORD, "Это ваш текущий адрес."),
        ("не адрес", PASSWORD, "Введите корректный адрес электронной почты."),
        ("", PASSWORD, "Укажите адрес электронной почты."),
        (NEW, "", "Введите текущий пароль."),
    ],
)
def test_bad_input_is_explained(client, smtp, owner, email, password, message):
    response = request_change(client, email=email, password=password)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert smtp.messages == []


def test_requests_are_rate_limited(client, owner):
    for n in range(5):
        assert request_change(client, email=f"a{n}@example.org", password="wrong").status_code == 400
    response = request_change(client, email="a9@example.org", password="wrong")
    assert response.status_code == 429
    assert "Слишком много попыток" in response.get_data(as_text=True)


def test_requests_are_rate_limited_per_new_address(client, owner):
    for _ in range(3):
        assert request_change(client, email="victim@example.org", password="wrong").status_code == 400
    assert request_change(client, email="victim@example.org", password="wrong").status_code == 429
    assert request_change(client, email="other@example.org", password="wrong").status_code == 400


def test_confirming_and_requesting_need_a_csrf_token(client, smtp, owner, csrf):
    token = tokens.make_email_change_token(owner, NEW)
    assert client.post(f"/settings/email/confirm/{token}").status_code == 400
    assert request_change(client).status_code == 400
    assert user_by_email(OLD).id == owner.id
    assert smtp.messages == []
