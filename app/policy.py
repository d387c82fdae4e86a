"""Every permission rule of ВМК, as questions: can_<action>(user, obj) -> bool.

Routes call `require(can_x(...))`; templates call the same functions (they are Jinja globals), so a button and its
route never disagree. The anonymous user answers False to everything that changes state. A private object the user
may not see answers 404 rather than 403 (`require(..., hide=True)`), so its existence does not leak.
"""

import sqlalchemy as sa
from flask import abort, g, has_request_context

from app.associations.models import (
    STATE_COLUMNS,
    Association,
    Invitation,
    JoinPolicy,
    MemberRole,
    Membership,
    MembershipState,
    MembershipStatus,
    Visibility,
)
from app.auth.models import Role, User, UserLevel, UserStatus, user_subjects
from app.consultations.models import Question, QuestionStatus
from app.db import utcnow
from app.discussions.models import Attachment, Post, Thread, ThreadKind
from app.extensions import db


class PermissionDenied(Exception):
    """Raised by services when the actor may not do what was asked."""


def require(allowed: bool, *, hide: bool = False) -> None:
    """Stop the request unless allowed: 403, or 404 where a 403 would reveal a private object."""
    if not allowed:
        abort(404 if hide else 403)


def _is_active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.status == UserStatus.ACTIVE)


def is_active_user(user) -> bool:
    """Signed in with an active account: what every action on content needs first."""
    return _is_active(user)


def is_admin(user) -> bool:
    return _is_active(user) and user.role == Role.ADMIN


def is_methodist(user) -> bool:
    return _is_active(user) and user.role == Role.METHODIST


def memberships_of(user) -> dict[int, MembershipState]:
    """The user's memberships by association id, loaded once per request (one query, whatever the page)."""
    if not _is_active(user):
        return {}
    cache = g.setdefault("_memberships", {}) if has_request_context() else {}
    if user.id not in cache:
        columns = (getattr(Membership, name) for name in STATE_COLUMNS)
        rows = db.session.execute(sa.select(*columns).where(Membership.user_id == user.id))
        cache[user.id] = {row.association_id: MembershipState(*row) for row in rows}
    return cache[user.id]


def remember_memberships(user, memberships) -> None:
    """The user's memberships as read together with the user (the login loader), so this request asks no more."""
    if has_request_context() and _is_active(user):
        g.setdefault("_memberships", {})[user.id] = {m.association_id: m for m in memberships}


def forget_memberships() -> None:
    """Drop the per-request cache after a service changed memberships."""
    if has_request_context():
        g.pop("_memberships", None)


def membership(user, association: Association) -> MembershipState | None:
    return memberships_of(user).get(association.id)


def is_member(user, association: Association) -> bool:
    m = membership(user, association)
    return m is not None and m.status == MembershipStatus.ACTIVE


def is_leader(user, association: Association) -> bool:
    m = membership(user, association)
    return m is not None and m.status == MembershipStatus.ACTIVE and m.role == MemberRole.LEADER


# --- site ---------------------------------------------------------------------------------------------------------


def can_access_admin(user) -> bool:
    return is_admin(user)


def can_manage_mail(user) -> bool:
    """The outbox's state and failures (addresses, errors) and sending a failed e-mail again: admins."""
    return is_admin(user)


def can_view_profile(viewer, target: User) -> bool:
    """Profiles are for signed-in colleagues; pending and suspended accounts are shown to admins only."""
    if not _is_active(viewer):
        return False
    return target.status == UserStatus.ACTIVE or is_admin(viewer) or viewer.id == target.id


def can_edit_profile(user, target: User) -> bool:
    return _is_active(user) and user.id == target.id


def can_see_email(viewer, target: User) -> bool:
    """E-mail addresses are for admins and the person themself (see the privacy policy)."""
    return _is_active(viewer) and (viewer.id == target.id or is_admin(viewer))


# --- associations -------------------------------------------------------------------------------------------------


def can_view_association(user, association: Association) -> bool:
    if association.visibility == Visibility.PUBLIC:
        return True
    return is_admin(user) or is_member(user, association) or is_leader(user, association)


def can_view_members(user, association: Association) -> bool:
    """Member lists name people: shown to signed-in users who may see the association."""
    return _is_active(user) and can_view_association(user, association)


def can_join(user, association: Association) -> bool:
    """Join directly (open policy) or send a join request (by-request policy)."""
    if not _is_active(user) or association.is_archived or membership(user, association) is not None:
        return False
    if association.join_policy == JoinPolicy.INVITATION:
        return False
    return can_view_association(user, association)


def can_leave(user, association: Association) -> bool:
    return _is_active(user) and membership(user, association) is not None


def can_manage_members(user, association: Association) -> bool:
    """Accept or decline join requests, invite by e-mail, remove members."""
    if association.is_archived:
        return is_admin(user)
    return is_admin(user) or is_leader(user, association)


def can_invite(user, association: Association) -> bool:
    """Invite by e-mail address: leaders and admins, while the association is not archived."""
    return not association.is_archived and can_manage_members(user, association)


def can_respond_to_invitation(user, invitation: Invitation) -> bool:
    """Only the owner of the invited address may accept or decline it."""
    return _is_active(user) and user.email == invitation.email.strip().lower()


def can_moderate(user, association: Association) -> bool:
    return is_admin(user) or is_leader(user, association)


def can_edit_association(user, association: Association) -> bool:
    return is_admin(user)


def can_assign_leaders(user, association: Association) -> bool:
    return is_admin(user)


# --- admin area ---------------------------------------------------------------------------------------------------


def can_suspend_user(user, target: User) -> bool:
    """Admins may suspend anyone but themselves: a self-locked-out admin could not undo it."""
    return is_admin(user) and user.id != target.id


def can_change_role(user, target: User, role: Role | None = None) -> bool:
    """Admins set roles, but never demote themselves (the site keeps at least the admin who acts)."""
    return is_admin(user) and (user.id != target.id or role == Role.ADMIN)


# --- discussions --------------------------------------------------------------------------------------------------


def can_post_in(user, association: Association) -> bool:
    """Start threads and reply: active members of an association that is not archived, unless muted there."""
    return (
        _is_active(user)
        and not association.is_archived
        and is_member(user, association)
        and not is_muted(user, association)
    )


def is_muted(user, association: Association) -> bool:
    """A moderator muted the member here until a time still to come: they read, but do not post."""
    m = membership(user, association)
    return m is not None and m.muted_until is not None and m.muted_until > utcnow()


def can_create_thread(user, association: Association, kind: ThreadKind | str | None = None) -> bool:
    """Announcements are for leaders, methodists and admins; other kinds for every member."""
    if not can_post_in(user, association) and not (is_admin(user) and not association.is_archived):
        return False
    if kind is not None and ThreadKind(kind) == ThreadKind.ANNOUNCEMENT:
        return is_admin(user) or is_methodist(user) or is_leader(user, association)
    return True


def can_see_private_questions(user, association: Association) -> bool:
    """Methodists, the association's leaders and admins see every private question in it (the SQL twin is
    `discussions.queries.private_visible`)."""
    return is_admin(user) or is_methodist(user) or is_leader(user, association)


def _is_author(user, thread_or_post) -> bool:
    return _is_active(user) and thread_or_post.author_id is not None and thread_or_post.author_id == user.id


def can_view_thread(user, thread: Thread) -> bool:
    """Reading follows the association's visibility; deleted threads only for its moderators, hidden (or held) ones
    also for their author, with a banner; a private question only for its author, methodists, the association's
    leaders and admins."""
    if not can_view_association(user, thread.association):
        return False
    if thread.is_private and not (_is_author(user, thread) or can_see_private_questions(user, thread.association)):
        return False
    if thread.is_visible or can_moderate(user, thread.association):
        return True
    return thread.deleted_at is None and _is_author(user, thread)


def can_reply(user, thread: Thread) -> bool:
    if not thread.is_visible or thread.locked_at is not None:
        return False
    if thread.is_private and not can_view_thread(user, thread):
        return False
    if can_post_in(user, thread.association):
        return True
    # admins anywhere, methodists in every question they can read (consultations cross associations)
    consults = is_methodist(user) and thread.kind == ThreadKind.QUESTION and can_view_thread(user, thread)
    return (is_admin(user) or consults) and not thread.association.is_archived


def can_view_post(user, post: Post) -> bool:
    """A deleted post shows its text only to moderators, a hidden (or held) one also to its author, with a banner
    (others see that it was removed)."""
    if not can_view_thread(user, post.thread):
        return False
    if post.is_visible or can_moderate(user, post.thread.association):
        return True
    return post.deleted_at is None and _is_author(user, post)


def can_edit_post(user, post: Post) -> bool:
    if not _is_active(user) or post.deleted_at is not None:
        return False
    if can_moderate(user, post.thread.association):
        return True
    return post.author_id == user.id and can_post_in(user, post.thread.association) and post.thread.locked_at is None


def can_delete_post(user, post: Post) -> bool:
    return can_edit_post(user, post)


def can_restore_post(user, post: Post) -> bool:
    """A deleted post (and, for an opening post, its thread) comes back by a moderator's hand."""
    return post.deleted_at is not None and can_moderate(user, post.thread.association)


def can_view_post_history(user, post: Post) -> bool:
    """The author and moderators see earlier versions of an edited post."""
    if not _is_active(user) or not can_view_thread(user, post.thread):
        return False
    return post.author_id == user.id or can_moderate(user, post.thread.association)


def can_react(user, post: Post) -> bool:
    """«Полезно» on others' visible posts, by any signed-in user who can read them."""
    return _is_active(user) and post.is_visible and post.author_id != user.id and can_view_thread(user, post.thread)


def can_bookmark(user, post: Post) -> bool:
    return _is_active(user) and post.is_visible and can_view_thread(user, post.thread)


def can_watch(user, thread_or_association) -> bool:
    if not _is_active(user):
        return False
    if isinstance(thread_or_association, Thread):
        return can_view_thread(user, thread_or_association)
    return can_view_association(user, thread_or_association)


def can_download_attachment(user, attachment: Attachment, post: Post) -> bool:
    """Files are served only to those who may see the post they belong to."""
    return attachment.post_id == post.id and can_view_post(user, post)


def can_read_feed(association: Association) -> bool:
    """Atom feeds are public documents: only for public associations."""
    return association.visibility == Visibility.PUBLIC and not association.is_archived


# --- consultations (issue 5): rule(user, question) ----------------------------------------------------------------


def _consulting_scope(user) -> tuple[set[int], set]:
    """The subjects (ids) and levels a user declared, read once per request: the user object may come from a query
    that forbids loading its relationships."""
    cache = g.setdefault("_consulting_scope", {}) if has_request_context() else {}
    if user.id not in cache:
        subjects = db.session.scalars(sa.select(user_subjects.c.subject_id).where(user_subjects.c.user_id == user.id))
        levels = db.session.scalars(sa.select(UserLevel.level).where(UserLevel.user_id == user.id))
        cache[user.id] = (set(subjects), set(levels))
    return cache[user.id]


def _consults_on(user, question: Question) -> bool:
    """The question is in the methodist's declared subjects and levels (a question without one matches any)."""
    subjects, levels = _consulting_scope(user)
    return (question.subject_id is None or question.subject_id in subjects) and (
        question.level is None or question.level in levels
    )


def can_take_question(user, question: Question) -> bool:
    """A methodist takes an open question in their subjects and levels; an admin any open question."""
    if not question.status.is_open or not can_view_thread(user, question.thread):
        return False
    return is_admin(user) or (is_methodist(user) and _consults_on(user, question))


def can_assign_question(user, question: Question) -> bool:
    """Leaders of the association and admins give an open question to a methodist."""
    return question.status.is_open and can_moderate(user, question.thread.association)


def can_release_question(user, question: Question) -> bool:
    """The methodist who has it, or a leader or admin, gives an open question back to the queue."""
    if not question.status.is_open or not can_view_thread(user, question.thread):
        return False
    mine = _is_active(user) and question.assignee_id is not None and question.assignee_id == user.id
    return mine or can_moderate(user, question.thread.association)


def can_accept_answer(user, question: Question) -> bool:
    """The asker, a methodist, or a leader of the association marks (or takes back) the solution; not once closed."""
    thread = question.thread
    if question.status == QuestionStatus.CLOSED or not _is_active(user) or not can_view_thread(user, thread):
        return False
    return thread.author_id == user.id or is_methodist(user) or can_moderate(user, thread.association)


def can_close_question(user, question: Question) -> bool:
    """A methodist, a leader of the association or an admin closes an open question."""
    if not question.status.is_open or not can_view_thread(user, question.thread):
        return False
    return is_methodist(user) or can_moderate(user, question.thread.association)


def can_rate_question(user, question: Question) -> bool:
    """The asker rates a resolved question (helped or not, with a comment), and may change the rating."""
    thread = question.thread
    return (
        question.status == QuestionStatus.RESOLVED
        and _is_active(user)
        and thread.author_id == user.id
        and can_view_thread(user, thread)
    )


def can_view_rating(user, question: Question) -> bool:
    """Ratings are for methodists, the association's leaders and admins."""
    return can_view_thread(user, question.thread) and (
        is_methodist(user) or can_moderate(user, question.thread.association)
    )


def can_endorse_answer(user, question: Question, post: Post) -> bool:
    """A methodist recommends («Рекомендовано методистом») a visible reply by someone else in a question that is not
    closed."""
    return (
        is_methodist(user)
        and question.status != QuestionStatus.CLOSED
        and post.thread_id == question.thread_id
        and post.number > 1
        and post.is_visible
        and post.author_id != user.id
        and can_view_thread(user, question.thread)
    )


def needs_publish_consent(question: Question) -> bool:
    """A private question, or one from an association only its members see, enters the knowledge base (which is for
    everyone) only after its asker agreed, and then without the asker's name."""
    thread = question.thread
    return thread.is_private or thread.association.visibility != Visibility.PUBLIC


def can_consent_to_publish(user, question: Question) -> bool:
    """The asker agrees (or stops agreeing) that their question may be published without their name."""
    thread = question.thread
    return _is_active(user) and thread.author_id == user.id and can_view_thread(user, thread)


def can_publish_to_knowledge_base(user, question: Question) -> bool:
    """A methodist or admin publishes a resolved question with an accepted answer (with the asker's consent where
    `needs_publish_consent`)."""
    if not (is_methodist(user) or is_admin(user)) or not can_view_thread(user, question.thread):
        return False
    if question.status != QuestionStatus.RESOLVED or question.accepted_post_id is None:
        return False
    return question.publish_consent_at is not None or not needs_publish_consent(question)


def can_edit_knowledge_entry(user) -> bool:
    """Methodists and admins edit the summary titles of published entries and withdraw them."""
    return is_methodist(user) or is_admin(user)


def _leads_any(user) -> bool:
    return any(m.is_leader for m in memberships_of(user).values())


def can_view_consultation_stats(user) -> bool:
    """Methodists, leaders (of any association) and admins see the consultation statistics."""
    return is_admin(user) or is_methodist(user) or _leads_any(user)


def can_receive_queue_notices(user) -> bool:
    """Who the consultation queue's notices may reach (new, assigned, overdue questions): methodists, leaders and
    admins."""
    return can_view_consultation_stats(user)


def can_receive_leading_notices(user) -> bool:
    """Who the leaders' notices may reach (join requests, reports, held posts): leaders and admins."""
    return is_admin(user) or _leads_any(user)


def can_view_overdue_questions(user) -> bool:
    """Leaders (of the associations they lead) and admins (everywhere) see the questions past the response target."""
    return is_admin(user) or _leads_any(user)


# --- moderation (issue 6): leaders moderate their association, admins every association -------------------------


def can_pin_thread(user, thread: Thread) -> bool:
    return can_moderate(user, thread.association)


def can_lock_thread(user, thread: Thread) -> bool:
    return can_moderate(user, thread.association)


def can_hide_thread(user, thread: Thread) -> bool:
    return can_moderate(user, thread.association)


def can_set_slow_mode(user, thread: Thread) -> bool:
    return can_moderate(user, thread.association)


def can_split_thread(user, thread: Thread) -> bool:
    return can_moderate(user, thread.association)


def can_move_thread(user, thread: Thread, target: Association) -> bool:
    """Into another association the mover also leads (any, for an admin) that is not archived."""
    if target.id == thread.association_id or target.is_archived:
        return False
    return can_moderate(user, thread.association) and can_moderate(user, target)


def can_merge_threads(user, source: Thread, target: Thread) -> bool:
    """One thread into another, both moderated by the user; never a thread into itself."""
    if source.id == target.id or target.deleted_at is not None:
        return False
    return can_moderate(user, source.association) and can_moderate(user, target.association)


def can_hide_post(user, post: Post) -> bool:
    return post.deleted_at is None and can_moderate(user, post.thread.association)


def can_report_post(user, post: Post) -> bool:
    """Any active reader may report someone else's visible post."""
    if not _is_active(user) or not post.is_visible or post.author_id == user.id:
        return False
    return can_view_post(user, post)


def can_view_moderation_queue(user, association: Association) -> bool:
    """Reports and posts held for approval: the association's leaders and admins."""
    return can_moderate(user, association)


def can_view_site_moderation_queue(user) -> bool:
    """Every association's open reports in one queue: admins."""
    return is_admin(user)


def can_resolve_report(user, association: Association) -> bool:
    return can_moderate(user, association)


def can_review_held_post(user, post: Post) -> bool:
    """Approve or reject a post held by pre-moderation."""
    return post.held_at is not None and can_moderate(user, post.thread.association)


def can_set_premoderation(user, association: Association) -> bool:
    return can_moderate(user, association) and not association.is_archived


def _may_discipline(user, target: Membership) -> bool:
    """Leaders and admins act on a member of their association; not on themselves, and only an admin on a leader."""
    if not _is_active(user) or target.user_id == user.id or not can_moderate(user, target.association):
        return False
    return target.role != MemberRole.LEADER or is_admin(user)


def can_mute_member(user, target: Membership) -> bool:
    return target.status == MembershipStatus.ACTIVE and _may_discipline(user, target)


def can_ban_member(user, target: Membership) -> bool:
    """Remove a member (or a pending requester) and bar them from joining again."""
    return target.status != MembershipStatus.BANNED and _may_discipline(user, target)


def can_remove_member(user, target: Membership) -> bool:
    """Remove an active member: those who manage the association's members, on whom they may act (not themselves; a
    leader only by an admin)."""
    return can_manage_members(user, target.association) and can_mute_member(user, target)


def can_unban_member(user, target: Membership) -> bool:
    return target.status == MembershipStatus.BANNED and _may_discipline(user, target)


def can_view_moderation_log(user, association: Association) -> bool:
    return can_moderate(user, association)


def can_view_site_moderation_log(user) -> bool:
    return is_admin(user)


POLICY_GLOBALS = {
    name: value for name, value in dict(globals()).items() if name.startswith(("can_", "is_")) and callable(value)
}
