"""Error pages in Russian, for browsers; never a bare traceback."""

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

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


def render_error(code: int, message: str | None = None):
    return render_template("errors/error.html", code=code, title=TITLES.get(code, _("Ошибка")), message=message), code


def init_app(app) -> None:
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, lambda exc, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, _("Форма устарела или отправлена не с этого сайта. Обновите страницу и повторите."))

    @app.errorhandler(500)
    def internal_error(exc):
        db.session.rollback()
        return render_error(500)
