"""Moderators' actions on threads over HTTP: who may do each (visitor → login, member and another association's leader
403, leader and admin), unknown ids, POST only, CSRF; pin, lock, hide and slow mode with their banners, log lines,
notifications and exact counters; the thread page's query count."""

import html
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import policy
from app.associations.models import Visibility
from app.auth.models import Role
from app.db import utcnow
from app.discussions.models import Post, Thread
from app.extensions import db
from app.moderation import threads as services
from app.moderation.models import ModerationAction, ModerationKind
from app.notifications.kinds import KINDS, Category
from app.notifications.models import Notification
from tests.factories import PASSWORD, make_association, make_post, make_thread, make_user
from tests.moderation.thread_checks import assert_exact


@pytest.fixture
def forum():
    """An association led by `leader` with two members; the leader also leads `second`; another association with its
    own leader; an admin. `thread` (by `author`, 3 posts) and `target` (by `member`) in the first association."""
    leader, author, member = make_user(full_name="Руководитель Объединения"), make_user(), make_user()
    association = make_association("РМО учителей истории", leader=leader, members=[author, member])
    second = make_association("РМО учителей обществознания", leader=leader, members=[author])
    other_leader = make_user()
    other = make_association("РМО учителей географии", leader=other_leader)
    thread = make_thread(author, association, title="Как проводить урок-суд")
    make_post(thread, member, body="Распределите роли заранее.")
    make_post(thread, author, body="Спасибо, попробую.")
    target = make_thread(member, association, title="Уроки-игры в 7 классе")
    admin = make_user(Role.ADMIN)
    db.session.commit()
    return {"leader": leader, "author": author, "member": member, "association": association, "second": second,
            "other_leader": other_leader, "other": other, "thread": thread, "target": target,
            "admin": admin}  # fmt: skip


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _thread(thread_id: int) -> Thread:
    db.session.expire_all()
    return db.session.get(Thread, thread_id)


def _log(thread) -> list[tuple]:
    rows = db.session.execute(
        sa.select(ModerationAction.kind, ModerationAction.actor_id, ModerationAction.reason)
        .where(ModerationAction.thread_id == thread.id)
        .order_by(ModerationAction.id)
    )
    return [tuple(row) for row in rows]


def _notices(user) -> list[tuple]:
    """What moderation told the user (replies in threads they watch are discussions' notices)."""
    moderation = [kind for kind, category in KINDS.items() if category == Category.MODERATION]
    mine = sa.and_(Notification.user_id == user.id, Notification.kind.in_(moderation))
    found = db.session.scalars(sa.select(Notification).where(mine).order_by(Notification.id))
    return [(n.kind, n.thread_id, n.params.get("reason")) for n in found]


# --- who may act ------------------------------------------------------------------------------------------------------

# action → (form data, how the thread is prepared first, did it happen)
ACTIONS = {
    "pin": (lambda f: {}, None, lambda t, f: t.pinned_at is not None),
    "unpin": (lambda f: {}, services.pin_thread, lambda t, f: t.pinned_at is None),
    "lock": (lambda f: {"reason": "Обсуждение завершено"}, None, lambda t, f: t.locked_at is not None),
    "unlock": (lambda f: {}, lambda a, t: services.lock_thread(a, t, "флуд"), lambda t, f: t.locked_at is None),
    "hide": (lambda f: {"reason": "Спам"}, None, lambda t, f: t.hidden_at is not None),
    "unhide": (lambda f: {}, lambda a, t: services.hide_thread(a, t, "спам"), lambda t, f: t.hidden_at is None),
    "slow-mode": (lambda f: {"seconds": "300"}, None, lambda t, f: t.slow_mode_seconds == 300),
    "move": (lambda f: {"association": f["second"].id}, None, lambda t, f: t.association_id == f["second"].id),
    "merge": (lambda f: {"target": str(f["target"].id)}, None, lambda t, f: t.merged_into_id == f["target"].id),
    "split": (lambda f: {"posts": ["3"], "title": "Ответ в отдельной теме"}, None, lambda t, f: t.post_count == 2),
}
BUTTONS = ["pin", "unpin", "lock", "unlock", "hide", "unhide", "slow-mode"]


def _prepare(forum, action):
    data, prepare, _happened = ACTIONS[action]
    if prepare is not None:
        prepare(forum["admin"], forum["thread"])
        db.session.commit()
    return data(forum)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_visitor_is_sent_to_log_in(client, forum, action):
    response = client.post(f"/threads/{forum['thread'].id}/moderation/{action}", data=_prepare(forum, action))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["member", "author", "other_leader"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_members_and_leaders_of_another_association_are_refused(signed_in, forum, action, role):
    data = _prepare(forum, action)
    before = _thread(forum["thread"].id)
    state = (before.pinned_at, before.locked_at, before.hidden_at, before.slow_mode_seconds, before.association_id)
    response = signed_in(forum[role]).post(f"/threads/{forum['thread'].id}/moderation/{action}", data=data)
    # a thread they may not see (hidden, before unhide) is 404, so that its existence does not leak
    visible = policy.can_view_thread(forum[role], _thread(forum["thread"].id))
    assert response.status_code == (403 if visible else 404)
    assert visible or action == "unhide"
    after = _thread(forum["thread"].id)
    assert (after.pinned_at, after.locked_at, after.hidden_at, after.slow_mode_seconds, after.association_id) == state


@pytest.mark.parametrize("role", ["leader", "admin"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_the_leader_and_an_admin_act(signed_in, forum, action, role):
    data = _prepare(forum, action)
    thread_id = forum["thread"].id
    logged = sa.select(sa.func.count()).where(ModerationAction.actor_id == forum[role].id)
    before = db.session.scalar(logged)
    response = signed_in(forum[role]).post(f"/threads/{thread_id}/moderation/{action}", data=data)
    assert response.status_code == 302, _text(response)[:2000]
    assert ACTIONS[action][2](_thread(thread_id), forum)
    assert db.session.scalar(logged) == before + 1


@pytest.mark.parametrize("action", list(ACTIONS))
def test_unknown_threads_are_404(signed_in, forum, action):
    client = signed_in(forum["admin"])
    assert client.post(f"/threads/987654321/moderation/{action}", data=ACTIONS[action][0](forum)).status_code == 404
    if action in ("move", "merge", "split"):
        assert client.get(f"/threads/987654321/moderation/{action}").status_code == 404


@pytest.mark.parametrize("action", BUTTONS)
def test_buttons_take_no_get(signed_in, forum, action):
    assert signed_in(forum["leader"]).get(f"/threads/{forum['thread'].id}/moderation/{action}").status_code == 405


@pytest.mark.parametrize("action", ["move", "merge", "split"])
def test_the_forms_are_for_moderators(signed_in, forum, action):
    url = f"/threads/{forum['thread'].id}/moderation/{action}"
    assert signed_in(forum["member"]).get(url).status_code == 403
    assert signed_in(forum["other_leader"]).get(url).status_code == 403
    assert signed_in(forum["leader"]).get(url).status_code == 200


def test_a_thread_the_user_may_not_see_is_404_not_403(signed_in, forum):
    closed = make_association(visibility=Visibility.MEMBERS)
    thread = make_thread(association=closed)
    db.session.commit()
    assert signed_in(forum["other_leader"]).post(f"/threads/{thread.id}/moderation/pin").status_code == 404


def test_actions_need_the_csrf_token(app, signed_in, forum):
    client = signed_in(forum["leader"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/threads/{forum['thread'].id}/moderation/pin")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert _thread(forum["thread"].id).pinned_at is None


# --- pin, lock, hide ----------------------------------------------------------------------------------------------


def test_pin_and_unpin_are_logged_and_a_repeat_is_explained(signed_in, forum):
    thread, leader = forum["thread"], forum["leader"]
    client = signed_in(leader)
    client.post(f"/threads/{thread.id}/moderation/pin")
    again = client.post(f"/threads/{thread.id}/moderation/pin", follow_redirects=True)
    assert "Тема уже закреплена." in _text(again)
    page = _text(client.get(f"/associations/{forum['association'].slug}/"))
    assert page.index("Как проводить урок-суд") < page.index("Уроки-игры в 7 классе")  # pinned on top, though older
    client.post(f"/threads/{thread.id}/moderation/unpin")
    assert _log(thread) == [
        (ModerationKind.THREAD_PINNED, leader.id, ""),
        (ModerationKind.THREAD_UNPINNED, leader.id, ""),
    ]


def test_a_locked_thread_takes_no_reply_and_says_why(signed_in, client, forum):
    thread, leader, author = forum["thread"], forum["leader"], forum["author"]
    response = signed_in(leader).post(f"/threads/{thread.id}/moderation/lock", data={"reason": "  Вопрос решён  "})
    assert response.status_code == 302
    assert "Тема закрыта для ответов: Вопрос решён" in _text(client.get(f"/threads/{thread.id}"))
    refused = signed_in(forum["member"]).post(f"/threads/{thread.id}/reply", data={"body": "А можно ещё?"})
    assert refused.status_code == 400 and "А можно ещё?" in _text(refused)
    assert _thread(thread.id).post_count == 3
    assert _log(thread) == [(ModerationKind.THREAD_LOCKED, leader.id, "Вопрос решён")]
    assert _notices(author) == [("thread_locked", thread.id, "Вопрос решён")]
    signed_in(leader).post(f"/threads/{thread.id}/moderation/unlock")
    assert _thread(thread.id).lock_reason == "" and "закрыта для ответов" not in _text(
        client.get(f"/threads/{thread.id}")
    )
    assert _notices(author)[-1][0] == "thread_unlocked"


def test_lock_and_hide_need_a_reason(signed_in, forum):
    client = signed_in(forum["leader"])
    for action in ("lock", "hide"):
        page = client.post(f"/threads/{forum['thread'].id}/moderation/{action}", data={"reason": "  "},
                           follow_redirects=True)  # fmt: skip
        assert "Укажите причину." in _text(page)
    thread = _thread(forum["thread"].id)
    assert thread.locked_at is None and thread.hidden_at is None and _log(thread) == []
    too_long = client.post(f"/threads/{thread.id}/moderation/lock", data={"reason": "я" * 501}, follow_redirects=True)
    assert "Причина длиннее 500 символов." in _text(too_long) and _thread(thread.id).locked_at is None


def test_hiding_takes_the_thread_out_of_sight_and_counters_and_back(signed_in, forum):
    thread, leader, association = forum["thread"], forum["leader"], forum["association"]
    before = (association.thread_count, association.post_count)
    signed_in(leader).post(f"/threads/{thread.id}/moderation/hide", data={"reason": "Нарушение правил"})
    assert_exact(threads=[thread.id], associations=[association.id])
    hidden = db.session.get(type(association), association.id)
    assert (hidden.thread_count, hidden.post_count) == (before[0] - 1, before[1] - 3)
    assert signed_in(forum["member"]).get(f"/threads/{thread.id}").status_code == 404
    assert "Тема скрыта: Нарушение правил" in _text(signed_in(leader).get(f"/threads/{thread.id}"))
    assert _notices(forum["author"]) == [("thread_hidden", thread.id, "Нарушение правил")]
    again = signed_in(leader).post(
        f"/threads/{thread.id}/moderation/hide", data={"reason": "ещё"}, follow_redirects=True
    )
    assert "Тема уже скрыта." in _text(again)
    signed_in(leader).post(f"/threads/{thread.id}/moderation/unhide")
    assert_exact(threads=[thread.id], associations=[association.id])
    shown = db.session.get(type(association), association.id)
    assert (shown.thread_count, shown.post_count) == before
    assert signed_in(forum["member"]).get(f"/threads/{thread.id}").status_code == 200
    assert [kind for kind, _actor, _reason in _log(thread)] == [ModerationKind.THREAD_HIDDEN,
                                                               ModerationKind.THREAD_UNHIDDEN]  # fmt: skip


def test_hide_and_unhide_of_special_threads(forum):
    admin, thread = forum["admin"], forum["thread"]
    private = make_thread(forum["member"], forum["association"], kind="question", private=True)
    before = (forum["association"].thread_count, forum["association"].post_count)
    services.hide_thread(admin, private, "личные данные")
    services.unhide_thread(admin, private)
    assert_exact(threads=[private.id], associations=[forum["association"].id])
    assert (forum["association"].thread_count, forum["association"].post_count) == before
    thread.held_at = thread.hidden_at = utcnow()  # held by pre-moderation: approved in the queue, not here
    db.session.flush()
    with pytest.raises(services.ModerationError, match="ждёт проверки"):
        services.unhide_thread(admin, thread)
    with pytest.raises(services.ModerationError, match="не скрыта"):
        services.unhide_thread(admin, forum["target"])


# --- slow mode ----------------------------------------------------------------------------------------------------


def _reply(client, thread, body):
    return client.post(f"/threads/{thread.id}/reply", data={"body": body})


def test_slow_mode_refuses_a_quick_second_reply_and_keeps_the_text(signed_in, client, forum):
    thread, member = forum["thread"], forum["member"]
    signed_in(forum["leader"]).post(f"/threads/{thread.id}/moderation/slow-mode", data={"seconds": "60"})
    assert "Медленный режим: не чаще одного сообщения в 1 минуту." in _text(client.get(f"/threads/{thread.id}"))
    writer = signed_in(member)
    db.session.execute(
        sa.update(Post).where(Post.author_id == member.id).values(created_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    assert _reply(writer, thread, "Первый ответ после паузы.").status_code == 302
    refused = _reply(writer, thread, "Второй ответ сразу же.")
    assert refused.status_code == 400
    page = _text(refused)
    assert "Медленный режим: следующее сообщение можно отправить через 1 минуту." in page
    assert "Второй ответ сразу же." in page
    assert _thread(thread.id).post_count == 4
    fourth = sa.update(Post).where(Post.thread_id == thread.id, Post.number == 4)
    db.session.execute(fourth.values(created_at=utcnow() - timedelta(seconds=61)))
    db.session.commit()
    assert _reply(writer, thread, "Теперь можно.").status_code == 302


def test_slow_mode_spares_moderators_and_counts_seconds(signed_in, forum):
    thread, leader = forum["thread"], forum["leader"]
    services.set_slow_mode(leader, thread, 30)
    db.session.commit()
    moderator = signed_in(leader)
    assert _reply(moderator, thread, "Первое.").status_code == 302
    assert _reply(moderator, thread, "Второе сразу.").status_code == 302
    with pytest.raises(services.DiscussionError, match="через 30 секунд"):
        services.check_slow_mode(forum["author"], _thread(thread.id))  # the author posted a moment ago
    assert (
        services.slow_mode_wait_message(59) == "Медленный режим: следующее сообщение можно отправить через 59 секунд."
    )
    assert "через 2 минут" in services.slow_mode_wait_message(61)  # rounded up to whole minutes


def test_slow_mode_takes_only_the_offered_intervals(signed_in, forum):
    thread = forum["thread"]
    page = signed_in(forum["leader"]).post(f"/threads/{thread.id}/moderation/slow-mode", data={"seconds": "7"},
                                           follow_redirects=True)  # fmt: skip
    assert "Выберите интервал медленного режима из списка." in _text(page)
    assert _thread(thread.id).slow_mode_seconds == 0
    with pytest.raises(services.ModerationError):
        services.set_slow_mode(forum["leader"], thread, -1)
    services.set_slow_mode(forum["leader"], thread, 3600)
    with pytest.raises(services.ModerationError, match="уже такой"):
        services.set_slow_mode(forum["leader"], thread, 3600)
    services.set_slow_mode(forum["leader"], thread, 0)
    assert [(kind, reason) for kind, _actor, reason in _log(thread)] == [(ModerationKind.SLOW_MODE, "")] * 2


# --- the thread page ----------------------------------------------------------------------------------------------


def test_the_tools_are_for_moderators_only(signed_in, client, forum):
    url = f"/threads/{forum['thread'].id}"
    assert 'id="moderation"' not in _text(client.get(url))
    assert 'id="moderation"' not in _text(signed_in(forum["member"]).get(url))
    assert 'id="moderation"' not in _text(signed_in(forum["other_leader"]).get(url))
    tools = _text(signed_in(forum["leader"]).get(url))
    assert 'id="moderation"' in tools and "Закрепить" in tools and "Медленный режим" in tools
    assert f"/threads/{forum['thread'].id}/moderation/split" in tools


def _thread_with(posts: int, leader, member, *, closed: bool):
    association = make_association(leader=leader, members=[member])
    thread = make_thread(member, association)
    for n in range(posts - 1):
        make_post(thread, member, body=f"Ответ {n}")
    if closed:
        services.lock_thread(leader, thread, "Обсуждение завершено")
        services.set_slow_mode(leader, thread, 60)
    db.session.commit()
    return thread


def _page_queries(app, count_queries, user, thread) -> int:
    client = app.test_client()
    if user is not None:
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    client.get(f"/threads/{thread.id}")  # the read state exists from here on
    with count_queries() as q:
        assert client.get(f"/threads/{thread.id}").status_code == 200
    return q.count


@pytest.mark.parametrize("role", ["visitor", "member", "leader"])
def test_banners_cost_no_query_whatever_the_posts(app, count_queries, role):
    leader, member = make_user(), make_user()
    user = {"visitor": None, "member": member, "leader": leader}[role]
    plain = _page_queries(app, count_queries, user, _thread_with(1, leader, member, closed=False))
    closed = [_page_queries(app, count_queries, user, _thread_with(n, leader, member, closed=True)) for n in (1, 30)]
    assert closed == [plain, plain], (plain, closed)


def test_the_tools_cost_moderators_at_most_one_query(app, count_queries):
    leader, member = make_user(), make_user()
    thread = _thread_with(30, leader, member, closed=True)
    as_member = _page_queries(app, count_queries, member, thread)
    as_leader = _page_queries(app, count_queries, leader, thread)
    assert as_member <= 8 and as_leader <= as_member + 1, (as_member, as_leader)  # test_reading.py pins 8
