"""Imports every feature's models so the metadata (create_all, Alembic autogenerate) sees all tables."""

import sqlalchemy as sa

from app.admin.models import AuditEntry
from app.associations.models import Association, AssociationLevel, Invitation, Membership
from app.auth.models import User, UserLevel
from app.consultations.models import AnswerEndorsement, KnowledgeEntry, Question, QuestionEvent
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
from app.mail.models import OutboxMessage, WorkerJob
from app.moderation.models import ModerationAction, Report
from app.notifications.models import Notification, NotificationPreference
from app.search.models import SearchDocument
from app.stamps import install as _install_stamp_triggers

__all__ = [
    "AnswerEndorsement", "Association", "AssociationLevel", "AssociationWatch", "Attachment", "AuditEntry", "Bookmark",
    "Draft", "Invitation", "KnowledgeEntry", "Membership", "Mention", "ModerationAction", "Notification",
    "NotificationPreference", "OutboxMessage", "Post", "PostRevision", "Question", "QuestionEvent", "Reaction",
    "Report", "School", "SearchDocument", "Subject", "Tag", "Thread", "ThreadReader", "User", "UserLevel",
    "WorkerJob",
]  # fmt: skip

_install_stamp_triggers(Association.metadata)  # create_all() makes the change-stamp triggers too (app/stamps.py)


def give_dialect_kwargs(metadata: sa.MetaData, dialect_name: str) -> None:
    """Give each index the options it keeps for one database (`info["dialect_kwargs"]`, e.g. `postgresql_where`),
    when the app's database is that one. Passed to `Index(...)` directly, SQLAlchemy would import every dialect named
    there to check them, at import: the PostgreSQL dialect costs a worker on SQLite ~4 MB (issue 3's memory budget).
    `create_app` calls this with its engine's dialect, before anything creates, compares or migrates a table."""
    prefix = f"{dialect_name}_"
    for table in metadata.tables.values():
        for index in table.indexes:
            for key, value in index.info.get("dialect_kwargs", {}).items():
                if key.startswith(prefix):
                    index.dialect_kwargs[key] = value
