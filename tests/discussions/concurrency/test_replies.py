"""Counters and post numbers stay exact when several people reply to one thread at the same moment (PostgreSQL).

These tests need real commits on several connections at once, which the suite's rolled-back savepoint connection
cannot give: they run on an app of their own (same TEST_DATABASE_URL, its own engine and connection pool), commit
real rows, and delete them at the end. On SQLite writers are serialised by the database anyway, so they are skipped.
"""

import uuid
from functools import partial

import pytest
import sqlalchemy as sa

from app.associations.models import Association
from app.auth.models import User
from app.discussions import services
from app.discussions.models import Post, Thread
from app.extensions import db
from tests.discussions.concurrency.harness import run_at_once
from tests.factories import make_association, make_thread, make_user

WORKERS = 8
REPLIES_EACH = 5


@pytest.fixture
def scene(live_app):
    """A committed association with WORKERS members and one thread; everything is deleted afterwards."""
    with live_app.app_context():
        tag = uuid.uuid4().hex[:10]
        people = [make_user(email=f"concurrency-{tag}-{n}@example.org") for n in range(WORKERS)]
        association = make_association(f"Параллельные ответы {tag}", members=people)
        thread = make_thread(people[0], association, title="Тема, в которую отвечают все сразу")
        db.session.commit()
        ids = {"users": [u.id for u in people], "association": association.id, "thread": thread.id}
        db.session.remove()
    try:
        yield ids
    finally:
        with live_app.app_context():
            db.session.execute(sa.delete(Association).where(Association.id == ids["association"]))
            db.session.execute(sa.delete(User).where(User.id.in_(ids["users"])))
            db.session.commit()
            db.session.remove()


def _reply(ids, index: int, *, body: str, submission_token: str | None = None) -> None:
    author = db.session.get(User, ids["users"][index])
    thread = db.session.get(Thread, ids["thread"])
    services.create_reply(author, thread, body=body, submission_token=submission_token)
    db.session.commit()


def test_concurrent_replies_keep_numbers_and_counters_exact(live_app, scene):
    def work(index: int) -> None:
        for n in range(REPLIES_EACH):
            _reply(scene, index, body=f"Ответ {n} участника {index}")

    outcomes = run_at_once(live_app, [partial(work, n) for n in range(WORKERS)])
    assert outcomes == [None] * WORKERS

    replies = WORKERS * REPLIES_EACH
    with live_app.app_context():
        thread = db.session.get(Thread, scene["thread"])
        association = db.session.get(Association, scene["association"])
        posts = db.session.scalars(sa.select(Post).where(Post.thread_id == thread.id).order_by(Post.number)).all()
        assert [p.number for p in posts] == list(range(1, replies + 2))  # no gaps, no duplicates
        assert (thread.post_count, thread.reply_count) == (replies + 1, replies)
        assert (association.thread_count, association.post_count) == (1, replies + 1)
        last = posts[-1]  # the last to take the thread's row lock wrote the last activity, everywhere
        assert (thread.last_poster_id, thread.last_posted_at) == (last.author_id, last.created_at)
        assert association.last_posted_at == last.created_at
        per_author = db.session.execute(
            sa.select(Post.author_id, sa.func.count()).where(Post.thread_id == thread.id, Post.number > 1)
            .group_by(Post.author_id)
        ).all()  # fmt: skip
        assert sorted(count for _author, count in per_author) == [REPLIES_EACH] * WORKERS


def test_the_same_form_sent_twice_at_once_makes_one_post(live_app, scene):
    token = uuid.uuid4().hex

    def work(_index: int) -> None:
        _reply(scene, 1, body="Отправлено дважды двойным щелчком", submission_token=token)

    # Both pass the "already sent?" check before either commits; the loser of the race on the unique token has its
    # savepoint (counter change included) rolled back and gets the winner's post instead of an error.
    assert run_at_once(live_app, [partial(work, n) for n in range(2)]) == [None, None]
    with live_app.app_context():
        thread = db.session.get(Thread, scene["thread"])
        posts = db.session.scalars(sa.select(Post).where(Post.thread_id == thread.id).order_by(Post.number)).all()
        assert [p.number for p in posts] == [1, 2]
        assert posts[1].submission_token == token
        assert (thread.post_count, thread.reply_count) == (2, 1)
        assert db.session.get(Association, scene["association"]).post_count == 2


def _signed_in_client(live_app, user_id: int):
    from tests.factories import PASSWORD

    client = live_app.test_client()
    with live_app.app_context():
        email = db.session.get(User, user_id).email
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_reply_form_sent_twice_at_once_over_http_makes_one_post(live_app, scene):
    thread_id, author_id = scene["thread"], scene["users"][2]
    clients = [_signed_in_client(live_app, author_id) for _ in range(2)]
    form = {"body": "Двойной щелчок по кнопке «Ответить»", "submission_token": uuid.uuid4().hex}
    responses: list = [None, None]

    def work(index: int) -> None:
        responses[index] = clients[index].post(f"/threads/{thread_id}/reply", data=form)

    assert run_at_once(live_app, [partial(work, n) for n in range(2)]) == [None, None]

    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    with live_app.app_context():
        posts = db.session.scalars(sa.select(Post).where(Post.thread_id == thread_id).order_by(Post.number)).all()
        assert [(p.number, p.author_id) for p in posts] == [(1, scene["users"][0]), (2, author_id)]
        assert db.session.get(Thread, thread_id).reply_count == 1
