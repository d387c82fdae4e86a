"""Input shapes of the consultation actions on a question."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional

from app.consultations.models import QuestionEventKind

CLOSE_REASONS = (QuestionEventKind.CLOSED_RESOLVED, QuestionEventKind.CLOSED_DUPLICATE,
                 QuestionEventKind.CLOSED_NOT_A_QUESTION)  # fmt: skip


class AssignForm(FlaskForm):
    methodist_id = IntegerField(_l("Методист"), validators=[DataRequired(_l("Выберите методиста."))])


class AcceptForm(FlaskForm):
    post_number = IntegerField(
        _l("Номер ответа"),
        validators=[DataRequired(_l("Укажите номер ответа.")), NumberRange(min=2, message=_l("Укажите номер ответа."))],
    )


class CloseForm(FlaskForm):
    reason = SelectField(_l("Как закрыть"), choices=[], validate_choice=False)
    # the original question: its address or its number
    duplicate_of = StringField(_l("Исходный вопрос (ссылка или номер темы)"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [(reason.value, reason.label) for reason in CLOSE_REASONS]
