"""The audit log: every admin action with who, when, what and why."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import UTCDateTime, utcnow
from app.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)  # e.g. "user.approve"
    target_type: Mapped[str] = mapped_column(sa.String(40))  # "user" | "school" | "association" | ...
    target_id: Mapped[int | None]
    target_label: Mapped[str] = mapped_column(sa.String(300), default="")  # what it was called at the time
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[str] = mapped_column(sa.Text, default="")  # human-readable "field: old → new"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        label = AUDIT_ACTIONS.get(self.action)
        return str(label) if label is not None else self.action


# Every action the admin area writes, with the words the audit log shows for it.
AUDIT_ACTIONS = {
    "user.approve": _l("Одобрение учётной записи"),
    "user.set_role": _l("Смена роли"),
    "user.suspend": _l("Блокировка"),
    "user.reactivate": _l("Разблокировка"),
    "school.create": _l("Добавление организации"),
    "school.update": _l("Изменение организации"),
    "subject.create": _l("Добавление предмета"),
    "subject.update": _l("Изменение предмета"),
    "association.create": _l("Создание объединения"),
    "association.update": _l("Изменение объединения"),
    "association.archive": _l("Архивирование объединения"),
    "association.unarchive": _l("Возврат объединения из архива"),
    "association.leader_add": _l("Назначение руководителя"),
    "association.leader_remove": _l("Снятие руководителя"),
    "mail.retry": _l("Повторная отправка письма"),
}
