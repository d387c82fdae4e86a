"""Imports every feature's models so the metadata (create_all, Alembic autogenerate) sees all tables."""

from app.admin.models import AuditEntry
from app.associations.models import Association, AssociationLevel, Invitation, Membership
from app.auth.models import User, UserLevel
from app.directory.models import School, Subject
from app.discussions.models import (
    AssociationWatch,
    Attachment,
    Bookmark,
    Draft,
    Mention,
    Post,
    PostRevision,
    Reaction,
    Tag,
    Thread,
    ThreadReader,
)
from app.search.models import SearchDocument

__all__ = [
    "Association", "AssociationLevel", "AssociationWatch", "Attachment", "AuditEntry", "Bookmark", "Draft",
    "Invitation", "Membership", "Mention", "Post", "PostRevision", "Reaction", "School", "SearchDocument", "Subject",
    "Tag", "Thread", "ThreadReader", "User", "UserLevel",
]  # fmt: skip
