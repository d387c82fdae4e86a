"""An address that bounces: marked by the mail worker or `flask mail bounce`, a warning on every page that costs no
query, and «Адрес исправлен — попробовать снова», which lifts the mark and sends a test message through real SMTP."""

import re
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from app.auth import services
from app.extensions import db
from tests.auth.conftest import link_path, user_by_email
from tests.conftest import _free_port, body_text
from tests.factories import PASSWORD, make_user

BANNER = "не доставляются"
REASON = "550 5.2.2 <ivanova@example.org>: mailbox full"


def bounced_user(email="ivanova@example.org", reason=REASON):
    user = make_user(email=email)
    assert services.mark_email_bounced(email, reason)
    return user


def signed_in(app, user):
    browser = app.test_client()
    assert browser.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return browser


# --- marking ---------------------------------------------------------------------------------------------------


def test_mark_email_bounced_finds_the_account_in_any_letter_case():
    user = make_user(email="ivanova@example.org")
    assert services.mark_email_bounced("  IVANOVA@example.org ", "550 no\nsuch user") is True
    stored = user_by_email("ivanova@example.org")
    assert stored.id == user.id
    assert stored.email_bounced_at is not None
    assert stored.email_bounce_reason == "550 no such user"  # one line: it is shown inside a sentence
    assert services.mark_email_bounced("nobody@example.org", "550") is False


def test_clear_email_bounce():
    user = bounced_user()
    services.clear_email_bounce(user)
    stored = user_by_email(user.email)
    assert stored.email_bounced_at is None and stored.email_bounce_reason == ""


def test_cli_marks_an_address(app):
    make_user(email="ivanova@example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "bounce", "Ivanova@Example.org"])
    assert result.exit_code == 0, result.output
    stored = user_by_email("ivanova@example.org")
    assert stored.email_bounced_at is not None
    assert "адрес не существует" in stored.email_bounce_reason  # the command's default reason

    result = runner.invoke(args=["mail", "bounce", "ivanova@example.org", "--reason", "ящик переполнен"])
    assert result.exit_code == 0, result.output
    assert user_by_email("ivanova@example.org").email_bounce_reason == "ящик переполнен"


def test_cli_refuses_an_unknown_address(app):
    result = app.test_cli_runner().invoke(args=["mail", "bounce", "nobody@example.org"])
    assert result.exit_code != 0
    assert "No account with the address nobody@example.org" in result.output


# --- the warning on every page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/settings", "/notifications", "/search?q=дроби"])
def test_the_warning_shows_on_every_page_for_the_bounced_user(app, path):
    browser = signed_in(app, bounced_user())
    html = browser.get(path).get_data(as_text=True)
    assert (
        "Письма на адрес ivanova@example.org не доставляются: 550 5.2.2 &lt;ivanova@example.org&gt;: mailbox full. "
        "Исправьте адрес или проверьте почтовый ящик." in html
    )
    assert 'href="/settings/email"' in html


def test_the_reason_is_text_not_html(app):
    browser = signed_in(app, bounced_user(reason='<script>alert(1)</script><a href="x">'))
    html = browser.get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_no_warning_for_others(app, client):
    bounced_user()
    browser = signed_in(app, make_user(email="petrova@example.org"))
    assert BANNER not in browser.get("/").get_data(as_text=True)
    assert BANNER not in client.get("/").get_data(as_text=True)  # visitors


@pytest.mark.parametrize("path", ["/", "/settings"])
def test_the_warning_costs_no_query(app, count_queries, path):
    browsers = {"bounced": signed_in(app, bounced_user()), "normal": signed_in(app, make_user())}
    counts = {}
    for name, browser in browsers.items():
        browser.get(path)  # anything a first request prepares
        with count_queries() as counted:
            html = browser.get(path).get_data(as_text=True)
        assert (BANNER in html) == (name == "bounced")
        counts[name] = counted.count
    assert counts["bounced"] == counts["normal"]


# --- «Адрес исправлен — попробовать снова» -------------------------------------------------------------------


def test_retry_lifts_the_mark_and_a_test_message_arrives(app, smtp):
    user = bounced_user()
    browser = signed_in(app, user)
    page = browser.get("/settings/email").get_data(as_text=True)
    assert "Адрес исправлен — попробовать снова" in page
    assert 'action="/settings/email/retry"' in page

    response = browser.post("/settings/email/retry")
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/email"
    page = browser.get("/settings/email").get_data(as_text=True)
    assert "Мы отправили проверочное письмо на ivanova@example.org" in page
    assert BANNER not in page and "Адрес исправлен — попробовать снова" not in page
    stored = user_by_email(user.email)
    assert stored.email_bounced_at is None and stored.email_bounce_reason == ""

    (message,) = smtp.to(user.email)
    assert "Проверка доставки писем" in message["Subject"]
    assert "снова доходят" in body_text(message)


def test_retry_without_a_bounce_sends_nothing(app, smtp):
    browser = signed_in(app, make_user(email="petrova@example.org"))
    response = browser.post("/settings/email/retry")
    assert response.status_code == 302
    assert "доставляются, проверять нечего" in browser.get("/settings/email").get_data(as_text=True)
    assert smtp.messages == []


def test_retry_needs_a_csrf_token(app, smtp, request):
    user = bounced_user()
    browser = signed_in(app, user)
    request.getfixturevalue("csrf")  # on from here, as in production
    assert browser.post("/settings/email/retry").status_code == 400
    assert user_by_email(user.email).email_bounced_at is not None
    assert smtp.messages == []

    page = browser.get("/settings/email").get_data(as_text=True)
    token = re.search(r'action="/settings/email/retry">\s*<input id="csrf_token" name="csrf_token" type="hidden" '
                      r'value="([^"]+)"', page).group(1)  # fmt: skip
    assert browser.post("/settings/email/retry", data={"csrf_token": token}).status_code == 302
    assert user_by_email(user.email).email_bounced_at is None


def test_retry_is_rate_limited(app):
    user = bounced_user()
    browser = signed_in(app, user)
    for _ in range(5):
        services.mark_email_bounced(user.email, REASON)
        db.session.flush()
        assert browser.post("/settings/email/retry").status_code == 302
    assert browser.post("/settings/email/retry").status_code == 429


# --- a real refusal: the mark comes back ------------------------------------------------------------------------


class _RefusingHandler:
    """An SMTP server whose mailboxes in `refused` do not exist (550 at RCPT, as a real server answers)."""

    def __init__(self):
        self.refused: set[str] = set()
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 OK"


@pytest.fixture
def refusing_smtp(app):
    handler = _RefusingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    try:
        yield handler
    finally:
        app.config.update(saved)
        controller.stop()


def run_mail_worker(app):
    from app.mail.outbox import deliver_due

    with app.app_context():
        return deliver_due()


def test_a_retry_that_bounces_again_brings_the_warning_back(app, refusing_smtp):
    user = bounced_user(reason="старая причина")
    browser = signed_in(app, user)
    refusing_smtp.refused.add(user.email)
    browser.post("/settings/email/retry")
    assert user_by_email(user.email).email_bounced_at is None

    outcome = run_mail_worker(app)
    assert outcome.failed == 1 and refusing_smtp.received == []
    stored = user_by_email(user.email)
    assert stored.email_bounced_at is not None
    assert "550" in stored.email_bounce_reason and "User unknown" in stored.email_bounce_reason
    html = browser.get("/").get_data(as_text=True)
    assert f"Письма на адрес {user.email} не доставляются: 550 5.1.1" in html


def test_a_refused_new_address_does_not_mark_the_current_one(app, refusing_smtp):
    user = make_user(email="ivanova@example.org")
    browser = signed_in(app, user)
    refusing_smtp.refused.add("opechatka@example.org")
    response = browser.post("/settings/email", data={"email": "opechatka@example.org", "current_password": PASSWORD})
    assert response.status_code == 302
    outcome = run_mail_worker(app)
    assert (outcome.sent, outcome.failed) == (1, 1)  # the notice to the current address went, the link did not
    assert [str(m["To"]) for m in refusing_smtp.received] == ["ivanova@example.org"]
    assert user_by_email("ivanova@example.org").email_bounced_at is None


def test_changing_the_address_ends_the_warning(app, smtp):
    user = bounced_user()
    browser = signed_in(app, user)
    assert (
        browser.post("/settings/email", data={"email": "new@example.org", "current_password": PASSWORD}).status_code
        == 302
    )
    smtp.wait(2)
    (link,) = smtp.to("new@example.org")
    path = link_path(link)
    assert BANNER in browser.get("/").get_data(as_text=True)  # until the new address is confirmed
    assert browser.post(path).status_code == 302
    assert BANNER not in browser.get("/").get_data(as_text=True)
    assert user_by_email("new@example.org").email_bounced_at is None
