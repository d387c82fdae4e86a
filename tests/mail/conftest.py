"""An SMTP server of the test's own, which it can stop, start again and make refuse recipients.

The suite's `smtp` fixture is one server for the whole run; the outbox's tests need to take the server down (an
outage) and to answer RCPT with 4xx/5xx codes, so they start their own aiosmtpd Controller on a free port and point
MAIL_SERVER/MAIL_PORT at it.
"""

import contextlib
import socket
import threading
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from app.extensions import db
from app.mail.models import OutboxMessage
from app.mail.outbox import deliver_due
from tests.conftest import _free_port


class MailServer:
    """A real SMTP server: `refuse[address] = "550 …"` answers RCPT for it with that line; `refuse_sender` answers
    MAIL FROM with its line (a relay that does not accept our sender address)."""

    def __init__(self):
        self.port = _free_port()
        self.refuse: dict[str, str] = {}
        self.refuse_sender = ""
        self.received = []
        self._lock = threading.Lock()
        self._controller = None

    # aiosmtpd's hooks
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        with self._lock:
            self.received.append(message)
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list:
        return [m for m in self.received if address.lower() in str(m["To"]).lower()]

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


class SilentServer:
    """A server that takes connections and never says a word (a hung relay, a firewall that swallows packets)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):  # the listener was closed: the test is over
            while True:
                self.connections.append(self.listener.accept()[0])

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def mail_server(app):
    """A running SMTP server of this test's own, with the app pointed at it; stopped and the config put back after."""
    server = MailServer()
    server.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    yield server
    server.stop()
    app.config.update(saved)


@pytest.fixture
def run_worker(app):
    """`run_worker(now)`: the worker's sending step in an app context of its own (as `flask mail worker` runs it)."""

    def run(now=None):
        with app.app_context():
            return deliver_due(now=now)

    return run


def outbox_row(row_id: int) -> OutboxMessage:
    """The row as the database has it now (the worker changed it in another session)."""
    db.session.expire_all()
    return db.session.get(OutboxMessage, row_id)
