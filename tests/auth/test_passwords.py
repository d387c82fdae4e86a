"""The password rules and the list of common passwords behind them."""

import pytest

from app.auth.passwords import MIN_LENGTH, common_passwords, password_problem


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context():
        yield


def test_the_list_is_real_and_well_formed():
    words = common_passwords()
    assert len(words) >= 500
    assert all(len(w) >= MIN_LENGTH and w == w.lower() for w in words)


@pytest.mark.parametrize(
    "password",
    [
        "йцукенгшщз",
        "фывапролдж",
        "qwertyuiop123",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "password123",
        "parol12345",
        "1234567890",
        "0987654321",
        "1111111111",
        "password2024",
        "qwerty1990",
        "gfhjkm123456",  # «пароль» typed on the English layout
        "пароль12345",
        "iloveyou123",
    ],
)
def test_common_passwords_are_refused_in_any_letter_case(password):
    assert "распространён" in password_problem(password)
    assert "распространён" in password_problem(password.upper())


@pytest.mark.parametrize("password", ["", "short", "123456789", "коротко"])
def test_short_passwords_are_refused(password):
    assert "не короче 10 символов" in password_problem(password)


@pytest.mark.parametrize(
    "password", ["липа-звезда-мост-1917", "correct-horse-battery-42", "Учитель-физики-из-Нефтекумска"]
)
def test_good_passwords_pass(password):
    assert password_problem(password) is None
