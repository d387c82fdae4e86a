"""Input shapes for the association pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Form, SearchField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.associations.models import AssociationKind
from app.directory.choices import level_choices, school_choices, subject_choices


class FilterForm(Form):
    """The catalogue's GET filters. A value that is not one of the choices is dropped, never an error page."""

    q = SearchField(_l("Название"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Вид"), validators=[Optional()])
    subject = SelectField(_l("Предмет"), validators=[Optional()])
    level = SelectField(_l("Уровень образования"), validators=[Optional()])
    school = SelectField(_l("Образовательная организация"), validators=[Optional()])

    def __init__(self, formdata):
        super().__init__(formdata)
        anything = ("", str(_l("Все")))
        self.kind.choices = [anything] + [(k.value, k.label) for k in AssociationKind]
        self.subject.choices = [anything, *subject_choices()]
        self.level.choices = [anything, *level_choices()]
        self.school.choices = school_choices(blank=str(_l("Все")))

    def cleaned(self) -> dict:
        """The valid filters as query arguments; anything invalid is reset to «all»."""
        self.validate()
        for field in (self.q, self.kind, self.subject, self.level, self.school):
            if field.errors:
                field.data, field.errors = "", []
        return {
            "q": (self.q.data or "").strip(),
            "kind": self.kind.data or None,
            "subject_id": int(self.subject.data) if self.subject.data else None,
            "level": self.level.data or None,
            "school_id": int(self.school.data) if self.school.data else None,
        }


class JoinForm(FlaskForm):
    message = TextAreaField(
        _l("Сообщение руководителю"),
        validators=[Optional(), Length(max=500, message=_l("Не больше %(max)d символов."))],
    )


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Электронная почта педагога"),
        validators=[
            DataRequired(_l("Укажите адрес электронной почты.")),
            Length(max=254, message=_l("Не больше %(max)d символов.")),
            Email(_l("Введите корректный адрес электронной почты."), check_deliverability=False),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"autocomplete": "off"},
    )
