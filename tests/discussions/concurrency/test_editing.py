"""Deletes, restores and edits racing each other on PostgreSQL: counters stay exact, no text is lost.

Like the other tests in this folder, these run on an app of their own, commit real rows on several connections and
delete them at the end; on SQLite (writers serialised) they are skipped.
"""

import uuid

import pytest
import sqlalchemy as sa

from app.associations.models import Association
from app.auth.models import User
from app.discussions import editing
from app.discussions.models import Post, PostRevision, Thread
from app.extensions import db
from tests.discussions.concurrency.harness import run_at_once
from tests.factories import make_association, make_post, make_thread, make_user

MEMBERS = 4


@pytest.fixture
def scene(live_app):
    """A committed association: a leader, MEMBERS members, a thread with two replies by each member."""
    with live_app.app_context():
        tag = uuid.uuid4().hex[:10]
        leader = make_user(email=f"editing-race-{tag}-leader@example.org")
        people = [make_user(email=f"editing-race-{tag}-{n}@example.org") for n in range(MEMBERS)]
        association = make_association(f"Правки наперегонки {tag}", leader=leader, members=people)
        thread = make_thread(people[0], association, title="Тема, которую правят и удаляют сразу")
        replies = [
            make_post(thread, person, body=f"Ответ {n} от {i}") for n in range(2) for i, person in enumerate(people)
        ]
        db.session.commit()
        ids = {
            "leader": leader.id,
            "users": [u.id for u in people],
            "association": association.id,
            "thread": thread.id,
            "opening": db.session.scalar(sa.select(Post.id).where(Post.thread_id == thread.id, Post.number == 1)),
            "replies": [p.id for p in replies],
        }
        db.session.remove()
    try:
        yield ids
    finally:
        with live_app.app_context():
            db.session.execute(sa.delete(Association).where(Association.id == ids["association"]))
            db.session.execute(sa.delete(User).where(User.id.in_([ids["leader"], *ids["users"]])))
            db.session.commit()
            db.session.remove()


def _act(verb, actor_id: int, post_id: int):
    def job():
        verb(db.session.get(User, actor_id), db.session.get(Post, post_id))

    return job


def _counts(live_app, ids) -> tuple:
    with live_app.app_context():
        thread = db.session.get(Thread, ids["thread"])
        association = db.session.get(Association, ids["association"])
        visible = (Post.thread_id == thread.id, Post.deleted_at.is_(None), Post.hidden_at.is_(None))
        replies = db.session.scalar(sa.select(sa.func.count()).where(*visible, Post.number > 1))
        posts = db.session.scalar(sa.select(sa.func.count()).where(*visible))
        shown = thread.deleted_at is None
        stored = (thread.reply_count, association.thread_count, association.post_count)
        counted = (replies, int(shown), posts if shown else 0)
        db.session.remove()
    return stored, counted


def test_deletes_and_restores_at_once_keep_counters_exact(live_app, scene):
    doomed = scene["replies"][:MEMBERS]
    authors = scene["users"]
    # Every reply deleted twice at once (a double click), and the thread itself at the same moment.
    jobs = [_act(editing.delete_post, authors[i], post_id) for i, post_id in enumerate(doomed)] * 2
    jobs.append(_act(editing.delete_post, authors[0], scene["opening"]))
    assert run_at_once(live_app, jobs, commit=True) == [None] * len(jobs)
    stored, counted = _counts(live_app, scene)
    assert stored == counted == (MEMBERS, 0, 0)

    # The leader (and a second tab of theirs) restores everything at once.
    leader = scene["leader"]
    jobs = [_act(editing.restore_post, leader, post_id) for post_id in [scene["opening"], *doomed]] * 2
    assert run_at_once(live_app, jobs, commit=True) == [None] * len(jobs)
    stored, counted = _counts(live_app, scene)
    assert stored == counted == (2 * MEMBERS, 1, 2 * MEMBERS + 1)


def test_two_editors_at_once_lose_no_text(live_app, scene):
    post_id = scene["replies"][1]

    def edit(actor_id: int, body: str):
        def job():
            editing.edit_post(db.session.get(User, actor_id), db.session.get(Post, post_id), body=body)

        return job

    jobs = [edit(scene["users"][1], "Правка автора"), edit(scene["leader"], "Правка руководителя")]
    assert run_at_once(live_app, jobs, commit=True) == [None, None]
    with live_app.app_context():
        post = db.session.get(Post, post_id)
        revisions = db.session.scalars(
            sa.select(PostRevision).where(PostRevision.post_id == post_id).order_by(PostRevision.number)
        ).all()
        texts = [r.body for r in revisions] + [post.body]
        assert [r.number for r in revisions] == [1, 2] and post.revision_count == 2
        assert texts[0] == "Ответ 0 от 1"
        assert sorted(texts[1:]) == ["Правка автора", "Правка руководителя"]
        db.session.remove()
