"""The search page's GET form. A filter value that is not one of the choices is dropped with a message beside it;
the query itself is never invalid (whatever the user types is searched for, or explained)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, SearchField, SelectField, StringField
from wtforms.validators import Length, Optional

from app.associations.models import Association
from app.associations.queries import visible_to
from app.directory.choices import level_choices, subject_choices
from app.directory.models import EducationLevel
from app.discussions.models import ThreadKind
from app.discussions.services import normalize_tag
from app.extensions import db
from app.search.queries import SearchFilters


class _DayField(DateField):
    """A date from the browser's date picker (ГГГГ-ММ-ДД) or typed by hand (ДД.ММ.ГГГГ), with a Russian message."""

    def __init__(self, label, **kwargs):
        super().__init__(label, format=["%Y-%m-%d", "%d.%m.%Y"], validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("Введите дату в виде ДД.ММ.ГГГГ."))) from error


class SearchForm(Form):
    q = SearchField(_l("Что найти"))
    association = SelectField(_l("Объединение"), validators=[Optional()])
    kind = SelectField(_l("Вид темы"), validators=[Optional()])
    author = StringField(_l("Автор"), validators=[Optional(), Length(max=200)])
    tag = StringField(_l("Метка"), validators=[Optional(), Length(max=40)])
    level = SelectField(_l("Уровень образования"), validators=[Optional()])
    subject = SelectField(_l("Предмет"), validators=[Optional()])
    date_from = _DayField(_l("С даты"))
    date_to = _DayField(_l("По дату"))
    status = SelectField(
        _l("Вопросы"),
        choices=[("", _l("Все")), ("solved", _l("решённые")), ("unsolved", _l("нерешённые"))],
        default="",
        validators=[Optional()],
    )
    sort = SelectField(
        _l("Порядок"),
        choices=[("relevance", _l("сначала подходящие")), ("newest", _l("сначала новые"))],
        default="relevance",
        validators=[Optional()],
    )

    FILTERS = ("association", "kind", "author", "tag", "level", "subject", "date_from", "date_to", "status")

    def __init__(self, formdata, user):
        super().__init__(formdata)
        anything = ("", str(_l("Все")))
        readable = db.session.execute(_readable_associations(user)).all()
        self.association.choices = [anything] + [(str(row.id), row.name) for row in readable]
        self.kind.choices = [anything] + [(k.value, k.label) for k in ThreadKind]
        self.level.choices = [anything, *level_choices()]
        self.subject.choices = [anything, *subject_choices()]

    def cleaned(self) -> SearchFilters | None:
        """The filters, or None when one of them is wrong (its message is shown beside it)."""
        self.validate()
        for field in (self.association, self.kind, self.level, self.subject, self.status, self.sort):
            if field.errors:  # not one of the choices (an old link, a hand-made URL): dropped, as «all»
                field.data, field.errors = field.default or "", []
        if self.date_from.data and self.date_to.data and self.date_from.data > self.date_to.data:
            self.date_to.errors = [*self.date_to.errors, str(_l("Эта дата раньше начальной."))]
        if self.has_errors:
            return None
        return SearchFilters(
            association_id=int(self.association.data) if self.association.data else None,
            kind=ThreadKind(self.kind.data) if self.kind.data else None,
            author=(self.author.data or "").strip() or None,
            tag=normalize_tag(self.tag.data or "") or None,
            level=EducationLevel(self.level.data) if self.level.data else None,
            subject_id=int(self.subject.data) if self.subject.data else None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            status=self.status.data or None,
            sort=self.sort.data if self.sort.data in ("relevance", "newest") else "relevance",
        )

    @property
    def has_errors(self) -> bool:
        return any(field.errors for field in self)

    @property
    def has_filters(self) -> bool:
        return any(getattr(self, name).data for name in self.FILTERS)


def _readable_associations(user):
    return (
        db.select(Association.id, Association.name)
        .where(visible_to(user))
        .order_by(Association.archived_at.is_not(None), Association.name)
    )
