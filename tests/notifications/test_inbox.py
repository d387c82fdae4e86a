"""The notifications inbox: each user's own notifications, newest first, with their texts and links (never to what
the reader may no longer see), marked read one by one or all at once; a fixed number of queries."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.associations.models import Visibility
from app.db import utcnow
from app.discussions import editing
from app.extensions import db
from app.moderation.posts import hide_post
from app.notifications.models import Notification
from app.notifications.services import notify
from app.notifications.texts import TEXTS, notice_text
from tests.consultations.conftest import text
from tests.factories import make_association, make_post, make_thread, make_user


@pytest.fixture
def people():
    teacher = make_user(full_name="Мария Учительница")
    leader = make_user(full_name="Ирина Руководитель")
    colleague = make_user(full_name="Олег Коллега")
    association = make_association("РМО учителей истории", leader=leader, members=[teacher, colleague])
    thread = make_thread(colleague, association, title="Музей в школе: с чего начать")
    reply = make_post(thread, teacher, body="Начните с летописи школы.")
    db.session.commit()
    return {"teacher": teacher, "leader": leader, "colleague": colleague, "association": association,
            "thread": thread, "reply": reply}  # fmt: skip


def _notice(user, kind: str, *, actor=None, post=None, thread=None, **params) -> Notification:
    thread = thread or (post.thread if post is not None else None)
    where = {"association_id": thread.association_id, "thread_id": thread.id} if thread else {}
    notify(user, kind, actor=actor, post_id=post.id if post else None, **where, **params)
    db.session.flush()
    return db.session.scalars(sa.select(Notification).order_by(Notification.id.desc())).first()


def _items(response) -> str:
    page = text(response)
    return page[page.index('class="engage-list notice-list"') :] if "notice-list" in page else ""


def test_the_inbox_needs_a_login(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/notifications/read").status_code == 302


def test_each_user_sees_only_their_own_notifications(people, signed_in):
    _notice(people["teacher"], "post_hidden", actor=people["leader"], post=people["reply"], reason="Только учителю")
    _notice(people["colleague"], "thread_locked", actor=people["leader"], thread=people["thread"],
            reason="Только коллеге")  # fmt: skip
    db.session.commit()
    mine = text(signed_in(people["teacher"]).get("/notifications"))
    assert "Модератор скрыл ваше сообщение." in mine and "Причина: Только учителю" in mine
    assert "Только коллеге" not in mine and "1 уведомление" in mine
    theirs = text(signed_in(people["colleague"]).get("/notifications"))
    assert "Только коллеге" in theirs and "Только учителю" not in theirs
    assert "Уведомлений пока нет." in text(signed_in(people["leader"]).get("/notifications"))


def test_a_notice_shows_its_text_actor_time_and_link_newest_first(people, signed_in):
    teacher, reply, thread = people["teacher"], people["reply"], people["thread"]
    older = _notice(teacher, "post_hidden", actor=people["leader"], post=reply, reason="Реклама")
    older.created_at = utcnow() - timedelta(hours=1)
    _notice(teacher, "report_resolved", actor=people["leader"], post=reply, outcome="dismissed")
    db.session.commit()
    page = _items(signed_in(teacher).get("/notifications"))
    assert page.index("Ваша жалоба рассмотрена: нарушений не найдено.") < page.index("Модератор скрыл ваше сообщение.")
    assert "Ирина Руководитель" in page
    assert f'href="/threads/{thread.id}#post-2"' in page  # the author still sees the hidden post
    assert f"сообщение № 2 в теме «{thread.title}»" in page
    assert page.count("новое") == 2


def test_links_to_what_the_reader_may_no_longer_see_name_nothing(people, signed_in):
    teacher, colleague = people["teacher"], people["colleague"]
    hide_post(people["leader"], people["reply"], "Спам")  # the colleague may no longer read it
    _notice(colleague, "report_resolved", actor=people["leader"], post=people["reply"], outcome="hidden")
    secret = make_association("Закрытая группа", visibility=Visibility.MEMBERS)
    secret_thread = make_thread(make_user(), secret, title="Тайная тема закрытой группы")
    _notice(teacher, "thread_moved", actor=people["leader"], thread=secret_thread, association="Закрытая группа")
    db.session.commit()
    page = _items(signed_in(colleague).get("/notifications"))
    assert "Ваша жалоба рассмотрена: сообщение скрыто." in page
    # the hidden post is gone for the colleague: its thread, which they still see, is the link
    assert f"тема «{people['thread'].title}»" in page and "сообщение № 2" not in page
    page = _items(signed_in(teacher).get("/notifications"))
    assert "Тема перенесена в объединение «Закрытая группа»." in page
    assert "Тайная тема закрытой группы" not in page and "больше недоступно" in page
    assert f"/threads/{secret_thread.id}" not in page


def test_a_deleted_post_leads_to_its_thread_and_a_deleted_thread_nowhere(people, signed_in):
    teacher = people["teacher"]
    _notice(teacher, "post_edited", actor=people["leader"], post=people["reply"])
    editing.delete_post(teacher, people["reply"])
    db.session.commit()
    page = _items(signed_in(teacher).get("/notifications"))
    assert "сообщение № 2" not in page and f'href="/threads/{people["thread"].id}"' in page
    editing.delete_post(people["colleague"], _opening(people["thread"]))  # the whole thread goes
    db.session.commit()
    page = _items(signed_in(teacher).get("/notifications"))
    assert people["thread"].title not in page and "больше недоступно" in page


def _opening(thread):
    from app.discussions.models import Post

    return db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def test_marking_one_read_then_all(people, signed_in):
    teacher = people["teacher"]
    first = _notice(teacher, "post_hidden", actor=people["leader"], post=people["reply"], reason="Первое")
    second = _notice(teacher, "post_unhidden", actor=people["leader"], post=people["reply"])
    third = _notice(teacher, "thread_locked", actor=people["leader"], thread=people["thread"])
    db.session.commit()
    client = signed_in(teacher)
    response = client.post(f"/notifications/{first.id}/read", data={"page": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications")
    db.session.expire_all()
    assert db.session.get(Notification, first.id).read_at is not None
    assert db.session.get(Notification, second.id).read_at is None
    assert "2 непрочитанных" in text(client.get("/notifications"))
    assert client.post(f"/notifications/{first.id}/read").status_code == 302  # again: nothing changes
    response = client.post("/notifications/read", data={"page": "2"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications?page=2")
    db.session.expire_all()
    assert all(db.session.get(Notification, n.id).read_at is not None for n in (first, second, third))
    page = text(client.get("/notifications"))
    assert "Отметить все прочитанными" not in page and "новое" not in _items(client.get("/notifications"))


def test_another_users_notification_cannot_be_marked(people, signed_in):
    theirs = _notice(people["colleague"], "thread_locked", actor=people["leader"], thread=people["thread"])
    db.session.commit()
    assert signed_in(people["teacher"]).post(f"/notifications/{theirs.id}/read").status_code == 404
    assert signed_in(people["teacher"]).post("/notifications/2147483647/read").status_code == 404
    signed_in(people["teacher"]).post("/notifications/read")
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_marking_read_needs_the_csrf_token(people, signed_in, request):
    notice = _notice(people["teacher"], "thread_locked", actor=people["leader"], thread=people["thread"])
    db.session.commit()
    client = signed_in(people["teacher"])
    request.getfixturevalue("csrf")
    assert client.post(f"/notifications/{notice.id}/read").status_code == 400
    assert client.post("/notifications/read").status_code == 400
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).read_at is None


def test_the_header_links_to_the_inbox_for_signed_in_users(people, signed_in, client):
    assert 'href="/notifications"' in text(signed_in(people["teacher"]).get("/"))
    assert 'href="/notifications"' not in text(client.get("/"))


def test_a_page_beyond_the_last_is_not_found(people, signed_in):
    assert signed_in(people["teacher"]).get("/notifications?page=2").status_code == 404
    assert signed_in(people["teacher"]).get("/notifications?page=abc").status_code == 200  # read as the first page


def test_the_inbox_runs_a_fixed_number_of_queries(people, signed_in, count_queries):
    teacher, leader = people["teacher"], people["leader"]
    client = signed_in(teacher)
    _notice(teacher, "post_hidden", actor=leader, post=people["reply"], reason="Спам")
    db.session.commit()
    with count_queries() as one:
        client.get("/notifications")
    for n in range(29):
        thread = make_thread(people["colleague"], people["association"], title=f"Тема {n}")
        post = make_post(thread, teacher, body=f"Ответ {n}")
        actor = make_user(full_name=f"Модератор {n}")
        if n % 3:
            _notice(teacher, "post_hidden", actor=actor, post=post, reason=f"Причина {n}")
        else:
            _notice(teacher, "thread_locked", actor=actor, thread=thread)
    db.session.commit()
    with count_queries() as thirty:
        page = text(client.get("/notifications?page=1"))
    assert "30 уведомлений" in page
    assert thirty.count == one.count, thirty.statements


# --- the texts -------------------------------------------------------------------------------------------------------


def test_every_kind_of_moderation_has_its_text(app):
    kinds = ["post_hidden", "post_unhidden", "post_edited", "thread_moved", "thread_merged", "thread_locked",
             "thread_hidden", "member_muted", "member_banned", "post_approved", "post_rejected",
             "report_resolved"]  # fmt: skip
    assert set(kinds) <= set(TEXTS)
    with app.test_request_context():
        assert notice_text("something_new", {}) == "Новое уведомление."
        assert notice_text("post_hidden", {}, automatic=True).startswith("Ваше сообщение скрыто по жалобам")
        until = datetime(2026, 3, 8, 6, 0, tzinfo=UTC).isoformat()
        muted = notice_text("member_muted", {"association_name": "РМО физиков", "until": until})
        assert muted == "Вы не можете писать в объединении «РМО физиков» до 8 марта 2026, 09:00."
        assert (
            notice_text("member_muted", {"until": "завтра"})
            == "Модератор временно лишил вас права писать в объединении."
        )
        assert notice_text("report_resolved", {"outcome": "unknown"}) == "Ваша жалоба рассмотрена."
        assert (
            notice_text("thread_moved", {"association": "<b>РМО</b>"}) == "Тема перенесена в объединение «<b>РМО</b>»."
        )
        assert notice_text("post_hidden", "not a dict") == "Модератор скрыл ваше сообщение."


def test_what_users_wrote_is_escaped(people, signed_in):
    _notice(people["teacher"], "thread_moved", actor=people["leader"], thread=people["thread"],
            association="<script>alert(1)</script>", reason="<b>жирно</b>")  # fmt: skip
    db.session.commit()
    page = text(signed_in(people["teacher"]).get("/notifications"))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;жирно" in page
