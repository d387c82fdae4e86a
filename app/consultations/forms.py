"""Input shapes of the consultation actions on a question."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.consultations.models import QuestionEventKind
from app.consultations.services import RATING_COMMENT_LENGTH

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
        self.reason.choices = [SelectChoice(reason.value, reason.label) for reason in CLOSE_REASONS]


def _clean_text(value):
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


class RateForm(FlaskForm):
    """The asker's rating of a resolved consultation: helped or not, with an optional comment."""

    helped = RadioField(
        _l("Помогла ли консультация?"),
        choices=[SelectChoice("yes", _l("Да, помогла")), SelectChoice("no", _l("Нет, не помогла"))],
        validators=[InputRequired(_l("Выберите, помогла ли консультация."))],
        invalid_choice_message=_l("Выберите, помогла ли консультация."),
    )
    comment = TextAreaField(
        _l("Комментарий (необязательно)"),
        filters=[_clean_text],
        validators=[
            Optional(),
            Length(max=RATING_COMMENT_LENGTH, message=_l("Комментарий слишком длинный: не больше %(max)d знаков.")),
        ],
    )
