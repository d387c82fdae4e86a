"""The daily digest's section about discussions: new threads in the associations a user belongs to, that the user has
not opened, newest first. Notifications know nothing of discussions; `init_app` registers this in
`notifications.digest.DIGEST_SECTIONS`."""

from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from app.associations.models import Association, Membership, MembershipStatus
from app.auth.models import User
from app.discussions.models import AssociationWatch, Thread, ThreadReader, WatchLevel
from app.discussions.privacy import private_visible
from app.extensions import db
from app.notifications.digest import DigestEntry, DigestSection
from app.notifications.kinds import Category

LIMIT = 10


def new_threads(user: User, since: datetime) -> DigestSection | None:
    """Threads started since `since` in the user's associations (not muted there), visible to the user, by others,
    and not opened yet: at most LIMIT, and how many more. Two queries."""
    mine = sa.select(Membership.association_id).where(
        Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE
    )
    muted = sa.select(AssociationWatch.association_id).where(
        AssociationWatch.user_id == user.id, AssociationWatch.level == WatchLevel.MUTED
    )
    opened = sa.select(ThreadReader.thread_id).where(ThreadReader.user_id == user.id, ThreadReader.last_read_number > 0)
    condition = sa.and_(
        Thread.association_id.in_(mine),
        Thread.association_id.not_in(muted),
        Thread.created_at > since,
        Thread.deleted_at.is_(None),
        Thread.hidden_at.is_(None),
        Thread.held_at.is_(None),
        Thread.merged_into_id.is_(None),
        sa.or_(Thread.author_id.is_(None), Thread.author_id != user.id),
        Thread.id.not_in(opened),
        private_visible(user),
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Thread).where(condition))
    if not total:
        return None
    found = db.session.execute(
        sa.select(Thread.id, Thread.title, Thread.created_at, Thread.kind, Association.name.label("association"),
                  User.full_name.label("author"))
        .join(Association, Association.id == Thread.association_id)
        .outerjoin(User, User.id == Thread.author_id)
        .where(condition)
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(LIMIT)
    ).all()  # fmt: skip
    entries = [
        DigestEntry(
            title=row.title,
            path=url_for("discussions.thread_show", thread_id=row.id),
            meta=" · ".join(part for part in (row.association, row.kind.label, row.author or "") if part),
            at=row.created_at,
        )
        for row in found
    ]
    return DigestSection(str(_l("Новые темы в ваших объединениях")), entries, total - len(entries),
                         Category.ASSOCIATION)  # fmt: skip


def init_app(app) -> None:
    from app.notifications.digest import DIGEST_SECTIONS

    if new_threads not in DIGEST_SECTIONS:
        DIGEST_SECTIONS.append(new_threads)
