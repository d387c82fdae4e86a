"""The notification settings form: a delivery per category the user can receive, the digest's hour, pause."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField
from wtforms.validators import InputRequired

from app.notifications.kinds import Category, Delivery

NOT_CHOSEN = _l("Выберите, как присылать эти уведомления.")


def settings_form(categories: list[Category], deliveries: dict, *, digest_hour: int | None, paused: bool,
                  default_hour: int):  # fmt: skip
    """A form made for these categories (a field `delivery_<category>` each), filled with the user's choices."""

    class NotificationSettingsForm(FlaskForm):
        email_paused = BooleanField(_l("Приостановить все письма (уведомления на сайте останутся)"))
        digest_hour = SelectField(_l("Когда присылать ежедневную сводку"), validators=[InputRequired()])

    for category in categories:
        field = RadioField(
            category.label,
            choices=[(delivery.value, delivery.label) for delivery in Delivery],
            validators=[InputRequired(NOT_CHOSEN)],
            description=category.hint,
        )
        setattr(NotificationSettingsForm, f"delivery_{category.value}", field)
    data = {f"delivery_{c.value}": deliveries[c].value for c in categories}
    data["email_paused"] = paused
    data["digest_hour"] = str(digest_hour if digest_hour is not None else default_hour)
    form = NotificationSettingsForm(data=data)  # on POST, Flask-WTF reads the request instead
    form.digest_hour.choices = [(str(hour), f"{hour:02d}:00") for hour in range(24)]
    form.category_fields = [(category, form[f"delivery_{category.value}"]) for category in categories]
    return form


def chosen_deliveries(form, categories: list[Category]) -> dict[Category, Delivery]:
    return {category: Delivery(form[f"delivery_{category.value}"].data) for category in categories}
