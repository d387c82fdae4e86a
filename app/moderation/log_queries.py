"""The moderation log as its pages show it: a page of lines, newest first, each with who acted, on what (a thread,
a post of a thread, a member) and why, read in one query plus the total (a fixed count, whatever the lines)."""

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import aliased

from app.associations.models import Association
from app.auth.models import User
from app.db import prepared, rows
from app.discussions.models import Post, Thread
from app.discussions.queries import ListPage, page_of
from app.moderation.models import ModerationAction, ModerationKind


@dataclass(frozen=True, slots=True)
class LogLine:
    created_at: datetime
    actor_name: str | None  # None: nobody's hand (hidden by reports) or the account is gone
    kind: ModerationKind
    reason: str
    details: str
    until: datetime | None  # a mute's end (its details hold it as ISO text), shown in the reader's zone
    post_number: int | None  # with thread_*: «сообщение № N в теме …»
    thread_title: str | None
    target_url: str | None  # the post or the thread
    member_name: str | None
    member_url: str | None
    association_name: str | None  # the site-wide log names the association
    association_url: str | None


_ACTOR, _MEMBER = aliased(User), aliased(User)


@prepared
def _log_statements(scoped: bool, by_kind: bool):
    """A page of lines and their total, for one association's log or the whole site's, of every kind or one."""
    conditions = []
    if scoped:
        conditions.append(ModerationAction.association_id == sa.bindparam("association_id"))
    if by_kind:
        kind_type = ModerationAction.__table__.c.kind.type
        conditions.append(ModerationAction.kind == sa.bindparam("kind", type_=kind_type))
    thread_id = sa.func.coalesce(Post.thread_id, ModerationAction.thread_id)  # a post's thread, where it is now
    lines = (
        sa.select(ModerationAction.created_at, ModerationAction.kind, ModerationAction.reason, ModerationAction.details,
                  ModerationAction.actor_id, ModerationAction.user_id, _ACTOR.full_name.label("actor_name"),
                  _MEMBER.full_name.label("member_name"), Post.number.label("post_number"),
                  Thread.id.label("thread_id"), Thread.title.label("thread_title"),
                  Association.name.label("association_name"), Association.slug.label("association_slug"))
        .outerjoin(_ACTOR, _ACTOR.id == ModerationAction.actor_id)
        .outerjoin(_MEMBER, _MEMBER.id == ModerationAction.user_id)
        .outerjoin(Post, Post.id == ModerationAction.post_id)
        .outerjoin(Thread, Thread.id == thread_id)
        .outerjoin(Association, Association.id == ModerationAction.association_id)
        .where(*conditions)
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )  # fmt: skip
    total = sa.select(sa.func.count()).select_from(ModerationAction).where(*conditions)
    return lines, total


def log_page(association: Association | None, kind: ModerationKind | None, page: int, per_page: int) -> ListPage:
    """One page of the log of `association` (None: the whole site), of one kind or all."""
    lines, total = _log_statements(association is not None, kind is not None)
    params = {"association_id": association.id if association else None, "kind": kind}
    count = rows(total, params).scalar_one()
    found = rows(lines, {**params, "offset": (page - 1) * per_page, "limit": per_page}).all()
    return ListPage([_line(row, site=association is None) for row in found], page, per_page, count)


def _until(row) -> datetime | None:
    try:
        moment = datetime.fromisoformat(row.details)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _line(row, *, site: bool) -> LogLine:
    target_url = None
    if row.thread_id is not None:
        if row.post_number is not None:
            page = page_of(row.post_number)
            target_url = url_for("discussions.thread_show", thread_id=row.thread_id, page=page if page > 1 else None,
                                 _anchor=f"post-{row.post_number}")  # fmt: skip
        else:
            target_url = url_for("discussions.thread_show", thread_id=row.thread_id)
    member_url = url_for("profiles.profile_show", user_id=row.user_id) if row.member_name is not None else None
    shows_association = site and row.association_slug is not None
    return LogLine(
        created_at=row.created_at,
        actor_name=row.actor_name,
        kind=ModerationKind(row.kind),
        reason=row.reason or "",
        details=row.details or "",
        until=_until(row) if row.kind == ModerationKind.MEMBER_MUTED else None,
        post_number=row.post_number if row.thread_id is not None else None,
        thread_title=row.thread_title,
        target_url=target_url,
        member_name=row.member_name,
        member_url=member_url,
        association_name=row.association_name if shows_association else None,
        association_url=url_for("associations.association_show", slug=row.association_slug)
        if shows_association
        else None,
    )
