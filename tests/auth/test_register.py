"""Registration: the form, its rules, consent under 152-ФЗ, the confirmation e-mail, the rate limit."""

import pytest

from app.auth.models import UserStatus
from app.directory.models import EducationLevel
from tests.auth.conftest import GOOD_PASSWORD, link_path, links_in, only_message, registration_data, user_by_email
from tests.factories import make_school, make_subject, make_user

EMAIL = "novaya.uchitelnica@example.org"


def test_form_lists_schools_subjects_levels_and_links_the_privacy_policy(client):
    make_school(name="МКОУ СОШ № 77 г. Нефтекумска", short_name="СОШ № 77")
    make_subject(name="Астрономия")
    html = client.get("/register").get_data(as_text=True)
    assert "СОШ № 77" in html
    assert "— нет в списке —" in html
    assert "Астрономия" in html
    assert "НОО — Начальное общее образование" in html
    assert 'href="/privacy"' in html
    assert "152-ФЗ" in html


def test_registration_creates_a_pending_unconfirmed_account_and_mails_the_link(client, smtp):
    school = make_school()
    math, physics = make_subject(), make_subject()
    data = registration_data(
        school_id=str(school.id), subjects=[str(math.id), str(physics.id)], levels=["basic", "secondary"]
    )
    response = client.post("/register", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/register/done"
    user = user_by_email(EMAIL)
    assert user.email == EMAIL  # stored lower-cased
    assert user.full_name == "Смирнова Анна Сергеевна"
    assert user.status == UserStatus.PENDING
    assert user.email_confirmed_at is None
    assert user.consent_at is not None
    assert user.school_id == school.id
    assert user.position == "учитель математики"
    assert {s.id for s in user.subjects} == {math.id, physics.id}
    assert user.levels == [EducationLevel.BASIC, EducationLevel.SECONDARY]
    assert user.check_password(GOOD_PASSWORD)

    message = only_message(smtp, EMAIL)
    assert "Подтвердите адрес" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Здравствуйте, Анна Сергеевна!" in text
    assert "зарегистрировались" in text  # why they got it
    assert "Ссылка действует 3 д" in text  # «3 дня» once the Russian catalog supplies the plural forms
    assert link_path(message).startswith("/confirm/")
    assert links_in(message)[0].startswith("http://localhost/confirm/")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert link_path(message) in html
    assert "Здравствуйте, Анна Сергеевна!" in html
    done = client.get("/register/done").get_data(as_text=True)
    assert "Проверьте почту" in done


def test_school_not_in_the_list_is_allowed(client):
    assert client.post("/register", data=registration_data(school_id="")).status_code == 302
    assert user_by_email(EMAIL).school is None


@pytest.mark.parametrize("email", ["novaya.uchitelnica@example.org", "NOVAYA.UCHITELNICA@EXAMPLE.ORG"])
def test_duplicate_email_in_any_letter_case_is_refused_beside_the_field(client, smtp, email):
    make_user(email="Novaya.Uchitelnica@example.org")
    response = client.post("/register", data=registration_data(email=email))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html
    assert "Этот адрес уже зарегистрирован" in html
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("password", "password2", "message"),
    [
        ("коротко", "коротко", "не короче 10 символов"),
        ("Qwertyuiop123", "Qwertyuiop123", "слишком распространён"),
        ("йцукенгшщз", "йцукенгшщз", "слишком распространён"),
        ("1q2w3e4r5t", "1q2w3e4r5t", "слишком распространён"),
        (GOOD_PASSWORD, GOOD_PASSWORD + "x", "Пароли не совпадают"),
        ("", "", "Введите пароль."),
    ],
)
def test_password_rules_are_enforced(client, password, password2, message):
    response = client.post("/register", data=registration_data(password=password, password2=password2))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert user_by_email(EMAIL) is None


def test_consent_is_required(client, smtp):
    response = client.post("/register", data=registration_data(consent=None))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Без согласия на обработку персональных данных регистрация невозможна." in html
    assert 'id="consent-error"' in html
    assert user_by_email(EMAIL) is None
    assert smtp.messages == []


def test_bad_input_is_shown_beside_the_fields_and_what_was_typed_is_kept(client):
    response = client.post(
        "/register",
        data=registration_data(email="не-адрес", full_name="Петров Пётр Петрович", position="", consent="y"),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Введите корректный адрес электронной почты." in html
    assert "Укажите должность." in html
    assert 'value="Петров Пётр Петрович"' in html
    assert 'value="не-адрес"' in html
    assert GOOD_PASSWORD not in html  # passwords are never echoed back


def test_empty_form_lists_every_missing_field(client):
    response = client.post("/register", data={})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for message in ("Укажите адрес электронной почты.", "Укажите фамилию, имя и отчество.", "Введите пароль."):
        assert message in html


@pytest.mark.parametrize("field", ["school_id", "subjects", "levels"])
def test_unknown_choices_are_refused(client, field):
    response = client.post("/register", data=registration_data(**{field: "999999" if field != "levels" else "phd"}))
    assert response.status_code == 400
    assert user_by_email(EMAIL) is None


def test_overlong_name_is_refused(client):
    response = client.post("/register", data=registration_data(full_name="Я" * 201))
    assert response.status_code == 400


def test_signed_in_users_are_sent_home(client, login):
    login(make_user())
    assert client.get("/register").headers["Location"] == "/"


def test_registration_posts_are_rate_limited(client):
    for _ in range(10):
        assert client.post("/register", data={}).status_code == 400
    response = client.post("/register", data={})
    assert response.status_code == 429
    assert "Слишком много попыток" in response.get_data(as_text=True)
    assert client.get("/register").status_code == 200  # reading the form is not limited


def test_registration_without_csrf_token_is_refused(client, csrf):
    response = client.post("/register", data=registration_data())
    assert response.status_code == 400
    assert "Форма устарела" in response.get_data(as_text=True)
    assert user_by_email(EMAIL) is None


def test_registration_with_csrf_token_works(client, csrf):
    html = client.get("/register").get_data(as_text=True)
    token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/register", data=registration_data(csrf_token=token))
    assert response.status_code == 302
    assert user_by_email(EMAIL) is not None


def test_registered_user_cannot_log_in_before_confirming(client):
    client.post("/register", data=registration_data())
    response = client.post("/login", data={"email": EMAIL, "password": GOOD_PASSWORD})
    assert response.status_code == 400
    assert "Подтвердите адрес электронной почты" in response.get_data(as_text=True)


def test_the_visitor_interface_language_is_kept(client):
    client.set_cookie("vmk_locale", "en")
    assert client.post("/register", data=registration_data()).status_code == 302
    assert user_by_email(EMAIL).locale == "en"
