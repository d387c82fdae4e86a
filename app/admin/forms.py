"""Input shapes of the admin area. Uniqueness and cross-record rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.admin.models import AUDIT_ACTIONS
from app.associations.models import AssociationKind, JoinPolicy, Visibility
from app.auth.forms import EMAIL_VALIDATOR
from app.auth.models import Role, UserStatus
from app.directory.choices import MultiCheckboxField, level_choices, school_choices, subject_choices
from app.directory.models import SchoolKind

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MESSAGE = _l("Только строчные латинские буквы, цифры и дефисы между ними, например: rmo-matematiki.")
REASON_LENGTH = Length(max=1000, message=_l("Не больше 1000 символов."))


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' SelectChoice (raw tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class FilterForm(FlaskForm):
    """A GET form for list filters: no CSRF token, values from the query string."""

    class Meta:
        csrf = False


# --- people -------------------------------------------------------------------------------------------------------


class UserFilterForm(FilterForm):
    q = StringField(_l("Имя или e-mail"), validators=[Optional(), Length(max=100)], filters=[_strip])
    role = SelectField(_l("Роль"), validators=[Optional()])
    status = SelectField(_l("Статус"), validators=[Optional()])
    school = SelectField(_l("Организация"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = choices([("", _l("Все роли")), *((r.value, r.label) for r in Role)])
        self.status.choices = choices([("", _l("Все статусы")), *((s.value, s.label) for s in UserStatus)])
        self.school.choices = choices(school_choices(blank=str(_l("Все организации"))))


class ReasonForm(FlaskForm):
    """An action that takes an optional reason, kept in the audit log."""

    reason = TextAreaField(
        _l("Причина (необязательно)"), validators=[Optional(), REASON_LENGTH], filters=[_strip], render_kw={"rows": 2}
    )


class RequiredReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Причина"),
        validators=[DataRequired(_l("Укажите причину.")), REASON_LENGTH],
        filters=[_strip],
        render_kw={"rows": 2},
    )


class RoleForm(ReasonForm):
    role = SelectField(_l("Роль"), choices=choices((r.value, r.label) for r in Role))


# --- schools and subjects -----------------------------------------------------------------------------------------


class SchoolForm(FlaskForm):
    name = StringField(
        _l("Полное название"),
        validators=[DataRequired(_l("Укажите название организации.")), Length(max=300)],
        filters=[_strip],
    )
    short_name = StringField(
        _l("Краткое название"),
        validators=[DataRequired(_l("Укажите краткое название, например: СОШ № 1.")), Length(max=100)],
        filters=[_strip],
    )
    kind = SelectField(_l("Тип организации"), choices=choices((k.value, k.label) for k in SchoolKind))


class SubjectForm(FlaskForm):
    name = StringField(
        _l("Название"), validators=[DataRequired(_l("Укажите название предмета.")), Length(max=100)], filters=[_strip]
    )
    slug = StringField(
        _l("Адрес (slug)"),
        validators=[Optional(), Length(max=60), Regexp(SLUG_PATTERN, message=SLUG_MESSAGE)],
        filters=[_strip],
    )


# --- associations -------------------------------------------------------------------------------------------------


class AssociationFilterForm(FilterForm):
    q = StringField(_l("Название"), validators=[Optional(), Length(max=100)], filters=[_strip])
    state = SelectField(
        _l("Состояние"),
        choices=choices([("", _l("Все")), ("active", _l("Действующие")), ("archived", _l("В архиве"))]),
        validators=[Optional()],
    )


class AssociationForm(FlaskForm):
    name = StringField(
        _l("Название"),
        validators=[DataRequired(_l("Укажите название объединения.")), Length(max=200)],
        filters=[_strip],
    )
    slug = StringField(
        _l("Адрес (slug)"),
        validators=[Optional(), Length(max=80), Regexp(SLUG_PATTERN, message=SLUG_MESSAGE)],
        filters=[_strip],
    )
    description = TextAreaField(_l("Описание"), validators=[Optional(), Length(max=20000)], render_kw={"rows": 8})
    kind = SelectField(_l("Вид"), choices=choices((k.value, k.label) for k in AssociationKind))
    visibility = SelectField(_l("Видимость"), choices=choices((v.value, v.label) for v in Visibility))
    join_policy = SelectField(_l("Вступление"), choices=choices((p.value, p.label) for p in JoinPolicy))
    school_id = SelectField(_l("Организация"), default="")
    subject_ids = MultiCheckboxField(_l("Предметы"))
    levels = MultiCheckboxField(_l("Уровни образования"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_id.choices = choices(school_choices(blank=str(_l("— не указана —"))))
        self.subject_ids.choices = choices(subject_choices())
        self.levels.choices = choices(level_choices())

    def validate_school_id(self, field):
        if self.kind.data == AssociationKind.SCHOOL.value and not field.data:
            raise ValidationError(_l("Для школьного МО укажите организацию."))

    def validate_join_policy(self, field):
        # A members-only association is invisible to outsiders, so nobody could find it to ask to join.
        if self.visibility.data == Visibility.MEMBERS.value and field.data != JoinPolicy.INVITATION.value:
            raise ValidationError(_l("В закрытое объединение (только для участников) вступают лишь по приглашению."))

    @classmethod
    def data_of(cls, association) -> dict:
        return {
            "name": association.name,
            "slug": association.slug,
            "description": association.description,
            "kind": association.kind.value,
            "visibility": association.visibility.value,
            "join_policy": association.join_policy.value,
            "school_id": str(association.school_id or ""),
            "subject_ids": [str(s.id) for s in association.subjects],
            "levels": [level.value for level in association.levels],
        }


class LeaderForm(ReasonForm):
    """Pick a leader among the members, or name anyone by e-mail."""

    user_id = SelectField(_l("Участник объединения"), validators=[Optional()])
    email = StringField(
        _l("Или e-mail пользователя"),
        validators=[Optional(), Length(max=254), EMAIL_VALIDATOR],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.email.data and not self.user_id.data:
            self.email.errors.append(_l("Выберите участника или укажите e-mail."))
            return False
        return valid


# --- audit log ----------------------------------------------------------------------------------------------------


class AuditFilterForm(FilterForm):
    action = SelectField(
        _l("Действие"), choices=choices([("", _l("Все действия")), *AUDIT_ACTIONS.items()]), validators=[Optional()]
    )
    actor = SelectField(_l("Кто"), validators=[Optional()])
