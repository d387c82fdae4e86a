"""Error pages in Russian, for browsers; never a bare traceback."""

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db

TITLES = {
    400: _l("Неверный запрос"),
    403: _l("Доступ запрещён"),
    404: _l("Страница не найдена"),
    405: _l("Метод не разрешён"),
    413: _l("Слишком большой запрос"),
    429: _l("Слишком много попыток"),
    500: _l("Внутренняя ошибка"),
}


def render_error(code: int, message: str | None = None, headers=()):
    page = render_template("errors/error.html", code=code, title=TITLES.get(code, _("Ошибка")), message=message)
    return page, code, list(headers)


def _http_error(exc: HTTPException, code: int):
    # Keep what the exception says beyond its body: Allow on 405, Retry-After on 429 (RFC 9110).
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return render_error(code, headers=headers)


def init_app(app) -> None:
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, lambda exc, code=code: _http_error(exc, code))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, _("Форма устарела или отправлена не с этого сайта. Обновите страницу и повторите."))

    @app.errorhandler(500)
    def internal_error(exc):
        db.session.rollback()
        return render_error(500)
