"""The outbox against a real SMTP server: sent once, nothing from a rolled back action, retries through an outage
with a growing delay, permanent refusals and bounces, giving up, rows a dead worker left, the worker's periodic jobs
and the `flask mail` commands."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.db import utcnow
from app.extensions import db
from app.mail import outbox, worker
from app.mail.models import OutboxMessage, OutboxStatus, WorkerJob
from app.mail.queries import queue_counts
from tests.conftest import body_text
from tests.factories import make_user
from tests.mail.conftest import SilentServer, outbox_row

BASE = 60  # MAIL_RETRY_BASE_SECONDS's default


def queue(to: str, subject: str = "Проверка", *, html: str | None = None, user: User | None = None) -> int:
    row = outbox.queue_message(to, subject, f"Текст письма для {to}", html, user_id=user.id if user else None)
    db.session.commit()
    return row.id


def rows_by_id(ids) -> list[OutboxMessage]:
    db.session.expire_all()
    return [db.session.get(OutboxMessage, row_id) for row_id in ids]


# --- sending once ---------------------------------------------------------------------------------------------------


def test_a_queued_message_goes_out_once_with_its_html_part(client, mail_server, run_worker):
    user = make_user(email="teacher@example.org", full_name="Кузнецова Ольга Ивановна")
    assert client.post("/password/reset", data={"email": user.email}).status_code == 302
    assert mail_server.received == []  # the action only wrote a row

    assert run_worker().sent == 1
    assert not run_worker()  # nothing left: a second run sends nothing
    (message,) = mail_server.received
    assert str(message["To"]) == "teacher@example.org"
    assert message.is_multipart()
    assert "Восстановление пароля" in message["Subject"]
    assert "/password/reset/" in message.get_body(preferencelist=("html",)).get_content()
    assert "/password/reset/" in body_text(message)
    row = db.session.scalars(sa.select(OutboxMessage)).one()
    assert (row.status, row.attempts, row.sent_at is not None) == (OutboxStatus.SENT, 1, True)
    assert message["Message-ID"] == f"<vmk-outbox-{row.id}@example.org>"


def test_a_text_only_message_is_not_multipart(mail_server, run_worker):
    queue("plain@example.org", "Только текст")
    run_worker()
    (message,) = mail_server.received
    assert not message.is_multipart()
    assert message.get_content_type() == "text/plain"
    assert "Текст письма для plain@example.org" in body_text(message)


def test_a_rolled_back_action_sends_nothing(mail_server, run_worker):
    queue("kept@example.org")
    outbox.queue_message("lost@example.org", "Откат", "Это письмо не должно уйти")
    db.session.rollback()  # the action failed after queueing: its e-mail goes with it

    assert run_worker().sent == 1
    assert [str(m["To"]) for m in mail_server.received] == ["kept@example.org"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_a_subject_with_a_line_break_is_one_line(mail_server, run_worker):
    queue("x@example.org", "Тема\r\nBcc: victim@example.org")
    run_worker()
    (message,) = mail_server.received
    assert message["Subject"] == "Тема Bcc: victim@example.org"
    assert message["Bcc"] is None


# --- an outage: the server is down, then up again -----------------------------------------------------------------


def test_an_outage_delays_mail_with_growing_pauses_and_then_each_goes_out_once(app, client, mail_server, run_worker):
    people = [make_user(email=f"colleague{n}@example.org") for n in range(3)]
    db.session.commit()
    for person in people:
        assert client.post("/password/reset", data={"email": person.email}).status_code == 302
    ids = list(db.session.scalars(sa.select(OutboxMessage.id).order_by(OutboxMessage.id)))
    assert len(ids) == 3
    mail_server.stop()
    app.config["MAIL_RETRY_MAX_SECONDS"] = 200
    try:
        now = utcnow()
        delays = []
        for attempt in range(1, 5):
            outcome = run_worker(now)
            assert (outcome.retried, outcome.sent, outcome.failed) == (3, 0, 0)
            rows = rows_by_id(ids)
            assert {(r.status, r.attempts) for r in rows} == {(OutboxStatus.QUEUED, attempt)}
            assert all("Connection" in r.last_error for r in rows), [r.last_error for r in rows]
            (delay,) = {r.send_after - now for r in rows}
            delays.append(delay.total_seconds())
            assert not run_worker(now + delay - timedelta(seconds=1))  # not due yet: nothing is tried
            now += delay
        assert delays == [BASE, 2 * BASE, 200, 200]  # doubled after each failure, up to MAIL_RETRY_MAX_SECONDS
    finally:
        app.config["MAIL_RETRY_MAX_SECONDS"] = 1800

    mail_server.start()
    assert run_worker(now).sent == 3
    assert not run_worker(now + timedelta(hours=1))  # everything went: another run sends nothing more
    assert sorted(str(m["To"]) for m in mail_server.received) == [p.email for p in people]
    assert sorted(mail_server.message_ids()) == sorted(f"<vmk-outbox-{i}@example.org>" for i in ids)
    assert {(r.status, r.attempts) for r in rows_by_id(ids)} == {(OutboxStatus.SENT, 5)}


def test_a_silent_server_costs_one_timeout_a_run_not_one_a_message(app, run_worker):
    silent = SilentServer()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.port, MAIL_TIMEOUT=1)
    try:
        ids = [queue(f"waiting{n}@example.org") for n in range(3)]
        now = utcnow()
        assert run_worker(now).retried == 3
        assert len(silent.connections) == 1  # the rest of the run's messages did not wait for the server again
        rows = rows_by_id(ids)
        assert {(r.status, r.attempts, r.send_after) for r in rows} == {
            (OutboxStatus.QUEUED, 1, now + timedelta(seconds=BASE))
        }
        assert all("timed out" in r.last_error for r in rows), [r.last_error for r in rows]
        assert run_worker(now + timedelta(seconds=BASE)).retried == 3
        assert len(silent.connections) == 2  # a new run asks again
    finally:
        app.config.update(saved)
        silent.close()


def test_temporary_failures_for_too_long_give_up(app, mail_server, run_worker):
    row_id = queue("far@example.org")
    created = outbox_row(row_id).created_at
    mail_server.stop()
    hours = app.config["MAIL_GIVE_UP_HOURS"]

    assert run_worker(created + timedelta(hours=hours - 1)).retried == 1
    assert outbox_row(row_id).status == OutboxStatus.QUEUED
    assert run_worker(created + timedelta(hours=hours)).failed == 1
    row = outbox_row(row_id)
    assert row.status == OutboxStatus.FAILED
    assert "попытки прекращены" in row.last_error
    mail_server.start()
    assert not run_worker(created + timedelta(hours=hours + 10))  # failed rows wait for an admin
    assert mail_server.received == []


# --- refusals -------------------------------------------------------------------------------------------------------


def test_a_refused_recipient_fails_for_good_and_marks_the_address_bouncing(mail_server, run_worker):
    gone = make_user(email="gone@example.org")
    other = make_user(email="fine@example.org")
    mail_server.refuse["gone@example.org"] = "550 5.1.1 No such mailbox here"
    gone_id, fine_id = queue(gone.email, user=gone), queue(other.email, user=other)
    now = utcnow()

    outcome = run_worker(now)
    assert (outcome.sent, outcome.failed, outcome.retried) == (1, 1, 0)
    row = outbox_row(gone_id)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    assert "550" in row.last_error and "No such mailbox" in row.last_error
    assert outbox_row(fine_id).status == OutboxStatus.SENT
    db.session.refresh(gone)
    db.session.refresh(other)
    assert gone.email_bounced_at == now
    assert "550" in gone.email_bounce_reason
    assert other.email_bounced_at is None

    del mail_server.refuse["gone@example.org"]
    assert not run_worker(now + timedelta(days=1))  # a permanent failure is not retried
    assert [str(m["To"]) for m in mail_server.received] == ["fine@example.org"]


def test_a_refused_old_address_does_not_mark_the_new_one(mail_server, run_worker):
    user = make_user(email="new@example.org")
    mail_server.refuse["old@example.org"] = "550 5.1.1 No such mailbox"
    row = outbox.queue_message("old@example.org", "Старый адрес", "…", user_id=user.id)
    db.session.commit()
    row_id = row.id

    assert run_worker().failed == 1
    assert outbox_row(row_id).status == OutboxStatus.FAILED
    db.session.refresh(user)
    assert user.email_bounced_at is None  # the account's address now is another one


def test_a_temporary_refusal_is_retried_later(mail_server, run_worker):
    user = make_user(email="busy@example.org")
    mail_server.refuse["busy@example.org"] = "450 4.2.1 Mailbox busy, try later"
    row_id = queue(user.email, user=user)
    now = utcnow()

    assert run_worker(now).retried == 1
    row = outbox_row(row_id)
    assert (row.status, row.attempts, row.send_after) == (OutboxStatus.QUEUED, 1, now + timedelta(seconds=BASE))
    assert "450" in row.last_error
    db.session.refresh(user)
    assert user.email_bounced_at is None

    del mail_server.refuse["busy@example.org"]
    assert run_worker(now + timedelta(seconds=BASE)).sent == 1
    assert len(mail_server.to("busy@example.org")) == 1


def test_a_relay_refusing_our_sender_is_a_configuration_problem_not_the_messages(mail_server, run_worker):
    user = make_user(email="reader@example.org")
    mail_server.refuse_sender = "553 5.7.1 Sender address rejected: not owned by user"
    ids = [queue(user.email, user=user), queue("another@example.org")]
    now = utcnow()

    assert run_worker(now).retried == 2  # every message would fail the same way: they wait for the fix
    rows = rows_by_id(ids)
    assert {(r.status, r.attempts) for r in rows} == {(OutboxStatus.QUEUED, 1)}
    assert all("553" in r.last_error for r in rows)
    db.session.refresh(user)
    assert user.email_bounced_at is None

    mail_server.refuse_sender = ""  # the administrator fixed MAIL_DEFAULT_SENDER
    assert run_worker(now + timedelta(seconds=BASE)).sent == 2


# --- a worker that died ---------------------------------------------------------------------------------------------


def test_a_row_left_sending_by_a_dead_worker_is_sent_after_the_claim_expires(app, mail_server):
    row_id = queue("patient@example.org")
    claimed_at = utcnow()
    assert outbox._claim(claimed_at) == row_id  # a worker took it and died before sending
    claim = timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"])

    assert outbox.release_stale(claimed_at + claim - timedelta(seconds=1)) == 0
    assert outbox_row(row_id).status == OutboxStatus.SENDING
    assert not outbox.deliver_due(now=claimed_at + timedelta(seconds=30))  # nobody sends a claimed row

    with worker.in_worker_context(app):
        outcome = worker.run_once(claimed_at + claim + timedelta(seconds=1))
    assert outcome.sent == 1
    row = outbox_row(row_id)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert len(mail_server.received) == 1


# --- the worker's periodic jobs -------------------------------------------------------------------------------------


@pytest.fixture
def job_runs():
    """A job registered with the worker (every hour) that notes when it ran; unregistered afterwards."""
    runs = []
    worker.register_job("test-hourly", 3600, runs.append)
    yield runs
    worker.JOBS[:] = [job for job in worker.JOBS if job[0] != "test-hourly"]


def test_a_job_runs_once_per_period_however_often_the_worker_runs(app, job_runs):
    now = utcnow()
    with worker.in_worker_context(app):
        worker.run_once(now)
        worker.run_once(now)
        worker.run_once(now + timedelta(minutes=59))
    assert job_runs == [now]
    assert db.session.get(WorkerJob, "test-hourly").last_run_at == now

    with worker.in_worker_context(app):
        worker.run_once(now + timedelta(hours=1))
    assert job_runs == [now, now + timedelta(hours=1)]


def test_a_job_another_worker_claimed_does_not_run_again(app, job_runs):
    now = utcnow()
    db.session.add(WorkerJob(name="test-hourly", last_run_at=now - timedelta(minutes=1)))  # the other worker's claim
    db.session.commit()
    with worker.in_worker_context(app):
        worker.run_once(now)
    assert job_runs == []


def test_a_failing_job_does_not_stop_the_mail(app, mail_server):
    def broken(now):
        raise RuntimeError("job bug")

    worker.register_job("test-broken", 60, broken)
    try:
        queue("still@example.org")
        with worker.in_worker_context(app):
            assert worker.run_once().sent == 1
    finally:
        worker.JOBS[:] = [job for job in worker.JOBS if job[0] != "test-broken"]
    assert len(mail_server.received) == 1


# --- flask mail … ---------------------------------------------------------------------------------------------------


def test_flask_mail_status_counts_each_state(app, mail_server, run_worker):
    mail_server.refuse["bad@example.org"] = "550 No such user"
    for address in ("one@example.org", "two@example.org", "bad@example.org"):
        queue(address)
    run_worker()
    queue("waiting@example.org")

    assert queue_counts() == {"queued": 1, "sending": 0, "sent": 2, "failed": 1, "skipped": 0}
    result = app.test_cli_runner().invoke(args=["mail", "status"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["queued: 1", "sending: 0", "sent: 2", "failed: 1", "skipped: 0"]


def test_flask_mail_bounce_marks_the_account(app):
    user = make_user(email="bounced@example.org")
    result = app.test_cli_runner().invoke(args=["mail", "bounce", "Bounced@Example.org", "--reason", "ящик удалён"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.email_bounced_at is not None
    assert user.email_bounce_reason == "ящик удалён"


def test_flask_mail_bounce_of_an_unknown_address_fails(app):
    result = app.test_cli_runner().invoke(args=["mail", "bounce", "nobody@example.org"])
    assert result.exit_code != 0
    assert "nobody@example.org" in result.output


def test_a_message_that_cannot_be_written_fails_with_a_reason_instead_of_looping(app, smtp):
    from app.mail.outbox import queue_message

    queue_message("teacher@example.org", "Тема", "Текст", headers={"X-Broken": 123})  # not a header value
    db.session.commit()
    outcome = smtp.deliver()
    assert outcome.failed == 1 and smtp.messages == []
    row = db.session.scalars(sa.select(OutboxMessage)).one()
    assert row.status == OutboxStatus.FAILED and "ошибка программы" in row.last_error


def test_old_finished_messages_are_pruned_and_waiting_ones_stay(app):
    from app.mail.outbox import prune_sent, queue_message

    old = utcnow() - timedelta(days=app.config["MAIL_KEEP_DAYS"] + 1)
    for status in (OutboxStatus.SENT, OutboxStatus.SKIPPED, OutboxStatus.FAILED, OutboxStatus.QUEUED):
        row = queue_message("teacher@example.org", status, "Текст")
        row.status, row.created_at = status, old
    recent = queue_message("teacher@example.org", "Свежее", "Текст")
    recent.status = OutboxStatus.SENT
    db.session.commit()
    assert prune_sent(utcnow()) == 3
    left = {(row.subject, row.status) for row in db.session.scalars(sa.select(OutboxMessage))}
    assert left == {(OutboxStatus.QUEUED, OutboxStatus.QUEUED), ("Свежее", OutboxStatus.SENT)}
