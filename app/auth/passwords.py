"""Password rules: at least 10 characters and not one of the commonly used passwords."""

from functools import cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 10
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """A message in Russian when the password is not acceptable, None when it is."""
    if len(password or "") < MIN_LENGTH:
        return _("Пароль должен быть не короче %(n)d символов.", n=MIN_LENGTH)
    if password.lower() in common_passwords():
        return _("Этот пароль слишком распространён: его легко подобрать. Придумайте другой.")
    return None
