"""Input shapes of reports: a member's report of a post, and a moderator's decision on a post's reports."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from app.moderation.models import ReportOutcome, ReportReason
from app.moderation.posts import MAX_REASON

MAX_COMMENT = 1000
MUTE_DAYS = (1, 3, 7, 30)


def _clean_text(value):
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _one_line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class ReportForm(FlaskForm):
    reason = RadioField(
        _l("Что не так с сообщением?"),
        choices=[],
        validators=[InputRequired(_l("Выберите причину жалобы."))],
        invalid_choice_message=_l("Выберите причину жалобы."),
    )
    comment = TextAreaField(
        _l("Комментарий для модераторов"),
        filters=[_clean_text],
        validators=[Length(max=MAX_COMMENT, message=_l("Комментарий слишком длинный: не больше %(max)d знаков."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # made per form, so that the labels are in the request's language
        self.reason.choices = [SelectChoice(reason.value, reason.label) for reason in ReportReason]

    def validate_comment(self, field) -> None:
        if self.reason.data == ReportReason.OTHER.value and not field.data:
            raise ValidationError(_l("Опишите, что не так: для причины «другое» комментарий обязателен."))


def mute_choices() -> list[SelectChoice]:
    labels = {1: _l("на 1 день"), 3: _l("на 3 дня"), 7: _l("на 7 дней"), 30: _l("на 30 дней")}
    return [SelectChoice(str(days), labels[days]) for days in MUTE_DAYS]


class ResolveForm(FlaskForm):
    """One post's reports: dismiss, hide the post, or hide it and mute its author (the button pressed says which)."""

    outcome = StringField(
        validators=[AnyOf([outcome.value for outcome in ReportOutcome], message=_l("Выберите решение."))]
    )
    reason = StringField(
        _l("Причина (её увидит автор)"),
        filters=[_one_line],
        validators=[Length(max=MAX_REASON, message=_l("Причина слишком длинная: не больше %(max)d знаков."))],
    )
    mute_days = SelectField(_l("Запретить автору писать"), choices=[], default="1", validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mute_days.choices = mute_choices()

    def validate_reason(self, field) -> None:
        if self.outcome.data != ReportOutcome.DISMISSED.value and not field.data:
            raise ValidationError(_l("Укажите причину: её увидит автор сообщения."))

    def validate_mute_days(self, field) -> None:
        if self.outcome.data == ReportOutcome.HIDDEN_MUTED.value and field.data not in {str(d) for d in MUTE_DAYS}:
            raise ValidationError(_l("Выберите срок: 1, 3, 7 или 30 дней."))

    @property
    def chosen(self) -> ReportOutcome:
        return ReportOutcome(self.outcome.data)
