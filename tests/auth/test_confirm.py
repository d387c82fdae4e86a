"""The confirmation link: signed, expiring, single-purpose; then approval by an admin or an open account."""

import time

import pytest

from app.auth import tokens
from app.auth.models import Role, UserStatus
from app.extensions import db
from tests.auth.conftest import (
    DAMAGES,
    GOOD_PASSWORD,
    damaged,
    link_path,
    links_in,
    old_token,
    only_message,
    registration_data,
    user_by_email,
)
from tests.factories import make_user

EMAIL = "novaya.uchitelnica@example.org"


@pytest.fixture
def approval(app):
    """Set REGISTRATION_REQUIRES_APPROVAL for one test."""
    saved = app.config["REGISTRATION_REQUIRES_APPROVAL"]

    def setter(value: bool):
        app.config["REGISTRATION_REQUIRES_APPROVAL"] = value

    yield setter
    app.config["REGISTRATION_REQUIRES_APPROVAL"] = saved


def register_and_get_link(client, smtp) -> str:
    assert client.post("/register", data=registration_data()).status_code == 302
    path = link_path(only_message(smtp, EMAIL))
    smtp.clear()
    return path


def test_link_shows_a_confirm_button_and_changes_nothing_on_get(client, smtp):
    path = register_and_get_link(client, smtp)
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Подтвердить адрес" in html
    assert f'action="{path}"' in html
    assert user_by_email(EMAIL).email_confirmed_at is None  # a mail scanner opening the link confirms nothing


def test_confirming_with_approval_keeps_pending_and_tells_every_active_admin(client, smtp, approval):
    approval(True)
    admins = [make_user(Role.ADMIN, email="admin1@example.org"), make_user(Role.ADMIN, email="admin2@example.org")]
    make_user(Role.ADMIN, UserStatus.SUSPENDED, email="former-admin@example.org")
    make_user(Role.METHODIST, email="methodist@example.org")
    path = register_and_get_link(client, smtp)

    response = client.post(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    user = user_by_email(EMAIL)
    assert user.email_confirmed_at is not None
    assert user.status == UserStatus.PENDING
    assert "Администратор проверит заявку" in client.get("/login").get_data(as_text=True)

    smtp.wait(2)
    assert sorted(str(m["To"]) for m in smtp.messages) == sorted(a.email for a in admins)
    notice = smtp.messages[0]
    assert "ожидает одобрения" in notice["Subject"]
    text = notice.get_body(preferencelist=("plain",)).get_content()
    assert "Смирнова Анна Сергеевна" in text and EMAIL in text
    assert "администратор" in text  # why they got it
    assert "http://localhost/admin/users?status=pending" in links_in(notice)
    assert link_path(notice) == "/admin/users?status=pending"

    login = client.post("/login", data={"email": EMAIL, "password": GOOD_PASSWORD})
    assert "ожидает одобрения администратором" in login.get_data(as_text=True)


def test_confirming_without_approval_opens_the_account(client, smtp, approval):
    approval(False)
    make_user(Role.ADMIN)
    path = register_and_get_link(client, smtp)
    response = client.post(path)
    assert response.status_code == 302
    assert user_by_email(EMAIL).status == UserStatus.ACTIVE
    assert "Теперь вы можете войти" in client.get("/login").get_data(as_text=True)
    assert smtp.messages == []  # nobody needs to approve
    assert client.post("/login", data={"email": EMAIL, "password": GOOD_PASSWORD}).status_code == 302


def test_a_suspended_account_stays_suspended_when_confirming(client, smtp, approval):
    approval(False)
    path = register_and_get_link(client, smtp)
    user_by_email(EMAIL).status = UserStatus.SUSPENDED
    db.session.flush()
    client.post(path)
    assert user_by_email(EMAIL).status == UserStatus.SUSPENDED


def test_a_used_link_says_already_confirmed(client, smtp):
    path = register_and_get_link(client, smtp)
    client.post(path)
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 200
        assert "уже подтверждён" in response.get_data(as_text=True)


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_links_get_a_clear_400_page(client, smtp, damage):
    path = register_and_get_link(client, smtp)
    token = path.removeprefix("/confirm/")
    broken = damaged(token, damage)
    for response in (client.get(f"/confirm/{broken}"), client.post(f"/confirm/{broken}")):
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "Ссылка недействительна" in html
        assert 'href="/confirm/resend"' in html
    assert user_by_email(EMAIL).email_confirmed_at is None


def test_expired_link_says_so(app, client):
    user = make_user(status=UserStatus.PENDING, email_confirmed=False)
    token = old_token(app, tokens.CONFIRM_SALT, {"uid": user.id, "email": user.email})
    response = client.post(f"/confirm/{token}")
    assert response.status_code == 400
    assert "Ссылка устарела" in response.get_data(as_text=True)
    assert user_by_email(user.email).email_confirmed_at is None


def test_a_password_reset_token_does_not_confirm(client):
    user = make_user(status=UserStatus.PENDING, email_confirmed=False)
    with client.application.test_request_context():
        token = tokens.make_reset_token(user)
    assert client.post(f"/confirm/{token}").status_code == 400


def test_link_for_an_address_that_changed_is_invalid(client, smtp):
    path = register_and_get_link(client, smtp)
    user_by_email(EMAIL).email = "another@example.org"
    db.session.flush()
    assert client.post(path).status_code == 400


def test_link_for_a_deleted_account_is_invalid(client, smtp):
    path = register_and_get_link(client, smtp)
    db.session.delete(user_by_email(EMAIL))
    db.session.flush()
    assert client.get(path).status_code == 400


def test_confirming_needs_a_csrf_token(client, smtp, csrf):
    client.get("/register")
    user = make_user(status=UserStatus.PENDING, email_confirmed=False)
    with client.application.test_request_context():
        token = tokens.make_confirm_token(user)
    response = client.post(f"/confirm/{token}")
    assert response.status_code == 400
    assert user_by_email(user.email).email_confirmed_at is None


# --- send the link again -------------------------------------------------------------------------------------------


def test_resend_mails_a_new_link_that_works(client, smtp, approval):
    approval(False)
    client.post("/register", data=registration_data())
    smtp.wait(1)
    smtp.clear()
    response = client.post("/confirm/resend", data={"email": EMAIL.upper()})
    assert response.status_code == 302
    message = only_message(smtp, EMAIL)
    assert client.post(link_path(message)).status_code == 302
    assert user_by_email(EMAIL).status == UserStatus.ACTIVE


def test_resend_answers_the_same_whether_or_not_the_address_exists(client, smtp):
    make_user(email="confirmed@example.org")
    make_user(status=UserStatus.PENDING, email="waiting@example.org", email_confirmed=False)
    answers = []
    for email in ("nobody@example.org", "confirmed@example.org", "waiting@example.org"):
        response = client.post("/confirm/resend", data={"email": email})
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"], "мы отправили на него новую" in page))
    assert answers[0] == answers[1] == answers[2] == (302, "/login", True)
    smtp.wait(1)
    time.sleep(0.2)
    assert [str(m["To"]) for m in smtp.messages] == ["waiting@example.org"]


def test_resend_form_refuses_a_bad_address(client):
    response = client.post("/confirm/resend", data={"email": "not an address"})
    assert response.status_code == 400
    assert "Введите корректный адрес электронной почты." in response.get_data(as_text=True)
    assert client.get("/confirm/resend").status_code == 200


def test_resend_is_rate_limited_per_address(client):
    for _ in range(3):
        assert client.post("/confirm/resend", data={"email": "victim@example.org"}).status_code == 302
    assert client.post("/confirm/resend", data={"email": "victim@example.org"}).status_code == 429
    assert client.post("/confirm/resend", data={"email": "other@example.org"}).status_code == 302


def test_resend_is_rate_limited_per_visitor(client):
    for n in range(5):
        assert client.post("/confirm/resend", data={"email": f"a{n}@example.org"}).status_code == 302
    response = client.post("/confirm/resend", data={"email": "a9@example.org"})
    assert response.status_code == 429
    assert "Слишком много попыток" in response.get_data(as_text=True)
