"""Two mail workers at once on PostgreSQL: every queued e-mail goes out exactly once, a periodic job runs once.

These need real commits on several connections at once, which the suite's rolled-back savepoint connection
cannot give: they run on an app of their own (its own engine; fixtures from tests/discussions/concurrency/), commit
real rows and delete them at the end. On SQLite the folder is skipped (writers are serialised by the database anyway,
and `FOR UPDATE SKIP LOCKED`, which keeps two workers off one row, is PostgreSQL's).
"""

from collections import Counter
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from app.db import utcnow
from app.extensions import db
from app.mail import outbox, worker
from app.mail.models import OutboxMessage, OutboxStatus, WorkerJob
from tests.discussions.concurrency.harness import run_at_once
from tests.mail.conftest import MailServer

MESSAGES = 30
WORKERS = 2


@pytest.fixture
def live_server(live_app):
    """An SMTP server the live app sends to (answering at once: the workers' claims then overlap most)."""
    server = MailServer()
    server.start()
    saved = {k: live_app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    live_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()
    live_app.config.update(saved)


@pytest.fixture
def queued(live_app):
    """MESSAGES committed outbox rows; deleted afterwards."""
    with live_app.app_context():
        rows = [outbox.queue_message(f"worker-test-{n}@example.org", f"Письмо {n}", "…") for n in range(MESSAGES)]
        db.session.commit()
        ids = [row.id for row in rows]
        db.session.remove()
    try:
        yield ids
    finally:
        with live_app.app_context():
            db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
            db.session.commit()
            db.session.remove()


def test_two_workers_send_every_message_exactly_once(live_app, live_server, queued):
    outcomes = [None] * WORKERS

    def work(index: int) -> None:
        outcomes[index] = outbox.deliver_due(limit=MESSAGES * 2)

    assert run_at_once(live_app, [partial(work, n) for n in range(WORKERS)]) == [None] * WORKERS

    mine = {f"<vmk-outbox-{row_id}@example.org>" for row_id in queued}
    sent = Counter(message_id for message_id in live_server.message_ids() if message_id in mine)
    assert set(sent) == mine
    assert set(sent.values()) == {1}  # none twice
    assert sum(outcome.sent for outcome in outcomes) == MESSAGES
    assert all(outcome.sent for outcome in outcomes), outcomes  # both workers took part
    with live_app.app_context():
        statuses = db.session.scalars(sa.select(OutboxMessage.status).where(OutboxMessage.id.in_(queued))).all()
        assert set(statuses) == {OutboxStatus.SENT}
        attempts = db.session.scalars(sa.select(OutboxMessage.attempts).where(OutboxMessage.id.in_(queued))).all()
        assert set(attempts) == {1}
        db.session.remove()


@pytest.fixture
def only_job(live_app):
    """The worker's job list holds only a job of this test's (every hour) while it runs; its row is deleted after."""
    runs = []
    saved = list(worker.JOBS)
    worker.JOBS[:] = [("test-concurrent-job", 3600, runs.append)]
    try:
        yield runs
    finally:
        worker.JOBS[:] = saved
        with live_app.app_context():
            db.session.execute(sa.delete(WorkerJob).where(WorkerJob.name == "test-concurrent-job"))
            db.session.commit()
            db.session.remove()


def test_two_workers_run_a_periodic_job_once(live_app, only_job):
    now = utcnow()

    def work() -> None:
        worker.run_once(now)

    assert run_at_once(live_app, [work] * WORKERS) == [None] * WORKERS
    assert only_job == [now]
    assert run_at_once(live_app, [partial(worker.run_once, now + timedelta(minutes=30))] * WORKERS) == [None] * 2
    assert only_job == [now]
