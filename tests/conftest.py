"""Test setup: one schema per run, every test inside a transaction rolled back at the end (savepoint mode).

Each request of the test client runs in a fresh application context (fresh `g`, fresh session), as in production,
bound to the test's connection so that it sees and is rolled back with the test's data.
"""

import os
import socket
import threading
import time
from email import message_from_bytes
from email import policy as email_policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

from app import create_app
from app.extensions import db, limiter
from config import TestConfig


class _TestSession(FlaskSession):
    """Flask-SQLAlchemy's session ignores `bind`; tests bind it to the one connection that is rolled back."""

    def get_bind(self, *args, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(*args, **kwargs)


class _Client(FlaskClient):
    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app():
    app = create_app(TestConfig)
    app.test_client_class = _Client
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(app):
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _TestSession}
        )
        limiter.reset()
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


# --- mail: a real SMTP server on a free port --------------------------------------------------------------------


class _Inbox:
    """What the test SMTP server received. Reading it first runs the mail worker's sending step (`deliver_due`) in
    the test's transaction, as `flask mail worker` would after the commit: the outbox rows the test's actions wrote
    go out through real SMTP. Rows not yet due (a notice's grouping window) wait; tests move the clock with
    `deliver(now=…)`."""

    def __init__(self):
        self._messages = []
        self._lock = threading.Lock()
        self.app = None

    def receive(self, message) -> None:
        with self._lock:
            self._messages.append(message)

    def deliver(self, now=None):
        """Run the worker's sending step once; its outcome (sent, retried, failed, skipped)."""
        from app.mail.outbox import deliver_due

        with self.app.app_context():
            return deliver_due(now=now)

    @property
    def messages(self):
        if self.app is not None:
            self.deliver()
        return self._messages

    def clear(self):
        with self._lock:
            self._messages.clear()

    def to(self, address: str):
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def wait(self, count: int = 1, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self._messages


class _Handler:
    """aiosmtpd's handler (apart from the inbox: aiosmtpd inspects its handler's attributes, and reading the inbox's
    `messages` there would run the worker on the server's own thread)."""

    def __init__(self, inbox: _Inbox):
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        self.inbox.receive(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def _smtp_controller():
    inbox = _Inbox()
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def smtp(app, _smtp_controller):
    """Point the app at the running SMTP server; yields the inbox of received messages."""
    controller, inbox = _smtp_controller
    inbox.clear()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    inbox.app = app
    yield inbox
    inbox.app = None
    app.config.update(saved)


def body_text(message) -> str:
    """The plain-text part of a received message."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


# --- counting SQL queries ---------------------------------------------------------------------------------------


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as q: client.get(...)`, then `q.count`. Counted with an empty cache (`warm=True`: as it
    is), so that the count is that of a page whose results kept under change stamps (app/stamps.py) are all missed:
    the most a page runs."""
    from contextlib import contextmanager

    @contextmanager
    def counting(warm: bool = False):
        if not warm:
            app.extensions["vmk_fragments"].clear()
        counter = QueryCounter()
        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def uploads(app, tmp_path):
    """Attachments go to a folder of this test's own; the attachment limits a test changes are put back after it."""
    folder = tmp_path / "uploads"
    saved = {k: app.config[k] for k in ("UPLOAD_FOLDER", "ATTACHMENT_MAX_BYTES", "ATTACHMENT_MAX_PER_POST")}
    app.config["UPLOAD_FOLDER"] = str(folder)
    yield folder
    app.config.update(saved)


# --- signing in -------------------------------------------------------------------------------------------------


@pytest.fixture
def login(client):
    """`login(user)` signs the test client in through the real login form."""
    from tests.factories import PASSWORD

    def do_login(user, password: str = PASSWORD, remember: bool = False):
        response = client.post(
            "/login", data={"email": user.email, "password": password, "remember": "y" if remember else ""}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    return do_login


def pytest_report_header(config):
    return f"database: {os.environ.get('TEST_DATABASE_URL') or 'sqlite (in memory)'}"


@pytest.fixture
def csrf(app):
    """CSRF protection switched on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False
