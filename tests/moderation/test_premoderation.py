"""Pre-moderation (issue 6): the association's setting; a new member's first N posts held; approving publishes them
with their original time and exact counters (and runs the hooks creation would have); rejecting tells the author
why; the held posts in the moderation queue, at a fixed number of queries."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import policy
from app.associations.models import Association
from app.auth.models import Role
from app.consultations.services import question_of
from app.db import utcnow
from app.discussions import services as discussions
from app.discussions.models import Post, Thread, ThreadKind
from app.extensions import db
from app.moderation import premoderation
from app.moderation.models import ModerationAction, ModerationKind
from app.notifications.models import Notification
from tests.consultations import conftest as consultation_fixtures
from tests.factories import make_association, make_post, make_thread, make_user, make_users

signed_in = consultation_fixtures.signed_in  # a fixture: a new client signed in as the user
text = consultation_fixtures.text


@pytest.fixture
def club():
    """An association holding new members' first 2 posts, with its leader, a newcomer, a member who already has 2
    shown posts, another association's leader, a methodist and an admin; a thread by the leader (committed)."""
    leader, newcomer, regular = (
        make_user(full_name="Руководитель Клуба"),
        make_user(full_name="Новичок Новиков"),
        make_user(),
    )
    association = make_association("РМО учителей географии", leader=leader, members=[newcomer, regular])
    other_leader = make_user()
    make_association("РМО учителей ИЗО", leader=other_leader)
    thread = make_thread(leader, association, title="Полевые практики")
    make_post(thread, regular, body="Первый.")
    make_post(thread, regular, body="Второй.")
    association.premoderation_posts = 2
    methodist, admin = make_user(Role.METHODIST), make_user(Role.ADMIN)
    db.session.commit()
    return {"leader": leader, "newcomer": newcomer, "regular": regular, "association": association, "thread": thread,
            "other_leader": other_leader, "methodist": methodist, "admin": admin}  # fmt: skip


def settings_url(club) -> str:
    return f"/associations/{club['association'].slug}/moderation/settings"


def queue_url(club) -> str:
    return f"/associations/{club['association'].slug}/moderation"


def recount(thread: Thread) -> dict:
    """The counters as the rows say they should be."""
    association_id = thread.association_id
    visible = sa.and_(Post.hidden_at.is_(None), Post.deleted_at.is_(None))
    shown_threads = sa.and_(Thread.association_id == association_id, Thread.hidden_at.is_(None),
                            Thread.deleted_at.is_(None), Thread.is_private.is_(False))  # fmt: skip
    return {
        "reply_count": db.session.scalar(
            sa.select(sa.func.count(Post.id)).where(Post.thread_id == thread.id, Post.number > 1, visible)
        ),
        "last_posted_at": db.session.scalar(
            sa.select(sa.func.max(Post.created_at)).where(Post.thread_id == thread.id, visible)
        ),
        "thread_count": db.session.scalar(sa.select(sa.func.count(Thread.id)).where(shown_threads)),
        "post_count": db.session.scalar(sa.select(sa.func.count(Post.id)).join(Thread).where(shown_threads, visible)),
    }


def counters(thread: Thread) -> dict:
    db.session.expire_all()
    thread = db.session.get(Thread, thread.id)
    association = db.session.get(Association, thread.association_id)
    return {"reply_count": thread.reply_count, "last_posted_at": thread.last_posted_at,
            "thread_count": association.thread_count, "post_count": association.post_count}  # fmt: skip


def log_kinds(association) -> list[ModerationKind]:
    stmt = sa.select(ModerationAction.kind).where(ModerationAction.association_id == association.id)
    return list(db.session.scalars(stmt.order_by(ModerationAction.id)))


def notices(user) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)))


# --- the setting ----------------------------------------------------------------------------------------------------


def test_leaders_and_admins_set_premoderation_and_it_is_logged(client, signed_in, club):
    association = club["association"]
    assert "/login" in client.get(settings_url(club)).location
    assert "/login" in client.post(settings_url(club), data={"posts": "5"}).location
    for who in ("newcomer", "other_leader", "methodist"):
        assert signed_in(club[who]).get(settings_url(club)).status_code == 403
        assert signed_in(club[who]).post(settings_url(club), data={"posts": "5"}).status_code == 403
    leader = signed_in(club["leader"])
    assert "2 сообщени" in text(leader.get(settings_url(club)))  # «2 сообщения» once the catalog has the plural
    assert leader.post(settings_url(club), data={"posts": "5"}).status_code == 302
    db.session.refresh(association)
    assert association.premoderation_posts == 5
    assert signed_in(club["admin"]).post(settings_url(club), data={"posts": "0"}).status_code == 302
    db.session.refresh(association)
    assert association.premoderation_posts == 0
    assert log_kinds(association) == [ModerationKind.PREMODERATION, ModerationKind.PREMODERATION]
    assert "выключена" in text(leader.get(settings_url(club)))


@pytest.mark.parametrize("posts", ["21", "-1", "abc", "", "99999999999999999999"])
def test_a_bad_setting_comes_back_with_a_message(signed_in, club, posts):
    response = signed_in(club["leader"]).post(settings_url(club), data={"posts": posts})
    assert response.status_code == 400
    html = text(response)
    assert "Проверьте поля формы" in html
    db.session.refresh(club["association"])
    assert club["association"].premoderation_posts == 2


def test_an_archived_association_has_no_setting_to_change(signed_in, club):
    club["association"].archived_at = utcnow()
    db.session.commit()
    assert signed_in(club["leader"]).post(settings_url(club), data={"posts": "1"}).status_code == 403


# --- holding --------------------------------------------------------------------------------------------------------


def test_exactly_the_first_n_posts_of_a_new_member_are_held(club):
    newcomer, thread, leader = club["newcomer"], club["thread"], club["leader"]
    for _ in range(2):
        held = make_post(thread, newcomer, body="Жду проверки.")
        assert held.held_at is not None and held.hidden_at is not None
        assert premoderation.approve_post(leader, held)
    shown = make_post(thread, newcomer, body="Уже без проверки.")
    assert shown.held_at is None and shown.is_visible


def test_held_posts_do_not_make_a_member_trusted_nor_do_rejected_ones(club):
    newcomer, thread, leader = club["newcomer"], club["thread"], club["leader"]
    first, second = make_post(thread, newcomer), make_post(thread, newcomer)
    assert first.held_at and second.held_at  # held posts waiting are not approved ones
    premoderation.reject_post(leader, first, "Реклама")
    premoderation.approve_post(leader, second)
    assert make_post(thread, newcomer).held_at is not None  # one approved of two: still new


def test_leaders_methodists_admins_and_established_members_are_never_held(club):
    thread = club["thread"]
    for who in ("leader", "admin", "regular"):
        assert make_post(thread, club[who]).held_at is None, who
    question = make_thread(club["leader"], club["association"], kind=ThreadKind.QUESTION, title="Вопрос методисту")
    assert make_post(question, club["methodist"]).held_at is None
    assert make_thread(club["leader"], club["association"]).held_at is None


def test_with_premoderation_off_nothing_is_held(club):
    club["association"].premoderation_posts = 0
    assert make_post(club["thread"], club["newcomer"]).held_at is None


def test_the_hold_check_counts_with_one_query(app, club, count_queries):
    newcomer, association = club["newcomer"], club["association"]
    with app.test_request_context():
        policy.memberships_of(newcomer)  # as the login loader leaves them in a request
        assert association.premoderation_posts == 2  # loaded, as the thread's association is when replying
        with count_queries(warm=True) as q:
            assert premoderation.holds(newcomer, association)
        assert q.count == 1, q.statements


# --- approving ------------------------------------------------------------------------------------------------------


def test_approving_a_reply_keeps_its_time_and_number_and_makes_the_counters_exact(signed_in, club):
    thread, newcomer = club["thread"], club["newcomer"]
    held = make_post(thread, newcomer, body="Мой опыт полевых практик.")
    created, number = held.created_at, held.number
    later = make_post(thread, club["regular"], body="Пока его проверяют, пишу я.")
    before = counters(thread)
    assert before == recount(thread)
    db.session.commit()
    response = signed_in(club["leader"]).post(f"/moderation/held/{held.id}/approve")
    assert response.status_code == 302 and response.location.endswith(queue_url(club))
    db.session.expire_all()
    held = db.session.get(Post, held.id)
    assert held.is_visible and held.held_at is None
    assert (held.created_at, held.number) == (created, number)
    after = counters(thread)
    assert after == recount(thread)
    assert after["reply_count"] == before["reply_count"] + 1 and after["post_count"] == before["post_count"] + 1
    # it is older than the latest reply: the thread's latest activity stays that reply's
    assert after["last_posted_at"] == later.created_at == before["last_posted_at"]
    assert db.session.get(Thread, thread.id).last_poster_id == club["regular"].id
    assert log_kinds(club["association"])[-1] == ModerationKind.POST_APPROVED
    # (the newcomer tracks the thread they replied in: the later reply is a thread_reply for their digest)
    assert [(n.kind, n.post_id) for n in notices(newcomer) if n.kind != "thread_reply"] == [("post_approved", held.id)]


def test_an_approved_newest_post_becomes_the_threads_latest(club):
    thread, newcomer = club["thread"], club["newcomer"]
    held = make_post(thread, newcomer)
    assert premoderation.approve_post(club["leader"], held)
    assert counters(thread) == recount(thread)
    thread = db.session.get(Thread, thread.id)
    assert thread.last_posted_at == held.created_at and thread.last_poster_id == newcomer.id
    association = db.session.get(Association, thread.association_id)
    assert association.last_posted_at == held.created_at


def test_approving_twice_counts_once(club):
    held = make_post(club["thread"], club["newcomer"])
    assert premoderation.approve_post(club["leader"], held)
    assert not premoderation.approve_post(club["leader"], held)
    assert counters(club["thread"]) == recount(club["thread"])


def test_approving_a_held_thread_shows_it_with_its_counts_and_runs_the_thread_hooks(club):
    newcomer, association = club["newcomer"], club["association"]
    question = make_thread(newcomer, association, kind=ThreadKind.QUESTION, title="Как вести дневник наблюдений?")
    # the thread hooks run while it is held (a question keeps its details); the consultation lists leave it out
    assert question.held_at is not None and question_of(question) is not None
    created = question.created_at
    before = counters(club["thread"])
    assert premoderation.approve_post(club["leader"], _opening(question))
    question = db.session.get(Thread, question.id)
    assert question.is_visible and question.held_at is None and question.created_at == created
    assert question_of(question) is not None and question_of(question).asked_at == created
    after = counters(club["thread"])
    assert after == {**recount(club["thread"]), "reply_count": before["reply_count"],
                     "last_posted_at": before["last_posted_at"]}  # fmt: skip
    assert (after["thread_count"], after["post_count"]) == (before["thread_count"] + 1, before["post_count"] + 1)
    assert db.session.get(Association, association.id).last_posted_at == created


def test_approving_a_reply_runs_the_reply_hooks_as_posting_would_have(club):
    seen = []
    discussions.REPLY_HOOKS.append(seen.append)
    try:
        held = make_post(club["thread"], club["newcomer"])
        assert seen == []
        premoderation.approve_post(club["leader"], held)
        assert seen == [held]
    finally:
        discussions.REPLY_HOOKS.remove(seen.append)


def test_a_private_held_question_stays_out_of_the_associations_counts(club):
    private = make_thread(club["newcomer"], club["association"], kind=ThreadKind.QUESTION, private=True)
    before = counters(club["thread"])
    premoderation.approve_post(club["leader"], _opening(private))
    assert counters(club["thread"]) == before
    assert db.session.get(Thread, private.id).is_visible


def _opening(thread: Thread) -> Post:
    return db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))


# --- rejecting ------------------------------------------------------------------------------------------------------


def test_rejecting_keeps_the_post_hidden_with_the_reason_the_author_sees(signed_in, club):
    thread, newcomer = club["thread"], club["newcomer"]
    held = make_post(thread, newcomer, body="Купите мои методички!")
    before = counters(thread)
    db.session.commit()
    response = signed_in(club["leader"]).post(f"/moderation/held/{held.id}/reject", data={"reason": "Реклама"})
    assert response.status_code == 302
    db.session.expire_all()
    held = db.session.get(Post, held.id)
    assert held.held_at is None and held.hidden_at is not None
    assert held.hidden_reason == "Реклама" and held.hidden_by_id == club["leader"].id
    assert counters(thread) == before == recount(thread)
    assert log_kinds(club["association"])[-1] == ModerationKind.POST_REJECTED
    ((kind, reason),) = [(n.kind, n.params["reason"]) for n in notices(newcomer)]
    assert (kind, reason) == ("post_rejected", "Реклама")
    page = text(signed_in(newcomer).get(f"/threads/{thread.id}"))
    assert "Реклама" in page and "Купите мои методички!" in page
    assert "Купите мои методички!" not in text(signed_in(club["regular"]).get(f"/threads/{thread.id}"))


def test_rejecting_a_held_thread_keeps_it_hidden_for_its_author_with_the_reason(signed_in, club):
    thread = make_thread(club["newcomer"], club["association"], title="Продаю гербарии")
    before = counters(club["thread"])
    assert premoderation.reject_post(club["leader"], _opening(thread), "Не по теме объединения")
    db.session.commit()
    thread = db.session.get(Thread, thread.id)
    assert thread.held_at is None and thread.hidden_at is not None and thread.hidden_reason == "Не по теме объединения"
    assert _opening(thread).held_at is None and _opening(thread).hidden_reason == "Не по теме объединения"
    assert counters(club["thread"]) == before
    assert "Не по теме объединения" in text(signed_in(club["newcomer"]).get(f"/threads/{thread.id}"))
    assert signed_in(club["regular"]).get(f"/threads/{thread.id}").status_code == 404


def test_a_rejection_needs_a_reason(signed_in, club):
    held = make_post(club["thread"], club["newcomer"], body="Текст на проверке")
    db.session.commit()
    response = signed_in(club["leader"]).post(f"/moderation/held/{held.id}/reject", data={"reason": "  "})
    assert response.status_code == 400
    assert "Укажите причину" in text(response) and "Текст на проверке" in text(response)
    assert db.session.get(Post, held.id).held_at is not None


# --- who may review -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_only_the_associations_leaders_and_admins_review_held_posts(client, signed_in, club, action):
    held = make_post(club["thread"], club["newcomer"])
    db.session.commit()
    target, data = f"/moderation/held/{held.id}/{action}", {"reason": "Не подходит"}
    assert "/login" in client.post(target, data=data).location
    for who in ("newcomer", "regular", "other_leader", "methodist"):
        assert signed_in(club[who]).post(target, data=data).status_code == 403, who
    assert db.session.get(Post, held.id).held_at is not None
    assert signed_in(club["admin"]).post(target, data={**data, "back": "site"}).location.endswith("/moderation")
    db.session.expire_all()
    assert db.session.get(Post, held.id).held_at is None
    # reviewed already: said so, nothing changes
    response = signed_in(club["leader"]).post(target, data=data, follow_redirects=True)
    assert "Это сообщение уже рассмотрено." in text(response)
    assert signed_in(club["leader"]).post(f"/moderation/held/999999/{action}", data=data).status_code == 404


# --- the queue ------------------------------------------------------------------------------------------------------


def test_the_queue_lists_held_posts_with_author_thread_and_excerpt(signed_in, club):
    make_post(club["thread"], club["newcomer"], body="Отвечаю **по теме** практик.")
    make_thread(club["newcomer"], club["association"], title="Экскурсия в карьер", body="Предлагаю поехать.")
    db.session.commit()
    html = text(signed_in(club["leader"]).get(queue_url(club)))
    assert "Сообщения на проверке" in html and "Премодерация: 2 сообщени" in html
    assert "Новичок Новиков" in html and "Отвечаю по теме практик." in html
    assert "Ответ в теме" in html and "Полевые практики" in html
    assert "Новая тема:" in html and "Экскурсия в карьер" in html
    assert html.count("/approve") == 2 and html.count("/reject") == 2
    site = text(signed_in(club["admin"]).get("/moderation"))
    assert "Экскурсия в карьер" in site and "РМО учителей географии" in site


def test_the_queue_costs_the_same_with_one_or_ten_held_posts(signed_in, club, count_queries):
    newcomers = make_users(10)
    for user in newcomers:
        from app.associations import services as association_services

        association_services.add_member(user, club["association"])
    make_post(club["thread"], newcomers[0])
    db.session.commit()
    leader = signed_in(club["leader"])
    with count_queries() as one:
        assert text(leader.get(queue_url(club))).count("/approve") == 1
    for user in newcomers[1:]:
        make_post(club["thread"], user)
    db.session.commit()
    with count_queries() as ten:
        assert text(leader.get(queue_url(club))).count("/approve") == 10
    assert ten.count == one.count, ten.statements


def test_the_queue_shows_only_what_the_user_may_review(signed_in, club):
    from app.moderation.member_routes import held_posts

    make_post(club["thread"], club["newcomer"])
    db.session.commit()
    with signed_in(club["other_leader"]).application.test_request_context():
        assert held_posts(club["association"]).posts == []
        assert held_posts(None).posts == []


def test_a_held_post_older_than_the_queue_limit_waits_its_turn(club):
    for _ in range(3):
        make_post(club["thread"], club["newcomer"])
    shown = premoderation.held_posts(club["association"], limit=2)
    assert len(shown.posts) == 2 and shown.more
    assert shown.posts[0].created_at <= shown.posts[1].created_at
    assert not premoderation.held_posts(club["association"], limit=3).more


def test_mute_expiry_and_hold_do_not_interfere(club):
    """A member whose mute ran out posts again, held as a new member would be."""
    from app.associations.models import Membership

    m = db.session.scalar(sa.select(Membership).filter_by(user_id=club["newcomer"].id))
    m.muted_until = utcnow() - timedelta(seconds=1)
    assert make_post(club["thread"], club["newcomer"]).held_at is not None
