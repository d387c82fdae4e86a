"""Error pages: Russian, in the site layout, never a traceback."""

import pytest
from flask import abort

from app import create_app
from config import TestConfig


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_unknown_url_shows_the_russian_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = _page(response)
    assert '<html lang="ru">' in html
    assert "Страница не найдена" in html
    assert "Такой страницы нет" in html
    assert 'href="/"' in html  # a way back home
    assert response.mimetype == "text/html"


def test_wrong_method_shows_the_russian_405_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Метод не разрешён" in _page(response)
    assert "POST" in response.headers["Allow"]


@pytest.fixture
def failing_app():
    """A separate app whose test-only routes fail, with exceptions handled as in production."""
    app = create_app(TestConfig)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test-only/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    @app.get("/test-only/forbidden")
    def forbidden():
        abort(403)

    @app.post("/test-only/too-large")
    def too_large():
        abort(413)

    @app.get("/test-only/too-many")
    def too_many():
        abort(429)

    return app


def test_unhandled_exception_renders_the_russian_500_page(failing_app):
    response = failing_app.test_client().get("/test-only/boom")
    assert response.status_code == 500
    html = _page(response)
    assert '<html lang="ru">' in html
    assert "Внутренняя ошибка" in html
    assert "Что-то пошло не так" in html
    assert "secret internal detail" not in html
    assert "Traceback" not in html
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_500_page_leaves_the_app_usable(failing_app):
    client = failing_app.test_client()
    client.get("/test-only/boom")
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "text"),
    [
        ("GET", "/test-only/forbidden", 403, "Доступ запрещён"),
        ("POST", "/test-only/too-large", 413, "Слишком большой запрос"),
        ("GET", "/test-only/too-many", 429, "Слишком много попыток"),
    ],
    ids=["403", "413", "429"],
)
def test_other_errors_have_russian_pages(failing_app, method, path, status, text):
    response = failing_app.test_client().open(path, method=method)
    assert response.status_code == status
    assert text in _page(response)


def test_rate_limited_login_shows_the_russian_429_page_with_retry_after(client):
    for _ in range(10):
        client.post("/login", data={"email": "nobody@example.org", "password": "wrong-password"})
    response = client.post("/login", data={"email": "nobody@example.org", "password": "wrong-password"})
    assert response.status_code == 429
    assert "Слишком много попыток" in _page(response)
    assert int(response.headers["Retry-After"]) > 0
