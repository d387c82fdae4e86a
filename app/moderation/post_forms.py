"""The moderator's form for hiding a post (its reason is shown to the author)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.moderation.posts import MAX_REASON


def _strip(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class HidePostForm(FlaskForm):
    reason = StringField(
        _l("Причина (её увидит автор)"),
        validators=[
            DataRequired(_l("Укажите причину: её увидит автор сообщения.")),
            Length(max=MAX_REASON, message=_l("Причина — не длиннее %(max)d символов.")),
        ],
        filters=[_strip],
    )
