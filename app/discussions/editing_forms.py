"""Input shapes for editing a post."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.discussions.editing import MAX_BODY, MAX_TITLE, MIN_TITLE, normalize_text


class PostEditForm(FlaskForm):
    title = StringField(
        _l("Заголовок темы"),
        validators=[
            DataRequired(_l("Укажите заголовок.")),
            Length(MIN_TITLE, MAX_TITLE, _l("Заголовок — от %(min)d до %(max)d символов.")),
        ],
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
    )
    body = TextAreaField(
        _l("Текст сообщения"),
        validators=[
            DataRequired(_l("Напишите текст сообщения.")),
            Length(max=MAX_BODY, message=_l("Сообщение длиннее %(max)d символов.")),
        ],
        filters=[lambda v: normalize_text(v) if isinstance(v, str) else v],
        render_kw={"rows": 14},
    )

    def __init__(self, *args, opening: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not opening:
            del self.title
