"""Activity is recorded at most once per five minutes per user, not written on every request."""

from datetime import timedelta

from app.db import utcnow
from app.extensions import db
from tests.auth.conftest import user_by_email
from tests.factories import make_user


def updates_of_users(statements) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("UPDATE USERS")]


def set_last_seen(user, ago: timedelta):
    user.last_seen_at = utcnow() - ago
    db.session.flush()
    return user.last_seen_at


def test_a_recent_visit_is_not_written_again(client, login, count_queries):
    user = make_user(email="seen@example.org")
    login(user)
    before = set_last_seen(user, timedelta(minutes=1))
    with count_queries() as q:
        assert client.get("/settings").status_code == 200
        assert client.get("/").status_code == 200
    assert updates_of_users(q.statements) == []
    assert user_by_email("seen@example.org").last_seen_at == before


def test_a_visit_after_five_minutes_is_written_once(client, login, count_queries):
    user = make_user(email="seen@example.org")
    login(user)
    before = set_last_seen(user, timedelta(minutes=10))
    with count_queries() as q:
        client.get("/")
        client.get("/settings")
    assert len(updates_of_users(q.statements)) == 1
    after = user_by_email("seen@example.org").last_seen_at
    assert after > before
    assert utcnow() - after < timedelta(minutes=1)


def test_anonymous_and_static_requests_touch_no_user(client, login, count_queries):
    with count_queries() as q:
        client.get("/")
    assert updates_of_users(q.statements) == []
    user = make_user()
    login(user)
    set_last_seen(user, timedelta(hours=1))
    with count_queries() as q:
        assert client.get("/static/css/site.css").status_code == 200
    assert q.count == 0
