"""/admin/mail: the queue's state and the failures with their reasons, for admins only; «Отправить снова» queues a
failed e-mail again and the worker's next run sends it; the page's query count does not grow with the failures."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.admin.models import AuditEntry
from app.auth.models import Role, UserStatus
from app.db import utcnow
from app.extensions import db
from app.mail import outbox
from app.mail.models import OutboxMessage, OutboxStatus
from tests.factories import make_association, make_user
from tests.mail.conftest import outbox_row

URL = "/admin/mail"


def text(response) -> str:
    return response.get_data(as_text=True)


def failed_rows(mail_server, run_worker, count: int, *, user=None) -> list[int]:
    """`count` e-mails refused for good by the server: failed rows with the server's reason."""
    rows = []
    for n in range(count):
        address = f"missing{n}@example.org"
        mail_server.refuse[address] = "550 5.1.1 Mailbox missing"
        rows.append(outbox.queue_message(address, f"Письмо № {n}", "…", user_id=user.id if user else None))
    db.session.commit()
    ids = [row.id for row in rows]
    assert run_worker().failed == count
    return ids


@pytest.fixture
def admin(login):
    user = make_user(role=Role.ADMIN, full_name="Администратор Ольга Викторовна")
    login(user)
    return user


# --- who may see it -----------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.post(f"{URL}/1/retry").status_code == 302


@pytest.mark.parametrize("role", [Role.TEACHER, Role.METHODIST, "leader"])
def test_everyone_but_admins_is_refused(client, login, mail_server, run_worker, role):
    (row_id,) = failed_rows(mail_server, run_worker, 1)
    user = make_user(role=Role.TEACHER if role == "leader" else role)
    if role == "leader":
        make_association(leader=user)
    login(user)
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}/{row_id}/retry").status_code == 403
    assert outbox_row(row_id).status == OutboxStatus.FAILED


def test_a_suspended_admin_is_signed_out(client, login, mail_server, run_worker):
    (row_id,) = failed_rows(mail_server, run_worker, 1)
    user = make_user(role=Role.ADMIN)
    login(user)
    user.status = UserStatus.SUSPENDED
    db.session.commit()
    assert "/login" in client.get(URL).headers["Location"]
    assert "/login" in client.post(f"{URL}/{row_id}/retry").headers["Location"]
    assert outbox_row(row_id).status == OutboxStatus.FAILED


# --- what it shows --------------------------------------------------------------------------------------------------


def test_the_page_shows_the_queue_and_the_failures_with_their_reasons(client, admin, mail_server, run_worker):
    user = make_user(email="missing0@example.org", full_name="Петрова Анна Ивановна")
    failed_rows(mail_server, run_worker, 1, user=user)
    outbox.queue_message("sent@example.org", "Ушло", "…")
    db.session.commit()
    run_worker()
    outbox.queue_message("later@example.org", "Подождёт", "…")
    db.session.commit()

    page = text(client.get(URL))
    assert "Почта" in page
    assert "1 письмо в очереди" in page
    assert "1 письмо отправлено за сутки" in page
    assert "1 письмо не доставлено" in page
    assert "Самое старое ждёт" in page
    assert "missing0@example.org" in page and "Петрова Анна Ивановна" in page
    assert "Письмо № 0" in page
    assert "550 5.1.1 Mailbox missing" in page
    assert "1 попытка" in page
    assert "Отправить снова" in page
    assert "later@example.org" not in page  # the default list is the failures
    assert "sent@example.org" not in page


def test_the_filter_shows_waiting_or_every_message(client, admin, mail_server, run_worker):
    failed_rows(mail_server, run_worker, 1)
    outbox.queue_message("sent@example.org", "Ушло", "…")
    db.session.commit()
    run_worker()
    outbox.queue_message("later@example.org", "Подождёт", "…")
    db.session.commit()

    waiting = text(client.get(URL, query_string={"status": "queued"}))
    assert "later@example.org" in waiting
    assert "missing0@example.org" not in waiting and "sent@example.org" not in waiting
    every = text(client.get(URL, query_string={"status": "all"}))
    assert all(a in every for a in ("later@example.org", "missing0@example.org", "sent@example.org"))
    assert every.index("later@example.org") < every.index("sent@example.org") < every.index("missing0@example.org")

    wrong = client.get(URL, query_string={"status": "everything"})
    assert wrong.status_code == 400
    assert "Не доставленные" in text(wrong)  # the failures are shown, with the filter's message


def test_an_empty_queue(client, admin):
    page = text(client.get(URL))
    assert "Ожидающих писем нет" in page
    assert "Писем нет." in page


def test_the_admin_menu_links_to_the_page(client, admin):
    assert f'href="{URL}"' in text(client.get("/admin/"))


def test_notices_waiting_show_the_accounts_address(client, admin):
    user = make_user(email="reader@example.org")
    outbox.queue_notices([user.id], send_after=utcnow() + timedelta(minutes=5))
    db.session.commit()
    page = text(client.get(URL, query_string={"status": "queued"}))
    assert "reader@example.org" in page
    assert "письмо составляется при отправке" in page


def test_the_oldest_waiting_message_s_age(app):
    from app.admin.mail_routes import age_words
    from app.mail.queries import queue_summary

    outbox.queue_message("old@example.org", "Старое", "…")
    db.session.flush()
    db.session.execute(sa.update(OutboxMessage).values(created_at=utcnow() - timedelta(hours=3, minutes=5)))
    summary = queue_summary()
    age = summary.oldest_waiting_age(utcnow())
    assert timedelta(hours=3) < age < timedelta(hours=3, minutes=6)
    with app.test_request_context():
        assert age_words(age) == "3 часа"
        assert age_words(timedelta(minutes=1)) == "1 минута"
        assert age_words(timedelta(seconds=20)) == "меньше минуты"
        assert age_words(timedelta(days=3, hours=1)) == "3 дня"


# --- sending again --------------------------------------------------------------------------------------------------


def test_send_again_queues_the_failed_message_and_the_next_run_sends_it(client, admin, mail_server, run_worker, csrf):
    (row_id,) = failed_rows(mail_server, run_worker, 1)
    mail_server.refuse.clear()  # the mailbox was created meanwhile
    page = text(client.get(URL))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    assert client.post(f"{URL}/{row_id}/retry", data={"status": "failed"}).status_code == 400  # no token
    assert outbox_row(row_id).status == OutboxStatus.FAILED

    response = client.post(f"{URL}/{row_id}/retry", data={"csrf_token": token, "status": "all"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{URL}?status=all"
    row = outbox_row(row_id)
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED, 0)
    assert "снова в очереди" in text(client.get(response.headers["Location"]))
    [entry] = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "mail.retry")).all()
    assert (entry.actor_id, entry.target_type, entry.target_id) == (admin.id, "mail", row_id)
    assert entry.target_label == f"№ {row_id} → missing0@example.org: {row.subject}"
    assert "550 5.1.1 Mailbox missing" in entry.details  # why it had failed
    journal = text(client.get("/admin/audit?action=mail.retry"))
    assert "Повторная отправка письма" in journal and "missing0@example.org" in journal

    assert run_worker().sent == 1
    assert len(mail_server.to("missing0@example.org")) == 1
    assert outbox_row(row_id).status == OutboxStatus.SENT

    again = client.post(f"{URL}/{row_id}/retry", data={"csrf_token": token})  # a second click: already sent
    assert again.status_code == 302
    assert "уже не числится среди недоставленных" in text(client.get(again.headers["Location"]))
    assert not run_worker()
    assert len(mail_server.received) == 1
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "mail.retry")) == 1


def test_send_again_of_an_unknown_message_is_404(client, admin):
    assert client.post(f"{URL}/999999/retry").status_code == 404


# --- cost -----------------------------------------------------------------------------------------------------------


def test_the_page_s_query_count_does_not_grow_with_failures(client, admin, mail_server, run_worker, count_queries):
    def page_cost() -> int:
        with count_queries() as counter:
            assert client.get(URL).status_code == 200
        return counter.count

    failed_rows(mail_server, run_worker, 2, user=make_user())
    few = page_cost()
    owners = [make_user() for _ in range(18)]
    for n, owner in enumerate(owners, start=2):
        mail_server.refuse[f"many{n}@example.org"] = "550 Mailbox missing"
        outbox.queue_message(f"many{n}@example.org", f"Письмо {n}", "…", user_id=owner.id)
    db.session.commit()
    assert run_worker().failed == 18
    assert page_cost() == few
