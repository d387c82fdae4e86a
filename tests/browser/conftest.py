"""Browser tests: real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live server.

The live server is its own app on its own SQLite file with the demo district, CSRF on and rate limits off. It does not
share the rolled-back test connection of the rest of the suite, so `_transaction` is switched off here.
"""

import os
import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.demo import DEMO_PASSWORD, seed_demo
from app.extensions import db, limiter
from config import TestConfig

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING_CHROMIUM = (
    f"Chromium ({CHROMIUM}) is not installed: browser tests skipped. Install the Debian package 'chromium' to run them."
)
TEACHER_EMAIL = "teacher@example.org"
ADMIN_EMAIL = "admin@example.org"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
HERE = Path(__file__).resolve().parent


def chromium_available() -> bool:
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not chromium_available() and os.environ.get("CI") != "true":
        terminalreporter.write_sep("-", "browser tests")
        terminalreporter.write_line(MISSING_CHROMIUM)


@pytest.fixture(autouse=True)
def _transaction():
    """The suite's savepoint fixture is not for us: the live server has its own database."""
    yield


@pytest.fixture(scope="session", autouse=True)
def _require_chromium():
    if chromium_available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(
            f"Chromium ({CHROMIUM}) is not installed and CI=true: browser tests must run. "
            "Install the Debian package 'chromium'.",
            pytrace=False,
        )
    pytest.skip(MISSING_CHROMIUM)


# --- the live server ----------------------------------------------------------------------------------------------


class BrowserConfig(TestConfig):
    TESTING = False  # errors render as they would in production
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = False
    SERVER_NAME = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _exempt_apps_without_rate_limits() -> bool:
    from flask import current_app

    return not current_app.config.get("RATELIMIT_ENABLED", True)


class LiveServer:
    def __init__(self, app, port: int):
        self.app = app
        self.url = f"http://127.0.0.1:{port}"

    def user_id(self, email: str) -> int:
        from app.auth.models import User

        with self.app.app_context():
            return db.session.scalar(db.select(User.id).where(User.email == email))

    def user_name(self, email: str) -> str:
        from app.auth.models import User

        with self.app.app_context():
            return db.session.scalar(db.select(User.full_name).where(User.email == email))


@pytest.fixture(scope="session")
def live_server(_require_chromium, tmp_path_factory):
    # The limiter is one object shared by every app; its on/off switch is global, so keep the rest of the suite's
    # setting and exempt this app's requests through a filter that reads the serving app's own config.
    limiter_was_enabled = limiter.enabled
    database = tmp_path_factory.mktemp("browser") / "vmk.sqlite3"
    BrowserConfig.SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
    app = create_app(BrowserConfig)
    limiter.enabled = limiter_was_enabled
    limiter.request_filter(_exempt_apps_without_rate_limits)
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        db.session.remove()
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()
    yield LiveServer(app, port)
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


# --- Chromium -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(_require_chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Sessions:
    """Signed-in browser states by e-mail, made once through the real login form and reused by later contexts."""

    def __init__(self, browser, server: LiveServer):
        self.browser = browser
        self.server = server
        self._states: dict[str, dict] = {}

    def state(self, email: str) -> dict:
        if email not in self._states:
            context = self.browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow")
            page = context.new_page()
            sign_in(page, self.server.url, email)
            self._states[email] = context.storage_state()
            context.close()
        return self._states[email]

    def forget(self, email: str) -> None:
        """After a logout the user's sessions are void everywhere (session version rotated)."""
        self._states.pop(email, None)


def sign_in(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Электронная почта", exact=True).fill(email)
    page.get_by_label("Пароль", exact=True).fill(password)
    page.locator("main form").get_by_role("button", name="Войти").click()
    page.wait_for_load_state()


@pytest.fixture(scope="session")
def sessions(browser, live_server):
    return Sessions(browser, live_server)


@pytest.fixture
def new_context(browser, sessions):
    """`new_context(viewport=..., user=email, java_script_enabled=...)`: a fresh Russian, Moscow-time context."""
    contexts = []

    def make(*, viewport=DESKTOP, user: str | None = None, phone: bool = False, **options):
        if phone:
            options.update(is_mobile=True, has_touch=True)
        if user is not None:
            options["storage_state"] = sessions.state(user)
        context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=viewport, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


# --- axe-core -----------------------------------------------------------------------------------------------------

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page, source: str) -> list[dict]:
    # page.evaluate is not subject to the page's CSP, which forbids inline scripts.
    page.evaluate(source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS
    )
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(
                f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').splitlines()[-1:]}"
            )
            lines.append(f"        {node['html'][:200]}")
    return "\n".join(lines)
