"""hide_post / unhide_post: the counters move exactly once, the log has a line and the author a notification."""

import pytest
import sqlalchemy as sa

from app.db import utcnow
from app.discussions import editing
from app.discussions.models import Post, ThreadKind
from app.extensions import db
from app.moderation.models import ModerationAction, ModerationKind
from app.moderation.posts import ModerationError, hide_post, is_auto_hidden, unhide_post
from app.notifications.models import Notification
from tests.factories import make_post, make_thread
from tests.moderation.conftest import counters


def _log(post) -> list[tuple]:
    found = db.session.execute(
        sa.select(ModerationAction.kind, ModerationAction.actor_id, ModerationAction.user_id, ModerationAction.reason,
                  ModerationAction.association_id)
        .where(ModerationAction.post_id == post.id)
        .order_by(ModerationAction.id)
    )  # fmt: skip
    return [tuple(row) for row in found]


def _notices(user) -> list[tuple]:
    found = db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    return [(n.kind, n.actor_id, n.post_id, n.params) for n in found]


def test_hiding_a_reply_takes_it_out_of_both_counters_once_and_unhiding_puts_it_back(world):
    thread, reply, leader, author = world["thread"], world["reply"], world["leader"], world["author"]
    before = counters(thread)
    assert hide_post(leader, reply, "  Реклама\nстороннего  сайта ") is True
    assert counters(thread) == (before[0] - 1, before[1] - 1)
    assert (reply.hidden_at is not None, reply.hidden_by_id, reply.hidden_reason) == (
        True, leader.id, "Реклама стороннего сайта"
    )  # fmt: skip
    assert not is_auto_hidden(reply)
    assert hide_post(leader, reply, "ещё раз") is False  # already hidden by a moderator: nothing moves
    assert counters(thread) == (before[0] - 1, before[1] - 1)
    assert unhide_post(leader, reply) is True
    assert counters(thread) == before
    assert (reply.hidden_at, reply.hidden_by_id, reply.hidden_reason) == (None, None, "")
    assert unhide_post(leader, reply) is False
    assert counters(thread) == before
    association_id = world["association"].id
    assert _log(reply) == [
        (ModerationKind.POST_HIDDEN, leader.id, author.id, "Реклама стороннего сайта", association_id),
        (ModerationKind.POST_UNHIDDEN, leader.id, author.id, "", association_id),
    ]
    title = thread.title
    assert _notices(author) == [
        ("post_hidden", leader.id, reply.id,
         {"thread_title": title, "post_number": 2, "reason": "Реклама стороннего сайта"}),
        ("post_unhidden", leader.id, reply.id, {"thread_title": title, "post_number": 2, "reason": ""}),
    ]  # fmt: skip


def test_hiding_the_opening_post_leaves_the_reply_count_alone(world):
    thread, opening = world["thread"], world["opening"]
    before = counters(thread)
    hide_post(world["admin"], opening, "Нарушение правил")
    assert counters(thread) == (before[0], before[1] - 1)
    unhide_post(world["admin"], opening)
    assert counters(thread) == before


def test_a_deleted_post_is_out_of_the_counters_already_and_stays_exact(world):
    thread, reply, leader = world["thread"], world["reply"], world["leader"]
    before = counters(thread)
    editing.delete_post(world["author"], reply)
    assert counters(thread) == (before[0] - 1, before[1] - 1)
    hide_post(leader, reply, "Оскорбление")
    assert counters(thread) == (before[0] - 1, before[1] - 1)
    editing.restore_post(leader, reply)  # still hidden: not counted yet
    assert counters(thread) == (before[0] - 1, before[1] - 1)
    unhide_post(leader, reply)
    assert counters(thread) == before


def test_a_private_question_is_never_in_the_association_count(world):
    members = world["members"]
    question = make_thread(members[0], world["association"], kind=ThreadKind.QUESTION, private=True,
                           title="Личный вопрос о проверке тетрадей")  # fmt: skip
    answer = make_post(question, members[1])
    before = counters(question)
    hide_post(world["leader"], answer, "Не по теме")
    assert counters(question) == (before[0] - 1, before[1])
    unhide_post(world["leader"], answer)
    assert counters(question) == before


def test_the_automatic_hide_has_no_actor_and_a_moderator_may_take_it_over(world):
    thread, reply, leader, author = world["thread"], world["reply"], world["leader"], world["author"]
    before = counters(thread)
    assert hide_post(None, reply, "Скрыто по жалобам участников до проверки") is True
    assert is_auto_hidden(reply)
    assert counters(thread) == (before[0] - 1, before[1] - 1)
    assert hide_post(None, reply, "ещё раз") is False
    assert hide_post(leader, reply, "Спам") is True  # the moderator's decision replaces the automatic hide
    assert (reply.hidden_by_id, reply.hidden_reason, is_auto_hidden(reply)) == (leader.id, "Спам", False)
    assert counters(thread) == (before[0] - 1, before[1] - 1)
    assert [row[:2] for row in _log(reply)] == [
        (ModerationKind.AUTO_HIDDEN, None),
        (ModerationKind.POST_HIDDEN, leader.id),
    ]
    assert [(kind, actor) for kind, actor, _post, _params in _notices(author)] == [
        ("post_hidden", None), ("post_hidden", leader.id)
    ]  # fmt: skip


def test_a_post_held_by_premoderation_is_neither_hidden_nor_shown_here(world):
    thread = world["thread"]
    held = make_post(thread, world["members"][1])
    now = utcnow()
    db.session.execute(sa.update(Post).where(Post.id == held.id).values(hidden_at=now, held_at=now))
    db.session.expire(held)
    before = counters(thread)
    assert unhide_post(world["leader"], held) is False
    assert hide_post(world["leader"], held, "Спам") is False
    assert hide_post(None, held, "Спам") is False
    assert counters(thread) == before
    assert _log(held) == []


def test_a_reason_is_required(world):
    with pytest.raises(ModerationError, match="Укажите причину"):
        hide_post(world["leader"], world["reply"], "   \n ")
    assert world["reply"].hidden_at is None


def test_a_hidden_post_leaves_search(world, client):
    reply = world["reply"]
    db.session.commit()
    assert "Подготовка к олимпиаде" in client.get("/search?q=присылайте").get_data(as_text=True)
    hide_post(world["leader"], reply, "Спам")
    db.session.commit()
    assert "Подготовка к олимпиаде" not in client.get("/search?q=присылайте").get_data(as_text=True)
