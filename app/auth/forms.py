"""Input shapes for the account pages."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from app.auth.passwords import password_problem
from app.auth.services import find_user_by_email
from app.directory.choices import MultiCheckboxField, level_choices, school_choices, subject_choices
from app.i18n import is_valid_timezone

EMAIL_VALIDATOR = Email(_l("Введите корректный адрес электронной почты."), check_deliverability=False)

# Russia's zones, west to east, with the offset from Moscow that people actually use («МСК+4»).
RUSSIAN_TIMEZONES = [
    ("Europe/Kaliningrad", _l("Калининград (МСК−1)")),
    ("Europe/Moscow", _l("Москва (МСК)")),
    ("Europe/Volgograd", _l("Волгоград (МСК)")),
    ("Europe/Samara", _l("Самара (МСК+1)")),
    ("Europe/Saratov", _l("Саратов (МСК+1)")),
    ("Europe/Ulyanovsk", _l("Ульяновск (МСК+1)")),
    ("Europe/Astrakhan", _l("Астрахань (МСК+1)")),
    ("Asia/Yekaterinburg", _l("Екатеринбург (МСК+2)")),
    ("Asia/Omsk", _l("Омск (МСК+3)")),
    ("Asia/Novosibirsk", _l("Новосибирск (МСК+4)")),
    ("Asia/Barnaul", _l("Барнаул (МСК+4)")),
    ("Asia/Tomsk", _l("Томск (МСК+4)")),
    ("Asia/Novokuznetsk", _l("Новокузнецк (МСК+4)")),
    ("Asia/Krasnoyarsk", _l("Красноярск (МСК+4)")),
    ("Asia/Irkutsk", _l("Иркутск (МСК+5)")),
    ("Asia/Chita", _l("Чита (МСК+6)")),
    ("Asia/Yakutsk", _l("Якутск (МСК+6)")),
    ("Asia/Vladivostok", _l("Владивосток (МСК+7)")),
    ("Asia/Sakhalin", _l("Южно-Сахалинск (МСК+8)")),
    ("Asia/Magadan", _l("Магадан (МСК+8)")),
    ("Asia/Srednekolymsk", _l("Среднеколымск (МСК+8)")),
    ("Asia/Anadyr", _l("Анадырь (МСК+9)")),
    ("Asia/Kamchatka", _l("Петропавловск-Камчатский (МСК+9)")),
]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def strong_password(form, field) -> None:
    if problem := password_problem(field.data or ""):
        raise ValidationError(problem)


def valid_timezone(form, field) -> None:
    if not is_valid_timezone(field.data):
        raise ValidationError(_l("Выберите часовой пояс из списка."))


def email_field(label=None):
    return EmailField(
        label or _l("Электронная почта"),
        filters=[_strip],
        validators=[DataRequired(_l("Укажите адрес электронной почты.")), Length(max=254), EMAIL_VALIDATOR],
        render_kw={"autocomplete": "email"},
    )


def new_password_fields():
    """A new password and its repetition, with the rules checked beside the first."""
    password = PasswordField(
        _l("Новый пароль"),
        validators=[DataRequired(_l("Введите пароль.")), Length(max=200), strong_password],
        render_kw={"autocomplete": "new-password"},
    )
    password2 = PasswordField(
        _l("Пароль ещё раз"),
        validators=[
            DataRequired(_l("Повторите пароль.")),
            EqualTo("password", _l("Пароли не совпадают: введите один и тот же пароль дважды.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, password2


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Электронная почта"),
        validators=[DataRequired(_l("Укажите адрес электронной почты.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Пароль"),
        validators=[DataRequired(_l("Введите пароль."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Запомнить меня"))
    next = HiddenField()


class ProfileFieldsForm(FlaskForm):
    """What colleagues see about a person: shared by registration and the settings page."""

    full_name = StringField(
        _l("Фамилия, имя, отчество"),
        filters=[_strip],
        validators=[DataRequired(_l("Укажите фамилию, имя и отчество.")), Length(min=3, max=200)],
        render_kw={"autocomplete": "name"},
    )
    school_id = SelectField(_l("Образовательная организация"), validators=[Optional()], validate_choice=True)
    position = StringField(
        _l("Должность"),
        filters=[_strip],
        validators=[DataRequired(_l("Укажите должность.")), Length(max=200)],
        render_kw={"autocomplete": "organization-title"},
    )
    subjects = MultiCheckboxField(_l("Предметы"))
    levels = MultiCheckboxField(_l("Уровни образования"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_id.choices = school_choices(blank=str(_l("— нет в списке —")))
        self.subjects.choices = subject_choices()
        self.levels.choices = level_choices()

    def profile_data(self) -> dict:
        return {
            "full_name": self.full_name.data,
            "position": self.position.data,
            "school_id": self.school_id.data,
            "subject_ids": self.subjects.data,
            "levels": self.levels.data,
        }


class RegisterForm(ProfileFieldsForm):
    email = email_field()
    password, password2 = new_password_fields()
    consent = BooleanField(
        _l(
            "Я даю согласие на обработку моих персональных данных в соответствии с Федеральным законом "
            "от 27.07.2006 № 152-ФЗ «О персональных данных»"
        ),
        validators=[DataRequired(_l("Без согласия на обработку персональных данных регистрация невозможна."))],
    )

    def validate_email(self, field) -> None:
        if field.data and find_user_by_email(field.data) is not None:
            raise ValidationError(
                _l("Этот адрес уже зарегистрирован. Войдите или восстановите пароль, если забыли его.")
            )


class EmailForm(FlaskForm):
    """One address: for «send the link again» and «forgot password»."""

    email = email_field()


class PasswordResetForm(FlaskForm):
    password, password2 = new_password_fields()


def current_password_field():
    """The password the user has now: proof that the owner is at the keyboard before a change of credentials."""
    return PasswordField(
        _l("Текущий пароль"),
        validators=[DataRequired(_l("Введите текущий пароль."))],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordChangeForm(FlaskForm):
    current_password = current_password_field()
    password, password2 = new_password_fields()


class EmailChangeForm(FlaskForm):
    email = email_field(_l("Новый адрес электронной почты"))
    current_password = current_password_field()


class ConfirmForm(FlaskForm):
    """Only the CSRF token: confirming is a POST, so a mail scanner opening the link changes nothing."""


class SettingsForm(ProfileFieldsForm):
    locale = SelectField(_l("Язык интерфейса"))
    timezone = SelectField(_l("Часовой пояс"), validators=[DataRequired(), valid_timezone])

    def __init__(self, *args, current_timezone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = list(current_app.config["LANGUAGES"].items())
        zones = [(zone, str(label)) for zone, label in RUSSIAN_TIMEZONES]
        if current_timezone and is_valid_timezone(current_timezone) and current_timezone not in dict(zones):
            zones.insert(0, (current_timezone, current_timezone))  # a zone set elsewhere stays selectable
        self.timezone.choices = zones

    @classmethod
    def for_user(cls, user):
        data = {
            "full_name": user.full_name,
            "position": user.position,
            "school_id": str(user.school_id or ""),
            "subjects": [str(s.id) for s in user.subjects],
            "levels": [level.value for level in user.levels],
            "locale": user.locale,
            "timezone": user.timezone,
        }
        return cls(data=data, current_timezone=user.timezone)
