"""Reference data every feature shares: schools (образовательные организации), subjects, education levels."""

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, enum_column, utcnow
from app.extensions import db


class EducationLevel(enum.StrEnum):
    PRESCHOOL = "preschool"
    PRIMARY = "primary"
    BASIC = "basic"
    SECONDARY = "secondary"

    @property
    def short_label(self) -> str:
        return str(_LEVEL_SHORT[self])

    @property
    def label(self) -> str:
        return str(_LEVEL_LABELS[self])


_LEVEL_SHORT = {
    EducationLevel.PRESCHOOL: _l("ДО"),
    EducationLevel.PRIMARY: _l("НОО"),
    EducationLevel.BASIC: _l("ООО"),
    EducationLevel.SECONDARY: _l("СОО"),
}
_LEVEL_LABELS = {
    EducationLevel.PRESCHOOL: _l("Дошкольное образование"),
    EducationLevel.PRIMARY: _l("Начальное общее образование"),
    EducationLevel.BASIC: _l("Основное общее образование"),
    EducationLevel.SECONDARY: _l("Среднее общее образование"),
}


class SchoolKind(enum.StrEnum):
    KINDERGARTEN = "kindergarten"
    SCHOOL = "school"
    LYCEUM = "lyceum"
    GYMNASIUM = "gymnasium"
    SUPPLEMENTARY = "supplementary"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(_SCHOOL_KIND_LABELS[self])


_SCHOOL_KIND_LABELS = {
    SchoolKind.KINDERGARTEN: _l("детский сад"),
    SchoolKind.SCHOOL: _l("школа"),
    SchoolKind.LYCEUM: _l("лицей"),
    SchoolKind.GYMNASIUM: _l("гимназия"),
    SchoolKind.SUPPLEMENTARY: _l("учреждение дополнительного образования"),
    SchoolKind.OTHER: _l("другая организация"),
}


class School(db.Model):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    short_name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[SchoolKind] = mapped_column(enum_column(SchoolKind))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    def __repr__(self) -> str:
        return f"<School {self.short_name}>"


class Subject(db.Model):
    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)

    def __repr__(self) -> str:
        return f"<Subject {self.slug}>"
