"""Helpers for the account tests: fill the registration form, follow links from real e-mails, replay cookies."""

import re
import time
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app.auth.models import User
from app.extensions import db
from tests.conftest import body_text

GOOD_PASSWORD = "липа-звезда-мост-1917"


def registration_data(**overrides) -> dict:
    data = {
        "email": "Novaya.Uchitelnica@Example.org",
        "full_name": "Смирнова Анна Сергеевна",
        "school_id": "",
        "position": "учитель математики",
        "password": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email.lower()))


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+", body_text(message))


def link_path(message) -> str:
    """The path (and query) of the first link in the message, to follow with the test client."""
    url = urlsplit(links_in(message)[0])
    return url.path + (f"?{url.query}" if url.query else "")


DAMAGES = ("tamper", "truncate", "garbage")


def damaged(token: str, damage: str) -> str:
    """A link's token as a mail client or a careless copy leaves it."""
    return {
        "tamper": token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        "truncate": token[: len(token) // 2],
        "garbage": "not-a-token",
    }[damage]


def only_message(inbox, address: str):
    messages = inbox.wait(1)
    mine = inbox.to(address)
    assert len(mine) == 1, [m["Subject"] for m in messages]
    return mine[0]


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name)
    return found.value if found is not None else None


@pytest.fixture
def fresh_client(app):
    """A second browser: `fresh_client(session=..., remember_token=...)` with copied cookies."""

    def make(**cookies):
        other = app.test_client()
        for name, value in cookies.items():
            if value is not None:
                other.set_cookie(name, value)
        return other

    return make


def is_signed_in(client) -> bool:
    """Ask a login-required page: a signed-in browser gets it, anyone else is sent to /login."""
    response = client.get("/settings")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    return False


class _WeekAgoSigner(TimestampSigner):
    """Signs with the real key and salt, but as if a week ago: a genuinely expired link."""

    def get_timestamp(self):
        return int(time.time()) - 7 * 24 * 3600


def old_token(app, salt: str, payload: dict) -> str:
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=salt, signer=_WeekAgoSigner).dumps(payload)
