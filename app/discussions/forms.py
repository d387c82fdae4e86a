"""Input shapes for threads and replies."""

import uuid
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.directory.choices import level_choices, subject_choices
from app.directory.models import EducationLevel
from app.discussions.models import ThreadKind
from app.discussions.services import MAX_TAGS, parse_tags

MAX_BODY = 50_000
BODY_HINT = _l(
    "Markdown: **жирный**, *курсив*, списки, таблицы, > цитата. "
    "Упомянуть участника: @[Фамилия Имя Отчество] — он получит уведомление."
)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _token() -> str:
    return uuid.uuid4().hex


def _body_field():
    return TextAreaField(
        _l("Текст"),
        validators=[
            DataRequired(_l("Напишите текст сообщения.")),
            Length(max=MAX_BODY, message=_l("Не больше %(max)d символов.")),
        ],
        filters=[_strip],
    )


class ThreadForm(FlaskForm):
    title = StringField(
        _l("Заголовок"),
        validators=[
            DataRequired(_l("Укажите заголовок темы.")),
            Length(min=5, max=200, message=_l("Заголовок — от %(min)d до %(max)d символов.")),
        ],
        filters=[_strip],
    )
    kind = RadioField(_l("Вид темы"), default=ThreadKind.DISCUSSION.value, validate_choice=False)
    body = _body_field()
    tags = StringField(_l("Метки"), validators=[Optional(), Length(max=300)], filters=[_strip])
    # No Optional() on these two: it would stop the chain before the kind-dependent checks below.
    url = URLField(_l("Адрес ссылки"), validators=[Length(max=2000)], filters=[_strip])
    experience_grade = StringField(_l("Класс или уровень"), validators=[Length(max=100)], filters=[_strip])
    experience_method = StringField(_l("Технология или метод"), validators=[Optional(), Length(max=200)])
    # Questions: what the consultation is about, so that it reaches the methodists of that subject and level.
    question_subject = SelectField(_l("Предмет"), choices=[], validate_choice=False)
    question_level = SelectField(_l("Уровень образования"), choices=[], validate_choice=False)
    question_grade = StringField(_l("Класс"), validators=[Optional(), Length(max=40)], filters=[_strip])
    question_topic = StringField(_l("Тема рабочей программы"), validators=[Optional(), Length(max=200)],
                                 filters=[_strip])  # fmt: skip
    private = BooleanField(_l("Скрыть вопрос от участников объединения"))
    submission_token = HiddenField(default=_token)

    def __init__(self, *args, kinds: list[ThreadKind], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, k.label) for k in kinds]
        self.question_subject.choices = [("", _l("— выберите —")), *subject_choices()]
        self.question_level.choices = [("", _l("— выберите —")), *level_choices()]
        if not self.submission_token.data:
            self.submission_token.data = _token()

    def validate_kind(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Выберите вид темы из списка."))

    def validate_tags(self, field):
        if len(parse_tags(field.data or "")) > MAX_TAGS:
            raise ValidationError(_l("Не больше %(n)d меток.", n=MAX_TAGS))

    def validate_url(self, field):
        if self.kind.data != ThreadKind.LINK.value:
            return
        if not field.data:
            raise ValidationError(_l("Для темы-ссылки укажите адрес."))
        parts = urlsplit(field.data)
        if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
            raise ValidationError(_l("Укажите адрес, начинающийся с http:// или https://."))

    def validate_question_subject(self, field):
        if self.kind.data == ThreadKind.QUESTION.value and field.data not in {v for v, _l in field.choices if v}:
            raise ValidationError(_l("Выберите предмет вопроса."))

    def validate_question_level(self, field):
        if self.kind.data == ThreadKind.QUESTION.value and field.data not in {level.value for level in EducationLevel}:
            raise ValidationError(_l("Выберите уровень образования."))

    def validate_private(self, field):
        if field.data and self.kind.data != ThreadKind.QUESTION.value:
            raise ValidationError(
                _l("Скрыть от участников можно только вопрос: выберите вид «вопрос» или снимите отметку.")
            )

    @property
    def question_details(self) -> dict:
        """What a question carries besides its text (consultations read it when the thread is created)."""
        if self.kind.data != ThreadKind.QUESTION.value:
            return {}
        return {"subject_id": int(self.question_subject.data), "level": EducationLevel(self.question_level.data),
                "grade": self.question_grade.data or "", "topic": self.question_topic.data or ""}  # fmt: skip

    def validate_experience_grade(self, field):
        if self.kind.data == ThreadKind.EXPERIENCE.value and not (field.data or "").strip():
            raise ValidationError(_l("Укажите класс или уровень, для которого этот опыт."))


class ReplyForm(FlaskForm):
    body = _body_field()
    reply_to = HiddenField()
    submission_token = HiddenField(default=_token)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.submission_token.data:
            self.submission_token.data = _token()

    def validate_reply_to(self, field):
        if field.data and not str(field.data).isdigit():
            raise ValidationError(_l("Можно отвечать только на сообщения этой темы."))

    @property
    def reply_to_id(self) -> int | None:
        return int(self.reply_to.data) if self.reply_to.data and str(self.reply_to.data).isdigit() else None
