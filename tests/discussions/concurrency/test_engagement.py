"""«Полезно» counters stay exact when many colleagues click at once (PostgreSQL; real commits, own connections)."""

from functools import partial

import sqlalchemy as sa

from app.auth.models import User
from app.discussions import engagement
from app.discussions.models import Post, Reaction, Thread
from app.extensions import db
from tests.discussions.concurrency.harness import run_at_once
from tests.discussions.concurrency.test_replies import WORKERS, scene  # noqa: F401  (a fixture)


def _opening(ids) -> Post:
    return db.session.scalar(sa.select(Post).where(Post.thread_id == ids["thread"], Post.number == 1))


def _counts(app, ids) -> tuple[int, int, int]:
    with app.app_context():
        post = _opening(ids)
        thread = db.session.get(Thread, ids["thread"])
        reactions = db.session.scalar(
            sa.select(sa.func.count()).select_from(Reaction).where(Reaction.post_id == post.id)
        )
        return post.useful_count, thread.useful_count, reactions


def _mark(ids, index: int, on: bool | None) -> None:
    user = db.session.get(User, ids["users"][index])
    engagement.set_useful(user, _opening(ids), on)
    db.session.commit()


def test_concurrent_useful_clicks_keep_counters_exact(live_app, scene):  # noqa: F811
    # Worker 0 wrote the post; the others mark it, unmark it and mark it again, all at once.
    def work(index: int) -> None:
        for on in (True, False, True):
            _mark(scene, index + 1, on)

    assert run_at_once(live_app, [partial(work, n) for n in range(WORKERS - 1)]) == [None] * (WORKERS - 1)
    assert _counts(live_app, scene) == (WORKERS - 1, WORKERS - 1, WORKERS - 1)


def test_a_double_click_at_once_counts_once(live_app, scene):  # noqa: F811
    outcomes = run_at_once(live_app, [lambda: _mark(scene, 1, True)] * 2)
    assert outcomes == [None, None]
    assert _counts(live_app, scene) == (1, 1, 1)
