"""The moderation log's filter: which kind of action (a GET form, no CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.moderation.models import ModerationKind


class LogFilterForm(FlaskForm):
    class Meta:
        csrf = False

    kind = SelectField(_l("Действие"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pairs = [("", str(_l("Все действия"))), *((kind.value, kind.label) for kind in ModerationKind)]
        self.kind.choices = [SelectChoice(value, label) for value, label in pairs]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.kind.errors:
            self.kind.errors = [str(_l("Такого вида действий нет: показаны все записи."))]
        return valid

    @property
    def chosen_kind(self) -> ModerationKind | None:
        """The kind asked for, once the form is valid (an unknown value makes it invalid: WTForms checks choices)."""
        return ModerationKind(self.kind.data) if self.kind.data and not self.kind.errors else None
