"""The moderation log pages: an association's for its leaders and admins, the whole site's for admins; newest first,
paginated, filtered by kind; a fixed number of queries."""

from datetime import timedelta

import pytest

from app.associations.models import Visibility
from app.db import utcnow
from app.extensions import db
from app.moderation.log import record
from app.moderation.models import ModerationKind
from app.moderation.posts import hide_post
from tests.consultations.conftest import text
from tests.factories import make_association, make_post, make_thread, make_user


def _log_url(world) -> str:
    return f"/associations/{world['association'].slug}/moderation/log"


def _lines(response) -> str:
    """The page's list of lines (the filter above names every kind)."""
    page = text(response)
    return page[page.index('class="engage-list moderation-log"') :] if "moderation-log" in page else ""


@pytest.mark.parametrize(
    ("who", "status"),
    [("leader", 200), ("admin", 200), ("author", 403), ("other_leader", 403)],
)
def test_an_associations_log_is_for_its_leaders_and_admins(world, signed_in, who, status):
    assert signed_in(world[who]).get(_log_url(world)).status_code == status


def test_the_site_log_is_for_admins(world, signed_in, client):
    assert signed_in(world["admin"]).get("/moderation/log").status_code == 200
    for who in ("leader", "author"):
        assert signed_in(world[who]).get("/moderation/log").status_code == 403
    for url in ("/moderation/log", _log_url(world)):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_queues_link_to_their_logs_and_back(world, signed_in):
    queue = text(signed_in(world["leader"]).get(f"/associations/{world['association'].slug}/moderation"))
    assert f'href="{_log_url(world)}"' in queue
    log = text(signed_in(world["leader"]).get(_log_url(world)))
    assert f'href="/associations/{world["association"].slug}/moderation"' in log
    assert 'href="/moderation/log"' in text(signed_in(world["admin"]).get("/moderation"))
    assert 'href="/moderation"' in text(signed_in(world["admin"]).get("/moderation/log"))


def test_the_log_of_an_association_one_may_not_see_is_not_found(world, signed_in):
    hidden = make_association("Закрытая творческая группа", visibility=Visibility.MEMBERS)
    db.session.commit()
    assert signed_in(world["author"]).get(f"/associations/{hidden.slug}/moderation/log").status_code == 404
    assert signed_in(world["leader"]).get("/associations/no-such-association/moderation/log").status_code == 404


def test_each_line_says_when_who_what_on_which_target_and_why(world, signed_in):
    leader, reply, thread = world["leader"], world["reply"], world["thread"]
    hide_post(leader, reply, "Реклама стороннего сайта")
    record(leader, ModerationKind.THREAD_LOCKED, thread=thread, reason="Обсуждение завершено")
    record(leader, ModerationKind.MEMBER_MUTED, association_id=thread.association_id, user=world["members"][2],
           reason="Грубость", details="2026-05-01T09:30:00+00:00")  # fmt: skip
    db.session.commit()
    response = signed_in(leader).get(_log_url(world))
    assert "3 записи" in text(response)
    page = _lines(response)
    assert page.index("участник лишён права писать") < page.index("тема закрыта для ответов")  # newest first
    assert page.index("тема закрыта для ответов") < page.index("сообщение скрыто")
    assert f'href="/threads/{thread.id}#post-2"' in page
    assert f"сообщение № 2 в теме «{thread.title}»" in page and f"тема «{thread.title}»" in page
    assert "Причина: Реклама стороннего сайта" in page and "Причина: Обсуждение завершено" in page
    assert "Руководитель Объединения" in page and "Автор Сообщения" in page  # who, and the member concerned
    assert "Участник Номер 3" in page and "До 1 мая 2026, 12:30" in page  # the mute's end, Moscow time


def test_an_automatic_hide_is_nobodys_hand(world, signed_in):
    hide_post(None, world["reply"], "Жалобы участников")
    db.session.commit()
    page = _lines(signed_in(world["leader"]).get(_log_url(world)))
    assert "сообщение скрыто по жалобам до проверки" in page and "автоматически, по жалобам участников" in page


def test_an_association_shows_only_its_own_lines_and_the_site_log_all(world, signed_in):
    other_thread = make_thread(world["other_leader"], world["other"], title="Тема другого объединения")
    record(world["other_leader"], ModerationKind.THREAD_PINNED, thread=other_thread)
    record(world["leader"], ModerationKind.THREAD_PINNED, thread=world["thread"])
    record(world["admin"], ModerationKind.USER_SUSPENDED, user=world["members"][3], reason="Спам")  # site-wide
    db.session.commit()
    own = text(signed_in(world["leader"]).get(_log_url(world)))
    assert world["thread"].title in own and "Тема другого объединения" not in own and "Участник Номер 4" not in own
    site = _lines(signed_in(world["admin"]).get("/moderation/log"))
    assert world["thread"].title in site and "Тема другого объединения" in site and "Участник Номер 4" in site
    assert "РМО учителей биологии" in site and "учётная запись заблокирована" in site


def test_the_log_is_filtered_by_kind(world, signed_in):
    leader = world["leader"]
    record(leader, ModerationKind.THREAD_LOCKED, thread=world["thread"], reason="Закрыто по просьбе автора")
    record(leader, ModerationKind.THREAD_PINNED, thread=world["thread"], reason="Важная тема")
    db.session.commit()
    client = signed_in(leader)
    page = text(client.get(_log_url(world) + "?kind=thread_pinned"))
    assert "Важная тема" in page and "Закрыто по просьбе автора" not in page and "1 запись" in page
    response = client.get(_log_url(world) + "?kind=nonsense")
    assert response.status_code == 400 and "Такого вида действий нет: показаны все записи." in text(response)
    assert "Важная тема" in text(response) and "Закрыто по просьбе автора" in text(response)  # unfiltered


def test_the_log_is_paginated_newest_first(world, signed_in, app):
    start = utcnow() - timedelta(days=1)
    for n in range(app.config["PER_PAGE"] + 3):
        action = record(
            world["leader"], ModerationKind.THREAD_PINNED, thread=world["thread"], reason=f"Причина {n:02d}"
        )
        action.created_at = start + timedelta(minutes=n)
    db.session.commit()
    client = signed_in(world["leader"])
    first = text(client.get(_log_url(world)))
    second = text(client.get(_log_url(world) + "?page=2"))
    last = app.config["PER_PAGE"] + 2
    assert f"Причина {last:02d}" in first and "Причина 00" not in first
    assert "Причина 00" in second and f"Причина {last:02d}" not in second


def test_the_log_runs_a_fixed_number_of_queries(world, signed_in, count_queries):
    leader, admin = signed_in(world["leader"]), signed_in(world["admin"])
    hide_post(world["leader"], world["reply"], "Спам")
    db.session.commit()
    with count_queries() as one:
        leader.get(_log_url(world))
    with count_queries() as one_site:
        admin.get("/moderation/log")
    for n in range(29):
        thread = make_thread(world["members"][n % 4], world["association"], title=f"Тема {n}")
        post = make_post(thread, world["author"], body=f"Ответ {n}")
        member = make_user(full_name=f"Участник {n}")
        record(world["leader"], ModerationKind.POST_HIDDEN, post=post, user=member, reason=f"Причина {n}")
    db.session.commit()
    with count_queries() as thirty:
        page = text(leader.get(_log_url(world)))
    with count_queries() as thirty_site:
        admin.get("/moderation/log")
    assert "30 записей" in page
    assert thirty.count == one.count, thirty.statements
    assert thirty_site.count == one_site.count, thirty_site.statements


def test_a_moderator_restoring_a_deleted_post_is_logged_and_told_to_its_author(world):
    from app.discussions import editing
    from app.moderation.models import ModerationAction
    from app.notifications.models import Notification

    reply = world["reply"]
    editing.delete_post(world["author"], reply)
    assert editing.restore_post(world["leader"], reply)
    db.session.flush()
    line = db.session.scalars(db.select(ModerationAction).order_by(ModerationAction.id.desc())).first()
    assert (line.kind, line.post_id, line.actor_id) == (ModerationKind.POST_RESTORED, reply.id, world["leader"].id)
    kinds = db.session.scalars(db.select(Notification.kind).where(Notification.user_id == world["author"].id))
    assert "post_restored" in list(kinds)


def test_an_admin_suspending_an_account_is_in_the_site_log(world, signed_in):
    from app.admin import services as admin_services

    admin_services.suspend_user(world["admin"], world["members"][3], reason="Рассылка рекламы")
    db.session.commit()
    page = text(signed_in(world["admin"]).get("/moderation/log"))
    assert "Рассылка рекламы" in page and "Участник Номер 4" in page
