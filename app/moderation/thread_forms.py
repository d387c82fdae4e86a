"""Input shapes of the moderators' actions on a thread."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.discussions.editing import MAX_TITLE, MIN_TITLE
from app.moderation.posts import MAX_REASON

# (seconds, label): what the slow-mode select offers
SLOW_MODE_CHOICES = (
    (0, _l("выключен")),
    (30, _l("30 секунд")),
    (60, _l("1 минута")),
    (300, _l("5 минут")),
    (900, _l("15 минут")),
    (3600, _l("1 час")),
)


def _squeeze(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _reason_field(label, *, required: bool):
    checks = [DataRequired(_l("Укажите причину."))] if required else [Optional()]
    too_long = Length(max=MAX_REASON, message=_l("Причина длиннее %(max)d символов."))
    return StringField(label, filters=[_squeeze], validators=[*checks, too_long])


class ReasonForm(FlaskForm):
    """Pin, unpin, unlock, unhide: the reason is optional (it goes to the log)."""

    reason = _reason_field(_l("Причина (необязательно)"), required=False)


class RequiredReasonForm(FlaskForm):
    """Lock and hide: the reason is shown on the thread and told to its author."""

    reason = _reason_field(_l("Причина"), required=True)


class SlowModeForm(FlaskForm):
    seconds = SelectField(
        _l("Медленный режим"),
        coerce=int,
        choices=[SelectChoice(seconds, label) for seconds, label in SLOW_MODE_CHOICES],
        invalid_choice_message=_l("Выберите интервал медленного режима из списка."),
    )


class MoveForm(FlaskForm):
    association = SelectField(
        _l("Перенести в объединение"),
        coerce=int,
        choices=[],
        invalid_choice_message=_l("Выберите объединение из списка."),
    )
    reason = _reason_field(_l("Причина (необязательно)"), required=False)

    def __init__(self, *args, associations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.association.choices = [SelectChoice(a.id, a.name) for a in associations]


class MergeForm(FlaskForm):
    target = StringField(
        _l("Тема, в которую перенести сообщения (ссылка или номер)"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[DataRequired(_l("Укажите ссылку на тему или её номер.")), Length(max=2000)],
    )
    confirm = BooleanField(_l("Подтверждаю: сообщения увидят читатели другой темы"))
    reason = _reason_field(_l("Причина (необязательно)"), required=False)


class SplitForm(FlaskForm):
    title = StringField(
        _l("Заголовок новой темы"),
        filters=[_squeeze],
        validators=[
            DataRequired(_l("Укажите заголовок.")),
            Length(MIN_TITLE, MAX_TITLE, _l("Заголовок — от %(min)d до %(max)d символов.")),
        ],
    )
    reason = _reason_field(_l("Причина (необязательно)"), required=False)
