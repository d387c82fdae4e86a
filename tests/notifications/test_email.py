"""Notifications by e-mail, through the outbox and a real SMTP server (aiosmtpd): the grouping window, multipart
messages in the recipient's language with links that work, why they came and one-click unsubscribe (RFC 8058);
preferences, pause, what was read or hidden meanwhile; the daily digest; the bell; the sweep and pruning."""

import re
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.db import utcnow
from app.extensions import db
from app.mail.models import OutboxKind, OutboxMessage, OutboxStatus
from app.moderation.posts import hide_post
from app.notifications import preferences, upkeep
from app.notifications.digest import digest_moment, queue_due_digests
from app.notifications.emails import unsubscribe_token
from app.notifications.kinds import Category, Delivery
from app.notifications.models import EmailState, Notification, NotificationPreference
from app.notifications.services import notify, notify_many
from tests.conftest import body_text
from tests.consultations.conftest import text
from tests.factories import make_association, make_post, make_thread, make_user

LATER = timedelta(minutes=6)  # past the default grouping window (5 minutes)


@pytest.fixture
def world():
    teacher = make_user(full_name="Петрова Анна Сергеевна", email="anna@example.org")
    colleague = make_user(full_name="Сидоров Олег Иванович", email="oleg@example.org")
    leader = make_user(full_name="Кузнецова Ирина Павловна", email="irina@example.org")
    association = make_association("РМО учителей истории", leader=leader, members=[teacher, colleague])
    thread = make_thread(teacher, association, title="Музей в школе: с чего начать")
    reply = make_post(thread, colleague, body="Начните с **летописи** школы и фотографий выпускников.")
    # what these posts notified is other tests' business (tests/notifications/test_discussion_notices.py)
    db.session.execute(sa.delete(Notification))
    db.session.execute(sa.delete(OutboxMessage))
    db.session.execute(sa.update(User).values(unread_notifications=0))
    db.session.commit()
    return {"teacher": teacher, "colleague": colleague, "leader": leader, "association": association,
            "thread": thread, "reply": reply}  # fmt: skip


def _reply_notice(world, user=None, kind="post_reply"):
    reply = world["reply"]
    notify(user or world["teacher"], kind, actor=world["colleague"], association_id=world["association"].id,
           thread_id=reply.thread_id, post_id=reply.id)  # fmt: skip
    db.session.commit()


def _links(message) -> list[str]:
    return re.findall(r"https?://\S+", body_text(message))


def test_an_immediate_notice_waits_for_the_grouping_window_then_goes_out_once_as_multipart(world, smtp, signed_in):
    _reply_notice(world)
    row = db.session.scalars(sa.select(OutboxMessage)).one()
    assert row.kind == OutboxKind.NOTICES and row.status == OutboxStatus.QUEUED
    assert smtp.messages == []  # within the window nothing goes
    smtp.deliver(now=utcnow() + LATER)
    (message,) = smtp.messages
    assert str(message["To"]) == "anna@example.org"
    assert message["Subject"].startswith("Ответ на ваше сообщение.")
    assert message.get_body(preferencelist=("html",)) is not None
    plain = body_text(message)
    assert "Здравствуйте, Анна Сергеевна!" in plain
    assert "Сидоров Олег Иванович" in plain and "Начните с летописи школы" in plain  # actor and excerpt
    assert "сообщение № 2 в теме «Музей в школе: с чего начать»" in plain
    assert "Вы получили это письмо, потому что вам ответили на сайте" in plain
    post_link = next(link for link in _links(message) if "/threads/" in link)
    response = signed_in(world["teacher"]).get(urlsplit(post_link).path)
    assert response.status_code == 200 and "летописи" in text(response)
    # the notice is marked mailed; another round sends nothing more
    notice = db.session.scalars(sa.select(Notification)).one()
    assert notice.email_state == EmailState.SENT
    assert not smtp.deliver(now=utcnow() + LATER + LATER)
    assert len(smtp.messages) == 1


def test_the_message_carries_one_click_unsubscribe_that_works_without_signing_in(world, smtp, client):
    _reply_notice(world)
    smtp.deliver(now=utcnow() + LATER)
    (message,) = smtp.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip("<>")
    assert url in body_text(message)  # the same link is visible in the text
    path = urlsplit(url).path
    page = client.get(path)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "Ответы на ваши сообщения" in text(page)
    assert preferences.deliveries(world["teacher"])[Category.REPLIES] == Delivery.IMMEDIATE
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})  # RFC 8058: no session, no CSRF token
    assert done.status_code == 200 and "больше не приходят" in text(done)
    assert preferences.deliveries(world["teacher"])[Category.REPLIES] == Delivery.OFF
    _reply_notice(world)  # the next one is not mailed
    assert db.session.scalars(sa.select(Notification).order_by(Notification.id.desc())).first().email_state is None


def test_a_tampered_unsubscribe_link_shows_a_clear_page_and_changes_nothing(world, client):
    token = unsubscribe_token(world["teacher"].id, [Category.REPLIES])
    for bad in (token[:-2] + "xx", "garbage", unsubscribe_token(world["teacher"].id, ["no-such-category"])):
        for method in (client.get, client.post):
            response = method(f"/unsubscribe/{bad}")
            assert response.status_code == 400
            assert "Ссылка для отписки не работает" in text(response)
    assert db.session.scalars(sa.select(NotificationPreference)).all() == []


def test_the_pause_link_stops_every_email(world, smtp, client):
    token = unsubscribe_token(world["teacher"].id, "all")
    assert client.post(f"/unsubscribe/{token}").status_code == 200
    db.session.refresh(world["teacher"])
    assert world["teacher"].email_paused
    _reply_notice(world)
    assert not smtp.deliver(now=utcnow() + LATER).sent
    assert smtp.messages == []
    assert world["teacher"].unread_notifications == 1  # the bell still rings


def test_a_burst_of_replies_in_a_watched_thread_sends_one_email(world, smtp):
    teacher, thread = world["teacher"], world["thread"]
    for n in range(50):  # the thread's author watches it: each reply notifies her (app/discussions/notices.py)
        make_post(thread, world["colleague"], body=f"Ответ номер {n}")
        db.session.commit()
    notify(teacher, "post_reply", actor=world["leader"], association_id=thread.association_id, thread_id=thread.id,
           post_id=world["reply"].id)  # fmt: skip
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    smtp.deliver(now=utcnow() + LATER)
    (message,) = smtp.messages
    assert "2 новых уведомления" in message["Subject"]
    assert "50 новых ответов в теме, за которой вы следите." in body_text(message)
    db.session.refresh(teacher)
    assert teacher.unread_notifications == 2  # grouped: one per thread


def test_what_was_read_or_hidden_before_sending_is_not_mailed(world, smtp, signed_in):
    _reply_notice(world)
    signed_in(world["teacher"]).post("/notifications/read")
    result = smtp.deliver(now=utcnow() + LATER)
    assert result.skipped == 1 and smtp.messages == []
    _reply_notice(world)
    hide_post(world["leader"], world["reply"], reason="Не по теме")
    db.session.commit()
    smtp.deliver(now=utcnow() + LATER)
    assert all("летописи" not in body_text(message) for message in smtp.messages)


def test_preferences_choose_digest_or_nothing(world, smtp):
    preferences.set_deliveries(world["teacher"], {Category.REPLIES: Delivery.DIGEST})
    db.session.commit()
    _reply_notice(world)
    assert db.session.scalars(sa.select(Notification)).one().email_state == EmailState.DIGEST
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    preferences.set_deliveries(world["teacher"], {Category.REPLIES: Delivery.OFF})
    db.session.commit()
    assert db.session.scalars(sa.select(Notification)).one().email_state is None  # the waiting one goes too


def test_email_is_written_in_the_recipients_language(world, smtp):
    world["teacher"].locale = "en"
    db.session.commit()
    _reply_notice(world)
    smtp.deliver(now=utcnow() + LATER)
    (message,) = smtp.messages
    assert "Ответ" not in message["Subject"]
    assert "Hello" in body_text(message) or "Dear" in body_text(message)


def test_users_without_a_confirmed_or_with_a_bouncing_address_get_no_email(world, smtp):
    world["teacher"].email_bounced_at = utcnow()
    world["colleague"].email_confirmed_at = None
    db.session.commit()
    notify_many([world["teacher"].id, world["colleague"].id], "announcement", actor=world["leader"],
                association_id=world["association"].id, thread_id=world["thread"].id)  # fmt: skip
    db.session.commit()
    assert {n.email_state for n in db.session.scalars(sa.select(Notification))} == {None}


# --- settings page ---------------------------------------------------------------------------------------------------


def test_the_settings_page_offers_what_can_reach_the_user_and_saves_choices(world, signed_in, app):
    from app.auth.models import Role

    teacher_page = text(signed_in(world["teacher"]).get("/settings/notifications"))
    assert "Ответы на ваши сообщения" in teacher_page and "Очередь консультаций" not in teacher_page
    assert "Руководство объединением" not in teacher_page
    leader_page = text(signed_in(world["leader"]).get("/settings/notifications"))
    assert "Руководство объединением" in leader_page
    methodist = make_user(Role.METHODIST)
    db.session.commit()
    assert "Очередь консультаций" in text(signed_in(methodist).get("/settings/notifications"))

    client = signed_in(world["teacher"])
    form = {f"delivery_{c.value}": c.default.value for c in preferences.categories_for(world["teacher"])}
    form.update(delivery_useful="off", delivery_replies="digest", digest_hour="19")
    response = client.post("/settings/notifications", data=form)
    assert response.status_code == 302
    chosen = preferences.deliveries(world["teacher"])
    assert chosen[Category.USEFUL] == Delivery.OFF and chosen[Category.REPLIES] == Delivery.DIGEST
    db.session.refresh(world["teacher"])
    assert world["teacher"].digest_hour == 19 and not world["teacher"].email_paused
    # only differences from the defaults are stored
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 2


def test_a_bad_settings_form_keeps_what_was_chosen_and_explains(world, signed_in):
    client = signed_in(world["teacher"])
    response = client.post("/settings/notifications", data={"delivery_replies": "loud", "delivery_useful": "off",
                                                            "digest_hour": "25"})  # fmt: skip
    assert response.status_code == 400
    page = text(response)
    assert "Проверьте поля формы" in page and "Выберите, как присылать эти уведомления." in page
    assert re.search(r'value="off"[^>]*checked|checked[^>]*value="off"', page)  # the valid choice is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 0


def test_settings_need_a_login(client):
    response = client.get("/settings/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the digest --------------------------------------------------------------------------------------------------


def test_the_digest_lists_unread_waiting_notices_and_new_threads_once_a_day(world, smtp, app):
    teacher = world["teacher"]
    notify(teacher, "post_useful", actor=world["colleague"], association_id=world["association"].id,
           thread_id=world["thread"].id, post_id=world["reply"].id)  # fmt: skip
    new = make_thread(world["colleague"], world["association"], title="Краеведческая олимпиада: задания")
    db.session.commit()
    teacher.last_digest_at = utcnow() - timedelta(days=1)
    db.session.commit()
    moment = digest_moment(teacher, utcnow() + timedelta(days=1)) + timedelta(minutes=1)  # her next digest hour
    assert queue_due_digests(moment) >= 1
    messages = smtp.to("anna@example.org")
    assert len(messages) == 1
    digest = messages[0]
    assert "Сводка за день" in digest["Subject"]
    plain = body_text(digest)
    assert "Коллега отметил ваше сообщение как полезное." in plain
    assert "Краеведческая олимпиада: задания" in plain and f"/threads/{new.id}" in plain
    assert "Музей в школе" not in plain.split("Новые темы в ваших объединениях")[-1]  # her own thread is not new
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # the same day again: nothing; the next day with nothing new: nothing
    assert queue_due_digests(moment + timedelta(hours=1)) == 0
    assert queue_due_digests(moment + timedelta(days=1)) == 0
    assert len(smtp.to("anna@example.org")) == 1


def test_the_digest_skips_what_was_read(world, smtp, signed_in):
    teacher = world["teacher"]
    notify(teacher, "post_useful", actor=world["colleague"], association_id=world["association"].id,
           thread_id=world["thread"].id, post_id=world["reply"].id)  # fmt: skip
    teacher.last_digest_at = utcnow() - timedelta(days=1)
    db.session.commit()
    signed_in(teacher).post("/notifications/read")
    moment = digest_moment(teacher, utcnow() + timedelta(days=1)) + timedelta(minutes=1)
    queue_due_digests(moment)
    assert smtp.to("anna@example.org") == []


# --- the bell ------------------------------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_without_a_query_of_its_own(world, signed_in, count_queries):
    client = signed_in(world["teacher"])
    client.get("/")
    with count_queries(warm=True) as quiet:
        assert "nav-count-notices" not in text(client.get("/"))
    for _ in range(3):
        _reply_notice(world, kind="mention")
    with count_queries(warm=True) as ringing:
        page = text(client.get("/"))
    assert re.search(r'nav-count-notices" aria-hidden="true">3<', page)
    assert ringing.count == quiet.count
    client.post("/notifications/read")
    assert "nav-count-notices" not in text(client.get("/"))


def test_opening_the_thread_reads_its_notices(world, signed_in):
    _reply_notice(world)
    client = signed_in(world["teacher"])
    client.get(f"/threads/{world['thread'].id}")
    db.session.refresh(world["teacher"])
    assert world["teacher"].unread_notifications == 0
    assert db.session.scalars(sa.select(Notification)).one().read_at is not None


# --- the worker's jobs ---------------------------------------------------------------------------------------------


def test_the_sweep_queues_mail_for_notices_left_without_an_outbox_row(world, smtp):
    _reply_notice(world)
    db.session.execute(sa.delete(OutboxMessage))
    db.session.commit()
    assert upkeep.sweep(utcnow()) == 0  # too young: its row may still be on its way
    assert upkeep.sweep(utcnow() + timedelta(minutes=2)) == 1
    db.session.commit()
    smtp.deliver(now=utcnow() + LATER)
    assert len(smtp.to("anna@example.org")) == 1


def test_pruning_deletes_old_notifications_and_fixes_the_bell(world, app):
    _reply_notice(world)
    _reply_notice(world, kind="mention")
    db.session.execute(
        sa.update(Notification)
        .where(Notification.kind == "mention")
        .values(created_at=utcnow() - timedelta(days=app.config["NOTIFICATION_RETENTION_DAYS"] + 1))
    )
    db.session.commit()  # fmt: skip
    assert upkeep.prune(utcnow()) == 1
    db.session.commit()
    db.session.refresh(world["teacher"])
    assert world["teacher"].unread_notifications == 1
    assert [n.kind for n in db.session.scalars(sa.select(Notification))] == ["post_reply"]


def test_the_worker_command_runs_one_round(world, smtp, app):
    app.config["MAIL_GROUPING_SECONDS"] = 0
    try:
        _reply_notice(world)
        result = app.test_cli_runner().invoke(args=["mail", "worker", "--once"])
    finally:
        app.config["MAIL_GROUPING_SECONDS"] = 300
    assert result.exit_code == 0, result.output
    assert "sent=" in result.output
    (message,) = smtp.to("anna@example.org")
    assert message["Subject"].startswith("Ответ на ваше сообщение.")


def test_the_digest_command_queues_what_is_due(world, smtp, app):
    teacher = world["teacher"]
    notify(teacher, "post_useful", actor=world["colleague"], association_id=world["association"].id,
           thread_id=world["thread"].id, post_id=world["reply"].id)  # fmt: skip
    teacher.digest_hour = digest_moment(teacher, utcnow()).astimezone(ZoneInfo(teacher.timezone)).hour
    teacher.last_digest_at = utcnow() - timedelta(days=2)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "digest"])
    assert result.exit_code == 0 and "Digests queued:" in result.output, result.output
    (digest,) = smtp.to("anna@example.org")
    assert "Коллега отметил ваше сообщение как полезное." in body_text(digest)


def test_the_worker_loop_sends_until_stopped(world, smtp, app):
    import threading

    from app.mail.worker import run_forever

    app.config["MAIL_GROUPING_SECONDS"] = 0
    try:
        _reply_notice(world)
        stop = threading.Event()
        loop = threading.Thread(target=run_forever, args=(app, 0.05, stop))
        loop.start()
        deadline = utcnow() + timedelta(seconds=10)
        while not smtp._messages and utcnow() < deadline:  # the loop's own round sends it, not the fixture
            stop.wait(0.05)
        stop.set()
        loop.join(timeout=10)
    finally:
        app.config["MAIL_GROUPING_SECONDS"] = 300
    assert not loop.is_alive()
    (notice,) = [m for m in smtp._messages if str(m["To"]) == "anna@example.org"]  # (others got their first digest)
    assert notice["Subject"].startswith("Ответ на ваше сообщение.")
