"""`flask user create`: an active, confirmed account for setting up the site."""

import pytest

from app.auth.models import Role, UserStatus
from tests.auth.conftest import user_by_email
from tests.factories import make_user

PW = "длинный-пароль-администратора"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=["user", "create", *args], input=input)

    return invoke


def test_creates_an_active_confirmed_user(cli):
    result = cli("Admin@Example.org", "--name", "Иванов Иван Иванович", "--role", "admin", "--password", PW)
    assert result.exit_code == 0, result.output
    assert "admin@example.org" in result.output
    user = user_by_email("admin@example.org")
    assert user.full_name == "Иванов Иван Иванович"
    assert user.role == Role.ADMIN
    assert user.status == UserStatus.ACTIVE
    assert user.email_confirmed_at is not None
    assert user.check_password(PW)


def test_the_new_user_can_log_in(cli, client):
    cli("methodist@example.org", "--name", "Методист Мария Ивановна", "--role", "methodist", "--password", PW)
    assert client.post("/login", data={"email": "methodist@example.org", "password": PW}).status_code == 302


def test_role_defaults_to_teacher(cli):
    assert cli("t@example.org", "--name", "Учитель", "--password", PW).exit_code == 0
    assert user_by_email("t@example.org").role == Role.TEACHER


def test_password_is_prompted_twice_when_left_out(cli):
    result = cli("prompted@example.org", "--name", "Подсказкина Анна", input=f"{PW}\n{PW}\n")
    assert result.exit_code == 0, result.output
    assert user_by_email("prompted@example.org").check_password(PW)


def test_prompted_passwords_must_match(cli):
    result = cli("prompted@example.org", "--name", "Подсказкина Анна", input=f"{PW}\nanother-one-x\n")
    assert result.exit_code != 0
    assert user_by_email("prompted@example.org") is None


def test_duplicate_email_in_any_case_is_an_error(cli):
    make_user(email="taken@example.org")
    result = cli("TAKEN@example.org", "--name", "Двойник", "--password", PW)
    assert result.exit_code == 2
    assert "уже зарегистрирован" in result.output


@pytest.mark.parametrize(("password", "message"), [("short", "не короче 10"), ("qwertyuiop123", "распространён")])
def test_weak_password_is_an_error(cli, password, message):
    result = cli("weak@example.org", "--name", "Слабый Пароль", "--password", password)
    assert result.exit_code == 2
    assert message in result.output
    assert user_by_email("weak@example.org") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("not-an-email", "--name", "Кто-то", "--password", PW), "адрес"),
        (("x@example.org", "--name", "   ", "--password", PW), "ФИО"),
        (("x@example.org", "--name", "Кто-то", "--role", "king", "--password", PW), "king"),
    ],
)
def test_bad_arguments_are_errors(cli, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert user_by_email("x@example.org") is None
