"""Input shapes for the account pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, Length


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


EMAIL_VALIDATOR = Email(_l("Введите корректный адрес электронной почты."), check_deliverability=False)
