"""Cross-cutting security: response headers, cookies, open redirects, CSRF on every POST route, SECRET_KEY."""

import re

import pytest
from werkzeug.routing import IntegerConverter, PathConverter, UUIDConverter

from app import create_app
from app.auth.models import Role
from app.security import safe_next
from config import Config, ProductionConfig
from tests.factories import make_user

CSRF_MESSAGE = "Форма устарела или отправлена не с этого сайта"


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.partition(" ")[2] for part in (p.strip() for p in policy.split(";")) if part}


def _assert_security_headers(response) -> None:
    csp = _csp(response)
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")


# --- headers on every kind of response ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/login", 200),
        ("GET", "/privacy", 200),
        ("GET", "/static/css/site.css", 200),
        ("GET", "/no-such-page", 404),
        ("GET", "/logout", 405),
        ("POST", "/language", 302),
    ],
    ids=["html-page", "form-page", "static-page", "static-file", "not-found", "method-not-allowed", "redirect"],
)
def test_security_headers_on_every_response_kind(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    _assert_security_headers(response)


def test_security_headers_on_the_csrf_error_page(client, csrf):
    response = client.post("/login", data={"email": "x@example.org", "password": "x"})
    assert response.status_code == 400
    _assert_security_headers(response)


def test_security_headers_on_a_signed_in_page(client, login):
    login(make_user())
    response = client.get("/")
    assert response.status_code == 200
    _assert_security_headers(response)


def test_security_headers_on_a_forbidden_page(client, login):
    login(make_user())
    response = client.get("/admin/")
    assert response.status_code == 403
    _assert_security_headers(response)


# --- cookies -----------------------------------------------------------------------------------------------------


def _set_cookie(response, name: str) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert cookies, response.headers.getlist("Set-Cookie")
    return cookies[-1]


def test_session_cookie_is_httponly_and_samesite_lax(client, login):
    response = login(make_user())
    cookie = _set_cookie(response, "session")
    assert "HttpOnly" in cookie
    assert re.search(r"SameSite=Lax", cookie, re.IGNORECASE)


def test_remember_cookie_is_httponly_and_samesite_lax(client, login):
    response = login(make_user(), remember=True)
    cookie = _set_cookie(response, "remember_token")
    assert "HttpOnly" in cookie
    assert re.search(r"SameSite=Lax", cookie, re.IGNORECASE)


def test_language_cookie_is_httponly_and_samesite_lax(client):
    cookie = _set_cookie(client.post("/language", data={"locale": "en"}), "vmk_locale")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure_only():
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True


# --- open redirects ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("//evil.example", "/"),
        ("///evil.example", "/"),
        ("https://evil.example/", "/"),
        ("http:evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        (" javascript:alert(1)", "/"),
        ("/\t/evil.example", "/"),
        ("/\r\nLocation: https://evil.example", "/"),
        ("  /ok", "/ok"),
        ("/associations/?page=2#list", "/associations/?page=2#list"),
        ("", "/"),
        (None, "/"),
        ("associations", "/"),
        ("../admin", "/"),
    ],
    ids=[
        "protocol-relative", "triple-slash", "absolute-url", "scheme-without-slashes", "slash-backslash",
        "double-backslash", "javascript", "javascript-after-space", "tab-between-slashes", "header-injection",
        "leading-spaces", "own-path-with-query", "empty", "none", "relative", "dot-dot",
    ],
)  # fmt: skip
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_safe_next_uses_the_given_default():
    assert safe_next("//evil.example", "/home") == "/home"


def test_login_does_not_redirect_off_site(client):
    user = make_user()
    response = client.post(
        "/login", data={"email": user.email, "password": "correct-horse-battery-42", "next": "//evil.example"}
    )
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]


# --- CSRF on every POST route ------------------------------------------------------------------------------------


def _dummy_value(converter):
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return "00000000-0000-0000-0000-000000000000"
    if isinstance(converter, PathConverter):
        return "x/y"
    return "x"


def _post_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        values = {name: _dummy_value(rule._converters[name]) for name in rule.arguments}
        urls.append(rule.build(values, append_unknown=False)[1])
    return sorted(set(urls))


@pytest.fixture
def admin_with_csrf(request, client, login):
    login(make_user(Role.ADMIN))
    request.getfixturevalue("csrf")  # after signing in: the login form itself had no token
    return client


def test_there_are_post_routes_to_check(app):
    assert "/language" in _post_urls(app)
    assert "/logout" in _post_urls(app)


# Routes a signature in their URL authenticates instead of the session: RFC 8058's one-click unsubscribe is a POST from
# the recipient's mail program, which has no form of ours. A bad signature changes nothing
# (tests/notifications/test_email.py).
SIGNED_LINK_ROUTES = {"/unsubscribe/x"}


def test_every_post_route_refuses_a_missing_csrf_token(app, admin_with_csrf):
    refused = {}
    for url in _post_urls(app):
        if url in SIGNED_LINK_ROUTES:
            assert admin_with_csrf.post(url, data={"field": "value"}).status_code == 400  # the signature is bad
            continue
        response = admin_with_csrf.post(url, data={"field": "value"})
        refused[url] = (response.status_code, CSRF_MESSAGE in response.get_data(as_text=True))
    assert refused == dict.fromkeys(refused, (400, True))


def test_a_post_with_a_wrong_csrf_token_is_refused(admin_with_csrf):
    response = admin_with_csrf.post("/language", data={"locale": "en", "csrf_token": "forged"})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    _assert_security_headers(response)


def test_a_post_with_the_page_csrf_token_is_accepted(admin_with_csrf):
    html = admin_with_csrf.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = admin_with_csrf.post("/language", data={"locale": "en", "csrf_token": token})
    assert response.status_code == 302


# --- SECRET_KEY ---------------------------------------------------------------------------------------------------


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setenv("VMK_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": "", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_config_class_without_secret_key_is_refused():
    config = type("NoSecretProduction", (ProductionConfig,), {"SECRET_KEY": "", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_development_without_secret_key_gets_a_development_key():
    config = type("NoSecretDevelopment", (Config,), {"SECRET_KEY": "", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app = create_app(config)
    assert app.config["ENV_NAME"] != "production"
    assert app.config["SECRET_KEY"]


# --- e-mail headers -----------------------------------------------------------------------------------------------


def test_a_line_break_in_an_email_subject_cannot_add_headers(app, smtp):
    from app.extensions import db
    from app.mailer import queue_email

    with app.test_request_context("/"):
        queue_email("teacher@example.org", "Заявка от «Иванова\r\nBcc: evil@example.org»", "auth/email/_footer")
        db.session.commit()
    (message,) = smtp.wait(1)
    assert message["Subject"] == "Заявка от «Иванова Bcc: evil@example.org»"
    assert message["Bcc"] is None
    assert [str(a) for a in message["To"].addresses] == ["teacher@example.org"]
