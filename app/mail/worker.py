"""The mail worker: `flask mail worker` runs `run_once()` every MAIL_WORKER_INTERVAL seconds.

One run: queue again what a dead worker left «sending», run the periodic jobs whose time has come, then send the due
outbox rows. Features register their periodic jobs in `JOBS` (notifications: the digest, the sweep and pruning;
consultations: reminders and response-time notices), so the mail package knows none of them. A job runs in one
worker at a time: it starts only after claiming its `mail_worker_jobs` row with a conditional UPDATE.

Each run happens inside a request context for BASE_URL, so `url_for` writes the links the e-mails carry.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from app.db import utcnow
from app.extensions import db
from app.mail import outbox
from app.mail.models import WorkerJob

log = logging.getLogger(__name__)

# (name, every how many seconds, job(now)); filled by the features' init_app.
JOBS: list[tuple[str, int, Callable[[datetime], object]]] = []


def register_job(name: str, every_seconds: int, job: Callable[[datetime], object]) -> None:
    if all(existing != name for existing, _every, _job in JOBS):
        JOBS.append((name, every_seconds, job))


def in_worker_context(app: Flask):
    """A request context for the site's own address: links in e-mails written outside a request point there."""
    with app.app_context():
        return outbox.site_request_context()


def run_once(now: datetime | None = None) -> outbox.Outcome:
    """One round of the worker in the current app context; `now` lets tests move the clock."""
    moment = now or utcnow()
    outbox.release_stale(moment)
    for name, every, job in list(JOBS):
        if _claim_job(name, every, moment):
            try:
                job(moment)
                db.session.commit()
            except Exception:  # one job's failure must not stop the mail
                db.session.rollback()
                log.exception("Mail worker job %s failed", name)
    return outbox.deliver_due(now=now)


def _claim_job(name: str, every: int, now: datetime) -> bool:
    table = WorkerJob.__table__
    if db.session.get(WorkerJob, name) is None:
        db.session.add(WorkerJob(name=name, last_run_at=None))
        try:
            db.session.commit()
        except sa.exc.IntegrityError:  # another worker added it first
            db.session.rollback()
    claimed = db.session.execute(
        sa.update(table)
        .where(table.c.name == name,
               sa.or_(table.c.last_run_at.is_(None), table.c.last_run_at <= now - timedelta(seconds=every)))
        .values(last_run_at=now)
    ).rowcount  # fmt: skip
    db.session.commit()
    return bool(claimed)


def run_forever(app: Flask, interval: float, stop: threading.Event | None = None) -> None:
    """Loop until SIGTERM/SIGINT (or `stop` is set); a failed round is logged and the next one comes."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    log.info("Mail worker started (every %s s)", interval)
    while not stop.is_set():
        started = time.monotonic()
        with in_worker_context(app):
            try:
                outcome = run_once()
                if outcome:
                    log.info("Mail worker: %s", outcome)
            except Exception:
                db.session.rollback()
                log.exception("Mail worker round failed")
        stop.wait(max(0.0, interval - (time.monotonic() - started)))
    log.info("Mail worker stopped")


def current_interval() -> float:
    return float(current_app.config["MAIL_WORKER_INTERVAL"])
