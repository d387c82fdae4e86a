"""Post numbers and counters are kept in SQL in the same transaction as the post."""

import pytest

from app.associations.models import Association
from app.discussions import services
from app.discussions.models import Post, Thread, ThreadReader, WatchLevel
from app.extensions import db
from tests.factories import make_association, make_post, make_thread, make_user


def test_thread_and_replies_number_posts_and_count(app):
    author, other = make_user(), make_user()
    association = make_association(members=[author, other])
    thread = make_thread(author, association, tags="ФГОС, впр, ВПР")
    first = make_post(thread, other)
    second = make_post(thread, author, reply_to=first)
    db.session.expire_all()
    thread = db.session.get(Thread, thread.id)
    assert [t.name for t in thread.tags] == ["впр", "фгос"]
    assert (thread.post_count, thread.reply_count, thread.last_poster_id) == (3, 2, author.id)
    assert (first.number, second.number, second.depth) == (2, 3, 1)
    association = db.session.get(Association, association.id)
    assert (association.thread_count, association.post_count) == (1, 3)
    assert db.session.get(ThreadReader, (author.id, thread.id)).level == WatchLevel.WATCHING
    assert db.session.get(ThreadReader, (other.id, thread.id)).level == WatchLevel.TRACKING


def test_double_submission_creates_one_post(app):
    thread = make_thread()
    user = make_user()
    one = make_post(thread, user, submission_token="abc")
    two = make_post(thread, user, submission_token="abc")
    assert one.id == two.id
    assert db.session.scalar(db.select(db.func.count(Post.id)).where(Post.thread_id == thread.id)) == 2


def test_reply_to_a_post_of_another_thread_is_refused(app):
    other_post = make_post(make_thread())
    with pytest.raises(services.DiscussionError):
        make_post(make_thread(), reply_to=other_post)


def test_too_many_tags_refused(app):
    with pytest.raises(services.DiscussionError):
        make_thread(tags="a, b, c, d, e, f")
