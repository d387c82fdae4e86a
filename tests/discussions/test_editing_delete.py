"""Deleting and restoring posts and threads: soft delete, counters changed in SQL, moderators restore."""

import sqlalchemy as sa

from app.associations.models import Association
from app.auth.models import Role
from app.discussions import editing
from app.discussions.models import Post, Thread
from app.extensions import db
from tests.discussions.editing_helpers import assert_counts, make_world
from tests.factories import make_post, make_thread, make_user

# make_world: a thread with the opening post and two replies → (reply_count, thread_count, post_count) = (2, 1, 3)


def test_author_deletes_a_reply_and_counters_go_down(client, login):
    w = make_world()
    assert_counts(w, 2, 1, 3)
    login(w.author)
    response = client.post(f"/posts/{w.reply.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/threads/{w.thread.id}#post-2")
    db.session.expire_all()
    post = db.session.get(Post, w.reply.id)
    assert post.deleted_at is not None and post.deleted_by_id == w.author.id
    assert post.body == "Первый вариант ответа про дроби."  # kept for moderators
    assert_counts(w, 1, 1, 2)


def test_deleting_twice_counts_once(app):
    w = make_world()
    assert editing.delete_post(w.author, w.reply) is True
    assert editing.delete_post(w.author, w.reply) is False
    assert_counts(w, 1, 1, 2)
    assert editing.restore_post(w.leader, w.reply) is True
    assert editing.restore_post(w.leader, w.reply) is False
    assert_counts(w, 2, 1, 3)


def test_a_deleted_post_cannot_be_deleted_again_through_the_page(client, login):
    w = make_world()
    login(w.author)
    client.post(f"/posts/{w.reply.id}/delete")
    assert client.post(f"/posts/{w.reply.id}/delete").status_code == 403
    assert_counts(w, 1, 1, 2)


def test_deleting_the_opening_post_deletes_the_thread(client, login):
    w = make_world()
    other_thread = make_thread(w.other, w.association)
    login(w.author)
    response = client.post(f"/posts/{w.opening.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/associations/{w.association.slug}/")
    db.session.expire_all()
    assert db.session.get(Thread, w.thread.id).deleted_at is not None
    assert_counts(w, 2, 1, 1)  # only the other thread's opening post is left in the association
    assert other_thread.deleted_at is None
    assert client.get(f"/threads/{w.thread.id}").status_code == 404
    assert client.get(f"/posts/{w.reply.id}/edit").status_code == 404


def test_moderator_restores_a_reply(client, login):
    w = make_world()
    editing.delete_post(w.author, w.reply)
    login(w.leader)
    response = client.post(f"/posts/{w.reply.id}/restore")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/threads/{w.thread.id}#post-2")
    db.session.expire_all()
    assert db.session.get(Post, w.reply.id).deleted_at is None
    assert_counts(w, 2, 1, 3)


def test_moderator_restores_a_deleted_thread(client, login):
    w = make_world()
    editing.delete_post(w.author, w.reply)
    editing.delete_post(w.author, w.opening)
    assert_counts(w, 1, 0, 0)
    login(make_user(Role.ADMIN))
    assert client.post(f"/posts/{w.opening.id}/restore").status_code == 302
    db.session.expire_all()
    assert db.session.get(Thread, w.thread.id).deleted_at is None
    assert_counts(w, 1, 1, 2)  # the reply deleted on its own stays deleted


def test_moderator_deleting_a_reply_of_a_deleted_thread_does_not_count_it_twice(app):
    w = make_world()
    editing.delete_post(w.author, w.opening)
    assert_counts(w, 2, 0, 0)
    editing.delete_post(w.leader, w.reply)
    assert_counts(w, 1, 0, 0)
    editing.restore_post(w.leader, w.opening)
    assert_counts(w, 1, 1, 2)
    editing.restore_post(w.leader, w.reply)
    assert_counts(w, 2, 1, 3)


def test_members_may_not_restore(client, login):
    w = make_world()
    editing.delete_post(w.author, w.reply)
    login(w.author)
    assert client.post(f"/posts/{w.reply.id}/restore").status_code == 403
    assert_counts(w, 1, 1, 2)


def test_restoring_a_post_that_is_not_deleted_is_refused(client, login):
    w = make_world()
    login(w.leader)
    assert client.post(f"/posts/{w.reply.id}/restore").status_code == 403


def test_another_member_may_not_delete(client, login):
    w = make_world()
    login(w.other)
    assert client.post(f"/posts/{w.reply.id}/delete").status_code == 403
    assert_counts(w, 2, 1, 3)


def test_leader_deletes_someone_elses_post(client, login):
    w = make_world()
    login(w.leader)
    assert client.post(f"/posts/{w.reply.id}/delete").status_code == 302
    assert_counts(w, 1, 1, 2)
    db.session.expire_all()
    assert db.session.get(Post, w.reply.id).deleted_by_id == w.leader.id


def test_anonymous_unknown_and_get(client, login):
    w = make_world()
    for action in ("delete", "restore"):
        response = client.post(f"/posts/{w.reply.id}/{action}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(w.author)
    assert client.post("/posts/999999/delete").status_code == 404
    assert client.post("/posts/999999/restore").status_code == 404
    assert client.get(f"/posts/{w.reply.id}/delete").status_code == 405


def test_a_hidden_reply_was_not_counted_and_is_not_uncounted(app):
    w = make_world()
    # A moderator hid the reply earlier (moderation takes it out of the counts when it hides it).
    db.session.execute(sa.update(Thread).where(Thread.id == w.thread.id).values(reply_count=Thread.reply_count - 1))
    db.session.execute(
        sa.update(Association).where(Association.id == w.association.id).values(post_count=Association.post_count - 1)
    )
    w.reply.hidden_at = w.reply.created_at
    db.session.flush()
    assert_counts(w, 1, 1, 2)
    editing.delete_post(w.author, w.reply)
    assert_counts(w, 1, 1, 2)
    editing.restore_post(w.leader, w.reply)
    assert_counts(w, 1, 1, 2)


def test_a_new_reply_after_deletes_keeps_counts_exact(app):
    w = make_world()
    editing.delete_post(w.author, w.reply)
    make_post(w.thread, w.other, body="Ещё ответ.")
    assert_counts(w, 2, 1, 3)


def test_a_hidden_thread_is_out_of_the_association_counts_already(app):
    w = make_world()
    # Moderation hid the thread and took it out of the association's counts.
    w.thread.hidden_at = w.thread.created_at
    db.session.execute(
        sa.update(Association)
        .where(Association.id == w.association.id)
        .values(thread_count=Association.thread_count - 1, post_count=Association.post_count - 3)
    )
    db.session.flush()
    assert_counts(w, 2, 0, 0)
    editing.delete_post(w.leader, w.reply)
    assert_counts(w, 1, 0, 0)
    editing.delete_post(w.leader, w.opening)
    assert_counts(w, 1, 0, 0)
    editing.restore_post(w.leader, w.opening)
    editing.restore_post(w.leader, w.reply)
    assert_counts(w, 2, 0, 0)
