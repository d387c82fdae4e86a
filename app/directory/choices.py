"""Form choices from the reference data, and a multi-select rendered as checkboxes (works without JavaScript)."""

from wtforms import SelectMultipleField, widgets

from app.directory.models import EducationLevel, School, Subject
from app.extensions import db


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def subject_choices() -> list[tuple[str, str]]:
    return [(str(s.id), s.name) for s in db.session.scalars(db.select(Subject).order_by(Subject.name))]


def school_choices(blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(str(s.id), s.short_name) for s in db.session.scalars(db.select(School).order_by(School.short_name))]
    return ([("", blank)] if blank is not None else []) + choices


def level_choices() -> list[tuple[str, str]]:
    return [(level.value, f"{level.short_label} — {level.label}") for level in EducationLevel]


def subjects_by_ids(ids) -> list[Subject]:
    wanted = [int(i) for i in ids or () if str(i).isdigit()]
    if not wanted:
        return []
    return list(db.session.scalars(db.select(Subject).where(Subject.id.in_(wanted)).order_by(Subject.name)))
