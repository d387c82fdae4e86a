"""The outbox page's filter (a GET form: no CSRF token)."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from app.admin.forms import FilterForm, choices

SHOWN = {"failed": _l("Не доставленные"), "queued": _l("Ждут отправки"), "all": _l("Все письма")}


class OutboxFilterForm(FilterForm):
    status = SelectField(_l("Показать"), choices=choices(SHOWN.items()), default="failed", validators=[Optional()])
