"""Moderation's say before a post is written (discussions.services.REPLY_CHECKS and HOLD_CHECKS): a check refuses a
reply, a hold keeps a new thread or reply hidden, out of every counter and hook, until a leader approves it."""

import pytest

from app.discussions import services
from app.discussions.services import DiscussionError
from app.extensions import db
from tests.factories import make_association, make_post, make_thread, make_user


@pytest.fixture
def hooks():
    saved = list(services.REPLY_CHECKS), list(services.HOLD_CHECKS), list(services.REPLY_HOOKS)
    yield services
    services.REPLY_CHECKS[:], services.HOLD_CHECKS[:], services.REPLY_HOOKS[:] = saved


def test_a_reply_check_refuses_the_reply_and_changes_nothing(hooks):
    thread = make_thread()
    before = thread.post_count

    def slow(author, checked):
        raise DiscussionError("Подождите минуту.")

    hooks.REPLY_CHECKS.append(slow)
    with pytest.raises(DiscussionError):
        make_post(thread, make_user())
    db.session.refresh(thread)
    assert thread.post_count == before


def test_a_held_reply_is_numbered_but_hidden_uncounted_and_unannounced(hooks):
    newcomer, author = make_user(), make_user()
    association = make_association(members=[newcomer, author])
    thread = make_thread(author, association)
    seen = []
    hooks.REPLY_HOOKS.append(seen.append)
    hooks.HOLD_CHECKS.append(lambda user, where: user.id == newcomer.id and where.id == association.id)
    counts = (thread.reply_count, thread.last_posted_at, association.post_count)
    held = make_post(thread, newcomer)
    db.session.refresh(thread)
    db.session.refresh(association)
    assert held.number == 2 and thread.post_count == 2
    assert held.held_at is not None and held.hidden_at is not None and not held.is_visible
    assert (thread.reply_count, thread.last_posted_at, association.post_count) == counts
    assert seen == []
    shown = make_post(thread, author)
    assert shown.number == 3 and shown.is_visible and seen == [shown]


def test_a_held_thread_is_hidden_with_its_opening_post_and_out_of_the_counts(hooks):
    newcomer = make_user()
    association = make_association(members=[newcomer])
    hooks.HOLD_CHECKS.append(lambda user, where: True)
    before = (association.thread_count, association.post_count)
    thread = make_thread(newcomer, association)
    db.session.refresh(association)
    assert thread.held_at is not None and thread.hidden_at is not None
    first = db.session.scalar(db.select(services.Post).where(services.Post.thread_id == thread.id))
    assert first.held_at is not None and first.hidden_at is not None
    assert (association.thread_count, association.post_count) == before
