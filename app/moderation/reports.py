"""Reports of posts: a member reports a post, reports hide it automatically (three members, or pupils' personal
data) until a moderator decides, and the association's leaders (admins everywhere) resolve all the open reports on a
post at once: dismiss, hide the post, or hide it and mute its author. The queue's reads are here too, a fixed number
of queries whatever the number of reports, and the «Пожаловаться» link on the thread page's posts.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from app import policy
from app.associations.models import Association, Membership
from app.auth.models import User
from app.db import rows, utcnow
from app.discussions.engagement import post_url
from app.discussions.models import Post, Thread
from app.discussions.post_cards import PostLink, PostMarks, PostMarkSource, _InThread
from app.discussions.queries import ListPage, UrlPattern, excerpt
from app.extensions import db
from app.moderation import leader_notices, members
from app.moderation.log import record
from app.moderation.models import ModerationKind, Report, ReportOutcome, ReportReason
from app.moderation.posts import ModerationError, clean_reason, hide_post, is_auto_hidden, unhide_post
from app.notifications.services import notify
from app.policy import PermissionDenied

AUTO_HIDE_REPORTERS = 3  # different members with open reports on a post hide it until a moderator decides
PER_PAGE = 20
RESOLVED_SHOWN = 50
EXCERPT = 300
# Stored as the post's hidden reason (data, like a moderator's own words: kept in the site's language).
AUTO_HIDE_REASON = "Скрыто по жалобам участников до проверки"
PUPILS_DATA_REASON = "Скрыто до проверки: жалоба на персональные данные учеников"


class AlreadyReported(ModerationError):
    """One report per member and post."""


# --- reporting --------------------------------------------------------------------------------------------------


def has_reported(user, post: Post) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(Report.post_id == post.id, Report.reporter_id == user.id)))


def report_post(reporter, post: Post, *, reason: ReportReason, comment: str = "") -> Report:
    """A member's report of a post, to the moderators of the post's association; hides the post at once for pupils'
    personal data, or when it makes AUTO_HIDE_REPORTERS different members with open reports."""
    # The post's row lock orders reports of one post (PostgreSQL): the count below sees every one before it.
    db.session.execute(sa.select(Post.id).where(Post.id == post.id).with_for_update())
    if has_reported(reporter, post):
        raise AlreadyReported(_("Вы уже пожаловались на это сообщение."))
    report = Report(post_id=post.id, association_id=post.thread.association_id, reporter_id=reporter.id,
                    reason=ReportReason(reason), comment=(comment or "").strip()[:1000])  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:
        raise AlreadyReported(_("Вы уже пожаловались на это сообщение.")) from None
    if report.reason == ReportReason.PUPILS_DATA:
        hide_post(None, post, PUPILS_DATA_REASON)
    elif _open_reporters(post) >= AUTO_HIDE_REPORTERS:
        hide_post(None, post, AUTO_HIDE_REASON)
    leader_notices.reported(reporter, report, post)
    return report


def _open_reporters(post: Post) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Report.reporter_id))).where(
            Report.post_id == post.id, Report.resolved_at.is_(None)
        )
    )


# --- resolving --------------------------------------------------------------------------------------------------


def author_membership(post: Post) -> Membership | None:
    """The author's membership in the post's association (what muting acts on)."""
    if post.author_id is None:
        return None
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == post.author_id, Membership.association_id == post.thread.association_id
        )
    )


def resolve_reports(actor, post: Post, *, outcome: ReportOutcome, reason: str = "", mute_days: int = 0) -> int:
    """Decide on every open report of the post at once; each reporter is told the outcome. Returns how many reports
    were resolved. Dismissing shows again a post that reports hid automatically; hiding takes the hide over."""
    reason = clean_reason(reason)
    if outcome != ReportOutcome.DISMISSED and not reason:
        raise ModerationError(_("Укажите причину: её увидит автор сообщения."))
    membership = author_membership(post) if outcome == ReportOutcome.HIDDEN_MUTED else None
    if outcome == ReportOutcome.HIDDEN_MUTED and (membership is None or not policy.can_mute_member(actor, membership)):
        raise PermissionDenied(_("Этого автора нельзя лишить права писать в объединении."))
    closed = _close_reports(actor, post, outcome)
    if not closed:
        raise ModerationError(_("Жалобы на это сообщение уже рассмотрены."))
    summary = ", ".join(f"{ReportReason(r).label} × {n}" for r, n in Counter(row.reason for row in closed).items())
    if outcome == ReportOutcome.DISMISSED:
        record(actor, ModerationKind.REPORT_DISMISSED, post=post, user=post.author, reason=reason, details=summary)
        if is_auto_hidden(post):
            unhide_post(actor, post, reason)
    else:
        record(actor, ModerationKind.REPORT_UPHELD, post=post, user=post.author, reason=reason, details=summary)
        hide_post(actor, post, reason)
    if membership is not None:
        members.mute_member(actor, membership, until=utcnow() + timedelta(days=mute_days), reason=reason)
    _tell_reporters(actor, post, outcome, [row.reporter_id for row in closed])
    return len(closed)


def _close_reports(actor, post: Post, outcome: ReportOutcome) -> list:
    """Mark the post's open reports resolved, in one statement: a concurrent decision finds none left."""
    return db.session.execute(
        sa.update(Report)
        .where(Report.post_id == post.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id, outcome=outcome)
        .returning(Report.reporter_id, Report.reason),
        execution_options={"synchronize_session": False},
    ).all()


def _tell_reporters(actor, post: Post, outcome: ReportOutcome, reporter_ids: list) -> None:
    thread = post.thread
    reporters = db.session.scalars(sa.select(User).where(User.id.in_([i for i in reporter_ids if i is not None])))
    for reporter in reporters:
        notify(reporter, "report_resolved", actor=actor, association_id=thread.association_id, thread_id=thread.id,
               post_id=post.id, outcome=outcome.value, thread_title=thread.title, post_number=post.number)  # fmt: skip


# --- the queue --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenReport:
    reason: ReportReason
    comment: str
    reporter_name: str | None  # None: the reporter's account is gone
    created_at: datetime


@dataclass(frozen=True)
class ReportedPost:
    """A post with open reports, as the queue shows it."""

    id: int
    number: int
    thread_id: int
    thread_title: str
    association_slug: str
    association_name: str
    author_id: int | None
    author_name: str | None
    excerpt: str
    hidden: bool
    auto_hidden: bool
    deleted: bool
    first_reported_at: datetime
    reports: tuple[OpenReport, ...]
    may_mute: bool  # the reader may hide the post and mute its author

    @property
    def url(self) -> str:
        return post_url(self.thread_id, self.number)

    @property
    def reasons(self) -> list[tuple[ReportReason, int]]:
        """Each reason with how many reports give it, the most given first."""
        return Counter(report.reason for report in self.reports).most_common()

    @property
    def default_reason(self) -> str:
        """The hide reason the form suggests: the reports' reasons."""
        labels = ", ".join(reason.label for reason, _n in self.reasons)
        return _("Жалобы участников: %(reasons)s", reasons=labels)

    @property
    def reporter_names(self) -> list[str]:
        return [r.reporter_name if r.reporter_name is not None else _("удалённый пользователь") for r in self.reports]


@dataclass(frozen=True)
class ResolvedCase:
    """One decision on a post's reports."""

    post_id: int
    number: int
    thread_id: int
    thread_title: str
    association_name: str
    outcome: ReportOutcome
    count: int
    resolved_at: datetime
    resolver_name: str | None

    @property
    def url(self) -> str:
        return post_url(self.thread_id, self.number)


def _scope(association: Association | None):
    return Report.association_id == association.id if association is not None else sa.true()


def open_reports(user, association: Association | None, page: int) -> ListPage:
    """The posts with open reports in the association (everywhere: None), oldest report first: four queries."""
    grouped = (
        sa.select(Report.post_id, sa.func.min(Report.created_at).label("first_at"))
        .where(Report.resolved_at.is_(None), _scope(association))
        .group_by(Report.post_id)
        .subquery()
    )
    total = rows(sa.select(sa.func.count()).select_from(grouped)).scalar()
    author = aliased(User)
    found = rows(
        sa.select(grouped.c.post_id, grouped.c.first_at, Post.number, Post.body_html, Post.hidden_at,
                  Post.hidden_by_id, Post.held_at, Post.deleted_at, Post.author_id, Thread.id.label("thread_id"),
                  Thread.title, Thread.association_id, Association.slug, Association.name,
                  author.full_name.label("author_name"))
        .join(Post, Post.id == grouped.c.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Association, Association.id == Thread.association_id)
        .outerjoin(author, author.id == Post.author_id)
        .order_by(grouped.c.first_at, grouped.c.post_id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()  # fmt: skip
    reports = _open_reports_of([row.post_id for row in found])
    mutable = _mutable_authors(user, found)
    items = [_reported_post(row, reports.get(row.post_id, ()), mutable) for row in found]
    return ListPage(items, page, PER_PAGE, total)


def _open_reports_of(post_ids: list[int]) -> dict[int, tuple[OpenReport, ...]]:
    if not post_ids:
        return {}
    found = rows(
        sa.select(Report.post_id, Report.reason, Report.comment, Report.created_at, User.full_name)
        .outerjoin(User, User.id == Report.reporter_id)
        .where(Report.post_id.in_(post_ids), Report.resolved_at.is_(None))
        .order_by(Report.created_at, Report.id)
    )
    by_post: dict[int, tuple[OpenReport, ...]] = {}
    for row in found:
        by_post[row.post_id] = (*by_post.get(row.post_id, ()), OpenReport(row.reason, row.comment, row.full_name,
                                                                           row.created_at))  # fmt: skip
    return by_post


def _mutable_authors(user, found) -> set[tuple[int, int]]:
    """(author id, association id) of the page's authors the reader may mute (one query)."""
    pairs = {(row.author_id, row.association_id) for row in found if row.author_id is not None}
    if not pairs:
        return set()
    memberships = db.session.scalars(
        sa.select(Membership)
        .options(joinedload(Membership.association))
        .where(Membership.user_id.in_({a for a, _ in pairs}), Membership.association_id.in_({s for _, s in pairs}))
    )
    return {(m.user_id, m.association_id) for m in memberships if policy.can_mute_member(user, m)}


def _reported_post(row, reports: tuple[OpenReport, ...], mutable: set) -> ReportedPost:
    return ReportedPost(
        id=row.post_id, number=row.number, thread_id=row.thread_id, thread_title=row.title,
        association_slug=row.slug, association_name=row.name, author_id=row.author_id, author_name=row.author_name,
        excerpt=excerpt(row, EXCERPT), hidden=row.hidden_at is not None, auto_hidden=is_auto_hidden(row),
        deleted=row.deleted_at is not None, first_reported_at=row.first_at, reports=reports,
        may_mute=(row.author_id, row.association_id) in mutable,
    )  # fmt: skip


def resolved_cases(association: Association | None) -> list[ResolvedCase]:
    """The last RESOLVED_SHOWN decisions on reports in the association (everywhere: None), newest first (one query)."""
    decided = (
        sa.select(Report.post_id, Report.resolved_at, Report.outcome, Report.resolved_by_id,
                  sa.func.count().label("count"))
        .where(Report.resolved_at.is_not(None), _scope(association))
        .group_by(Report.post_id, Report.resolved_at, Report.outcome, Report.resolved_by_id)
        .order_by(Report.resolved_at.desc(), Report.post_id.desc())
        .limit(RESOLVED_SHOWN)
        .subquery()
    )  # fmt: skip
    resolver = aliased(User)
    found = rows(
        sa.select(decided, Post.number, Thread.id.label("thread_id"), Thread.title, Association.name,
                  resolver.full_name.label("resolver_name"))
        .join(Post, Post.id == decided.c.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Association, Association.id == Thread.association_id)
        .outerjoin(resolver, resolver.id == decided.c.resolved_by_id)
        .order_by(decided.c.resolved_at.desc(), decided.c.post_id.desc())
    )  # fmt: skip
    return [
        ResolvedCase(row.post_id, row.number, row.thread_id, row.title, row.name, ReportOutcome(row.outcome),
                     row.count, row.resolved_at, row.resolver_name)
        for row in found
    ]  # fmt: skip


# --- «Пожаловаться» on the thread page --------------------------------------------------------------------------


def _load_nothing(thread, post_ids) -> None:
    """The link needs nothing beyond the page's posts and the reader's rights."""
    return None


def report_links(view, user, loaded) -> dict[int, PostMarks]:
    """Post id → the «Пожаловаться» link on each post this reader may report (no query)."""
    if not policy.is_active_user(user):
        return {}
    link = UrlPattern("reports.report_create", "post_id")
    label = _("Пожаловаться")
    marks = {}
    for post in view.posts:
        if policy.can_report_post(user, _InThread(post, view.thread)):
            hint = _("на сообщение № %(n)d", n=post.number)
            marks[post.id] = PostMarks(links=(PostLink(link(post.id), label, hint),))
    return marks


REPORT_LINKS = PostMarkSource(load=_load_nothing, marks=report_links)
