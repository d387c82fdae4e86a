"""Queueing e-mail as rows and sending the due ones.

Queueing (`queue_message`, `queue_notices`) only adds rows to the session: they are committed with the action that
caused them, or rolled back with it. Sending (`deliver_due`, run by `flask mail worker`) takes one due row at a time:

1. claim it in its own short transaction (`UPDATE … SET status = 'sending' WHERE id = (SELECT … FOR UPDATE SKIP
   LOCKED)`): of two workers only one gets a row, so no row is sent twice;
2. write and send it over SMTP with a timeout, outside any transaction;
3. record the outcome: sent; queued again with a growing delay after a temporary failure (4xx, connection refused,
   timeout); failed after a permanent one (5xx) or after MAIL_GIVE_UP_HOURS of temporary ones. A recipient refused
   with a 5xx marks the user's address as bouncing: no more notices go there until the user fixes it.

A worker that dies between 1 and 3 leaves a row «sending»; after MAIL_CLAIM_SECONDS another worker queues it again
(`release_stale`). Only that crash can send a message twice, and the repeat carries the same Message-ID.

Rows of kind `notices` are written when sent, by the renderer their feature registers in `RENDERERS` (notifications):
the e-mail then says everything that waited for the user in the grouping window, and nothing the user has read or may
no longer see.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app, has_request_context

from app.db import dialect_insert, utcnow
from app.extensions import db, mail
from app.mail.models import OutboxKind, OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)


@dataclass
class Rendered:
    """An e-mail ready to go. `after_sent` runs in the transaction that records the row as sent."""

    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict = field(default_factory=dict)
    after_sent: Callable[[], None] | None = None


# kind → renderer(row) → Rendered, or None when nothing is left to say (the row is then «skipped»)
RENDERERS: dict[str, Callable[[OutboxMessage], Rendered | None]] = {}


def one_line(subject: str) -> str:
    # Subjects quote names people typed; a line break there would make the mailer refuse the message (or, with
    # another mailer, inject headers).
    return " ".join(str(subject).split())[:500]


def queue_message(to: str, subject: str, text: str, html: str | None = None, *, user_id: int | None = None,
                  headers: dict | None = None) -> OutboxMessage:  # fmt: skip
    """An e-mail written in full now, sent by the worker after the commit."""
    row = OutboxMessage(kind=OutboxKind.MESSAGE, user_id=user_id, to_address=to, subject=one_line(subject),
                        body_text=text, body_html=html, headers=headers or {}, status=OutboxStatus.QUEUED,
                        send_after=utcnow())  # fmt: skip
    db.session.add(row)
    return row


def queue_notices(user_ids: list[int], send_after: datetime) -> None:
    """Make sure each user has an e-mail of notices waiting (one at most: a burst joins the one already waiting)."""
    statement = dialect_insert(OutboxMessage.__table__).on_conflict_do_nothing(
        index_elements=["user_id"], index_where=sa.text("kind = 'notices' AND status = 'queued'")
    )
    now = utcnow()
    values = {"kind": OutboxKind.NOTICES, "to_address": "", "subject": "", "body_text": "", "headers": {},
              "attempts": 0, "status": OutboxStatus.QUEUED, "send_after": send_after, "last_error": "",
              "created_at": now}  # fmt: skip
    db.session.connection().execute(statement, [dict(values, user_id=user_id) for user_id in sorted(set(user_ids))])


# --- sending ---------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0

    def __bool__(self) -> bool:
        return bool(self.sent or self.retried or self.failed or self.skipped)


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    def __init__(self, reason: str, *, bounced: bool):
        super().__init__(reason)
        self.bounced = bounced


def deliver_due(now: datetime | None = None, limit: int = 100) -> Outcome:
    """Send up to `limit` due rows, one at a time; commits after each step. `now` lets tests move the clock."""
    outcome = Outcome()
    sender = _Sender()
    try:
        for _ in range(limit):
            moment = now or utcnow()
            row_id = _claim(moment)
            if row_id is None:
                break
            _deliver_one(row_id, moment, sender, outcome)
    finally:
        sender.close()
    return outcome


def _claim(now: datetime) -> int | None:
    table = OutboxMessage.__table__
    due = (
        sa.select(table.c.id)
        .where(table.c.status == OutboxStatus.QUEUED, table.c.send_after <= now)
        .order_by(table.c.send_after, table.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = db.session.execute(
        sa.update(table)
        .where(table.c.id == due, table.c.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=table.c.attempts + 1)
        .returning(table.c.id)
    ).scalar()
    db.session.commit()
    return claimed


def _deliver_one(row_id: int, now: datetime, sender: _Sender, outcome: Outcome) -> None:
    row = db.session.get(OutboxMessage, row_id)
    try:
        rendered = _render(row)
    except Exception:  # a renderer's bug must not stop the queue: the row waits for a fix and a retry
        db.session.rollback()
        log.exception("Could not write e-mail %s", row_id)
        _finish(row_id, OutboxStatus.FAILED, error="не удалось составить письмо (ошибка программы)")
        outcome.failed += 1
        return
    db.session.commit()  # what the renderer read: no transaction stays open while SMTP talks
    if rendered is None:
        _finish(row_id, OutboxStatus.SKIPPED)
        outcome.skipped += 1
        return
    try:
        sender.send(row, rendered)
    except PermanentFailure as failure:
        _finish(row_id, OutboxStatus.FAILED, error=str(failure), to_address=rendered.to)
        if failure.bounced and row.user_id is not None:
            _mark_bounced(row.user_id, rendered.to, str(failure), now)
        db.session.commit()
        outcome.failed += 1
        return
    except TemporaryFailure as failure:
        if _retry_later(row, str(failure), now, rendered.to):
            outcome.retried += 1
        else:
            outcome.failed += 1
        return
    except Exception:  # a bug while writing the message: failed with the reason (an admin retries after the fix),
        # not left «sending» to be released and tried again forever
        db.session.rollback()
        log.exception("Could not send e-mail %s", row_id)
        _finish(row_id, OutboxStatus.FAILED, error="не удалось отправить письмо (ошибка программы)")
        outcome.failed += 1
        return
    if rendered.after_sent is not None:
        rendered.after_sent()
    _finish(row_id, OutboxStatus.SENT, sent_at=utcnow(), to_address=rendered.to, subject=rendered.subject)
    outcome.sent += 1


def _render(row: OutboxMessage) -> Rendered | None:
    if row.kind == OutboxKind.MESSAGE:
        return Rendered(to=row.to_address, subject=row.subject, text=row.body_text, html=row.body_html,
                        headers=dict(row.headers or {}))  # fmt: skip
    renderer = RENDERERS.get(row.kind)
    if renderer is None:
        raise LookupError(f"no renderer for outbox rows of kind {row.kind!r}")
    with site_request_context():
        return renderer(row)


def site_request_context():
    """The current request, or outside one (the worker, the CLI, a test) a request for the site's own address, so
    that `url_for` can write the links e-mails carry."""
    if has_request_context():
        return contextlib.nullcontext()
    return current_app.test_request_context("/", base_url=current_app.config["BASE_URL"])


def _finish(row_id: int, status: str, *, error: str = "", **values) -> None:
    table = OutboxMessage.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.id == row_id, table.c.status == OutboxStatus.SENDING)
        .values(status=status, last_error=error[:1000], **values)
    )
    db.session.commit()


def _retry_later(row: OutboxMessage, error: str, now: datetime, to_address: str) -> bool:
    """Queue the row again after a growing delay; False when it has been failing too long and is given up."""
    config = current_app.config
    created = row.created_at or now
    if now - created >= timedelta(hours=config["MAIL_GIVE_UP_HOURS"]):
        _finish(row.id, OutboxStatus.FAILED, error=f"{error} (попытки прекращены)", to_address=to_address)
        return False
    delay = min(config["MAIL_RETRY_BASE_SECONDS"] * 2 ** max(row.attempts - 1, 0), config["MAIL_RETRY_MAX_SECONDS"])
    _finish(row.id, OutboxStatus.QUEUED, error=error, send_after=now + timedelta(seconds=delay))
    return True


def _mark_bounced(user_id: int, address: str, reason: str, now: datetime) -> None:
    from app.auth.models import User  # the address belongs to the account; mail knows it only here

    table = User.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.id == user_id, sa.func.lower(table.c.email) == address.lower())
        .values(email_bounced_at=now, email_bounce_reason=reason[:500])
    )


def release_stale(now: datetime | None = None) -> int:
    """Queue again the rows a worker claimed and never finished (it died): after MAIL_CLAIM_SECONDS."""
    moment = now or utcnow()
    table = OutboxMessage.__table__
    before = moment - timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])
    done = db.session.execute(
        sa.update(table)
        .where(table.c.status == OutboxStatus.SENDING, table.c.claimed_at < before)
        .values(status=OutboxStatus.QUEUED, send_after=moment, last_error="работа прервана, отправка повторена")
    ).rowcount
    db.session.commit()
    return done or 0


def retry(row_id: int) -> bool:
    """An admin sends a failed row again (now)."""
    table = OutboxMessage.__table__
    done = db.session.execute(
        sa.update(table)
        .where(table.c.id == row_id, table.c.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.QUEUED, send_after=utcnow(), attempts=0, created_at=utcnow())
    ).rowcount
    return bool(done)


# --- SMTP ------------------------------------------------------------------------------------------------------


class _Sender:
    """One SMTP connection for a run of the worker, opened on the first message (with a timeout: Flask-Mail sets
    none, and a silent server would hang the worker). Once the server is unreachable or refuses us, the run's other
    messages wait without asking it again: a silent server costs one timeout a run, not one a message."""

    def __init__(self):
        self.host = None
        self.unavailable = ""  # why the server failed us in this run

    def send(self, row: OutboxMessage, rendered: Rendered) -> None:
        config = current_app.config
        message = self._message(row, rendered)
        if not config.get("MAIL_SERVER"):  # development: the message goes to the log
            current_app.logger.info("E-mail (no MAIL_SERVER set)\nTo: %s\nSubject: %s\n\n%s", rendered.to,
                                    rendered.subject, rendered.text)  # fmt: skip
            return
        if self.unavailable:
            raise TemporaryFailure(self.unavailable)
        import smtplib

        try:
            if self.host is None:
                self.host = _smtp_host(config)
            from flask_mail import sanitize_address

            self.host.sendmail(sanitize_address(message.sender), [rendered.to], message.as_bytes())
        except smtplib.SMTPRecipientsRefused as refused:
            self.close()
            code, text = next(iter(refused.recipients.values()))
            _raise_for(code, text, bounced=True)
        except _server_refusals() as error:  # our sender, login or greeting refused: every message would fail alike
            self._unavailable(f"{error.smtp_code} {_text(error.smtp_error)}", error)
        except smtplib.SMTPResponseException as error:  # the message's data refused
            self.close()
            _raise_for(error.smtp_code, error.smtp_error, bounced=False)
        except smtplib.SMTPNotSupportedError as error:  # e.g. a non-ASCII address the server cannot take
            self.close()
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
        except OSError as error:  # refused connection, timeout, dropped line (SMTPException is an OSError too)
            self._unavailable(f"{type(error).__name__}: {error}", error)

    def _unavailable(self, reason: str, error: Exception):
        self.close()
        self.unavailable = reason
        raise TemporaryFailure(reason) from error

    def _message(self, row: OutboxMessage, rendered: Rendered):
        sender = current_app.config["MAIL_DEFAULT_SENDER"]
        domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
        message = mail.message(subject=one_line(rendered.subject), recipients=[rendered.to], body=rendered.text,
                               html=rendered.html, sender=sender, extra_headers=dict(rendered.headers))  # fmt: skip
        message.msgId = f"<vmk-outbox-{row.id}@{domain}>"  # the same on a repeat after a crash: receivers drop it
        message.date = time.time()
        return message

    def close(self) -> None:
        if self.host is not None:
            with contextlib.suppress(Exception):  # closing a broken line: nothing to do
                self.host.quit()
            self.host = None


def _text(text) -> str:
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)


def _raise_for(code, text, *, bounced: bool):
    reason = f"{code} {_text(text)}"
    if isinstance(code, int) and code >= 500:
        raise PermanentFailure(reason, bounced=bounced)
    raise TemporaryFailure(reason)


def _server_refusals() -> tuple[type[Exception], ...]:
    """5xx answers about the server's setup (sender address, credentials, greeting), not about one message: a wrong
    MAIL_DEFAULT_SENDER or password must not fail the whole queue for good. They are retried (and given up after
    MAIL_GIVE_UP_HOURS) like an outage; the admin page shows the reason."""
    import smtplib

    return (smtplib.SMTPSenderRefused, smtplib.SMTPAuthenticationError, smtplib.SMTPConnectError,
            smtplib.SMTPHeloError)  # fmt: skip


def _smtp_host(config):
    import smtplib

    host_cls = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    host = host_cls(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    if config["MAIL_USE_TLS"]:
        host.starttls()
    if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
        host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return host


def prune_sent(now: datetime) -> int:
    """Delete sent and skipped messages older than MAIL_KEEP_DAYS (failed ones stay until an admin retries them or
    they age out the same way); a batch per run."""
    table = OutboxMessage.__table__
    before = now - timedelta(days=current_app.config["MAIL_KEEP_DAYS"])
    old = (
        sa.select(table.c.id)
        .where(table.c.status.in_([OutboxStatus.SENT, OutboxStatus.SKIPPED, OutboxStatus.FAILED]),
               table.c.created_at < before)
        .order_by(table.c.id)
        .limit(5000)
    )  # fmt: skip
    ids = list(db.session.scalars(old))
    if ids:
        db.session.execute(sa.delete(table).where(table.c.id.in_(ids)))
    return len(ids)
