"""Input shapes of the knowledge base: its GET filters, and the summary title a methodist publishes or edits."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, SearchField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.directory.choices import level_choices, subject_choices
from app.directory.models import EducationLevel


def _one_line(value):
    """Spaces and line breaks inside a title become single spaces."""
    return " ".join(value.split()) if isinstance(value, str) else value


@dataclass(frozen=True)
class Filters:
    q: str = ""
    subject_id: int | None = None
    level: EducationLevel | None = None

    def __bool__(self) -> bool:
        return bool(self.q or self.subject_id or self.level)


class KnowledgeFilterForm(Form):
    """The list's GET filters. A value that is not one of the choices is dropped, never an error page."""

    q = SearchField(_l("Слова из заголовка"), validators=[Optional(), Length(max=200)], filters=[_one_line])
    subject = SelectField(_l("Предмет"), validators=[Optional()])
    level = SelectField(_l("Уровень образования"), validators=[Optional()])

    def __init__(self, formdata):
        super().__init__(formdata)
        anything = ("", str(_l("Все")))
        self.subject.choices = [anything, *subject_choices()]
        self.level.choices = [anything, *level_choices()]

    def cleaned(self) -> Filters:
        self.validate()
        for field in (self.q, self.subject, self.level):
            if field.errors:
                field.data, field.errors = "", []
        return Filters(
            q=self.q.data or "",
            subject_id=int(self.subject.data) if self.subject.data else None,
            level=EducationLevel(self.level.data) if self.level.data else None,
        )


class TitleForm(FlaskForm):
    title = StringField(
        _l("Краткий заголовок"),
        validators=[
            DataRequired(_l("Укажите краткий заголовок.")),
            Length(min=5, max=200, message=_l("Краткий заголовок — от %(min)d до %(max)d символов.")),
        ],
        filters=[_one_line],
    )

    def first_error(self) -> str:
        return next((str(error) for errors in self.errors.values() for error in errors), "")


class PublishForm(TitleForm):
    # a public question's publisher may leave out the asker's name; a private one's is always left out
    hide_asker = BooleanField(_l("Не показывать имя автора вопроса"))
