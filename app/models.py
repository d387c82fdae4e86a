"""Imports every feature's models so the metadata (create_all, Alembic autogenerate) sees all tables."""

from app.admin.models import AuditEntry
from app.associations.models import Association, AssociationLevel, Invitation, Membership
from app.auth.models import User, UserLevel
from app.directory.models import School, Subject

__all__ = [
    "Association", "AssociationLevel", "AuditEntry", "Invitation", "Membership", "School", "Subject", "User",
    "UserLevel",
]  # fmt: skip
