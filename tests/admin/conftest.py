"""Helpers for the admin-area tests: a signed-in admin, fresh reads, the audit entries written."""

import pytest

from app.admin.models import AuditEntry
from app.auth.models import Role
from app.extensions import db
from tests.factories import make_user


@pytest.fixture
def admin(client, login):
    """An admin, signed in on the test client."""
    user = make_user(role=Role.ADMIN, full_name="Администратор Ольга Викторовна")
    login(user)
    return user


def text(response) -> str:
    return response.get_data(as_text=True)


def fresh(obj):
    """The object re-read from the database (what a later request would see)."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def audit_entries(action: str | None = None) -> list[AuditEntry]:
    stmt = db.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.scalars(stmt))


def only_audit(action: str) -> AuditEntry:
    entries = audit_entries(action)
    assert len(entries) == 1, [(e.action, e.target_label) for e in audit_entries()]
    return entries[0]
