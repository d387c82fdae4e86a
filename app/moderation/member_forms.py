"""Input shapes for moderating members and for pre-moderation."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_timezone, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.db import utcnow
from app.moderation.posts import MAX_REASON
from app.moderation.premoderation import MAX_HELD_POSTS

MUTE_DAYS = (1, 3, 7, 30)
MAX_MUTE_DAYS = 365
UNTIL_DATE = "date"
_REASON_LENGTH = Length(max=MAX_REASON, message=_l("Не больше %(max)d символов."))


def _days(n: int) -> SelectChoice:
    return SelectChoice(str(n), lazy_ngettext("%(num)d день", "%(num)d дней", n))


class MuteForm(FlaskForm):
    period = RadioField(
        _l("На какой срок"),
        choices=[*(_days(n) for n in MUTE_DAYS), SelectChoice(UNTIL_DATE, _l("до даты"))],
        default="1",
        validators=[InputRequired(_l("Выберите срок."))],
        invalid_choice_message=_l("Выберите срок."),
    )
    until = DateField(_l("Дата"), validators=[Optional()])
    reason = TextAreaField(
        _l("Причина"), validators=[DataRequired(_l("Укажите причину: её увидит участник.")), _REASON_LENGTH]
    )

    def validate(self, extra_validators=None) -> bool:
        """The date matters only for «до даты» (the field's own check lets an empty date pass)."""
        valid = super().validate(extra_validators)
        if self.period.data != UNTIL_DATE or self.until.errors:
            return valid
        today = _today()
        if self.until.data is None:
            self.until.errors = [_l("Укажите дату.")]
        elif not today < self.until.data <= today + timedelta(days=MAX_MUTE_DAYS):
            self.until.errors = [_l("Дата — не раньше завтрашней и не дальше чем через год.")]
        return valid and not self.until.errors

    def muted_until(self) -> datetime:
        """The end of the mute: a number of days from now, or the start of the chosen day in the user's time zone."""
        if self.period.data == UNTIL_DATE:
            return datetime.combine(self.until.data, time.min, tzinfo=_zone()).astimezone(UTC)
        return utcnow() + timedelta(days=int(self.period.data))


def _zone() -> ZoneInfo:
    return ZoneInfo(str(get_timezone()))  # Babel gives a pytz zone, whose offset `combine` would take wrongly


def _today() -> date:
    return utcnow().astimezone(_zone()).date()


class ReasonForm(FlaskForm):
    """A removal, a ban or a rejection: the person concerned is told why."""

    reason = StringField(
        _l("Причина"), validators=[DataRequired(_l("Укажите причину: её увидит участник.")), _REASON_LENGTH]
    )


class RejectForm(FlaskForm):
    reason = StringField(
        _l("Причина отказа"),
        validators=[DataRequired(_l("Укажите причину: её увидит автор сообщения.")), _REASON_LENGTH],
    )


class OptionalReasonForm(FlaskForm):
    """Lifting a mute or a ban, approving: a reason may be given."""

    reason = StringField(_l("Комментарий"), validators=[Optional(), _REASON_LENGTH])


class PremoderationForm(FlaskForm):
    posts = IntegerField(
        _l("Сколько первых сообщений нового участника проверять"),
        validators=[
            InputRequired(_l("Укажите число от 0 до %(max)d.", max=MAX_HELD_POSTS)),
            NumberRange(0, MAX_HELD_POSTS, _l("Укажите число от 0 до %(max)d.", max=MAX_HELD_POSTS)),
        ],
    )
