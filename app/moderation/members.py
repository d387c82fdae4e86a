"""Moderators' actions on members of an association: mute for a period (they read but do not post), unmute, remove,
ban from rejoining, lift a ban. Each is written to the moderation log and told to the member. Services flush, never
commit; the permission is the route's (policy.can_mute_member, can_ban_member, can_unban_member)."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.associations import services as associations
from app.associations.models import Membership, MembershipStatus
from app.associations.services import InvalidState
from app.auth.models import User
from app.db import utcnow
from app.extensions import db
from app.moderation.log import record
from app.moderation.models import ModerationKind
from app.moderation.posts import clean_reason
from app.notifications.services import notify
from app.policy import forget_memberships


def _required(reason: str | None, message: str) -> str:
    reason = clean_reason(reason)
    if not reason:
        raise InvalidState(message)
    return reason


def is_muted_now(membership) -> bool:
    """The member may not post here at this moment (a mute runs out by itself: only its end time is compared)."""
    return membership.muted_until is not None and membership.muted_until > utcnow()


def mute_member(actor, membership: Membership, *, until: datetime, reason: str) -> None:
    """The member reads but does not post in the association until `until`; muting again replaces the period."""
    reason = _required(reason, _("Укажите причину: её увидит участник."))
    if until <= utcnow():
        raise InvalidState(_("Срок должен быть в будущем."))
    if membership.status != MembershipStatus.ACTIVE:
        raise InvalidState(_("Лишить права писать можно только участника объединения."))
    membership.muted_until, membership.mute_reason = until, reason
    _done(actor, membership, ModerationKind.MEMBER_MUTED, "member_muted", reason=reason,
          details=until.isoformat(), until=until.isoformat())  # fmt: skip


def unmute_member(actor, membership: Membership, *, reason: str = "") -> bool:
    """Give the right to post back before the mute runs out; False when the member was not muted."""
    if not is_muted_now(membership):
        return False
    membership.muted_until, membership.mute_reason = None, ""
    _done(actor, membership, ModerationKind.MEMBER_UNMUTED, "member_unmuted", reason=clean_reason(reason))
    return True


def remove_member(actor, membership: Membership, *, reason: str) -> None:
    """Remove an active member from the association (they may ask to join again): the associations' own removal."""
    reason = _required(reason, _("Укажите причину: её увидит участник."))
    if membership.status != MembershipStatus.ACTIVE:
        raise InvalidState(_("Этот человек уже не участник объединения."))
    user, association_id = membership.user, membership.association_id
    _log_and_tell(actor, user, association_id, membership.association.name, ModerationKind.MEMBER_REMOVED,
                  "member_removed", reason=reason)  # fmt: skip
    associations.remove_member(membership)


def ban_member(actor, membership: Membership, *, reason: str) -> None:
    """Remove a member (or a pending requester) and bar them from joining again: the row stays, BANNED, with the
    reason they are shown when they try. A banned leader is a leader no more."""
    reason = _required(reason, _("Укажите причину: её увидит участник."))
    if membership.status == MembershipStatus.BANNED:
        raise InvalidState(_("Этому участнику уже закрыт доступ."))
    membership = associations.add_member(membership.user, membership.association, status=MembershipStatus.BANNED)
    membership.ban_reason, membership.muted_until, membership.mute_reason = reason, None, ""
    _done(actor, membership, ModerationKind.MEMBER_BANNED, "member_banned", reason=reason)


def unban_member(actor, membership: Membership, *, reason: str = "") -> None:
    """Lift a ban: the row goes, so the person may ask to join (or be invited) again."""
    if membership.status != MembershipStatus.BANNED:
        raise InvalidState(_("Этому человеку доступ не закрыт."))
    _log_and_tell(actor, membership.user, membership.association_id, membership.association.name,
                  ModerationKind.MEMBER_UNBANNED, "member_unbanned", reason=clean_reason(reason))  # fmt: skip
    associations.remove_member(membership)


def _done(actor, membership: Membership, kind: ModerationKind, notice: str, *, reason: str, details: str = "",
          **params) -> None:  # fmt: skip
    db.session.flush()
    forget_memberships()  # the policy's per-request copy must see the mute or the ban
    _log_and_tell(actor, membership.user, membership.association_id, membership.association.name, kind, notice,
                  reason=reason, details=details, **params)  # fmt: skip


def _log_and_tell(actor, user, association_id: int, association_name: str, kind: ModerationKind, notice: str, *,
                  reason: str, details: str = "", **params) -> None:  # fmt: skip
    record(actor, kind, association_id=association_id, user=user, reason=reason, details=details)
    notify(user, notice, actor=actor, association_id=association_id, association=association_name, reason=reason,
           **params)  # fmt: skip


def mute_of(user, association) -> tuple[datetime, str] | None:
    """(until when, why) the user is muted in the association, or None: for the notice a muted member sees."""
    if not getattr(user, "is_authenticated", False):
        return None
    row = db.session.execute(
        sa.select(Membership.muted_until, Membership.mute_reason).where(
            Membership.user_id == user.id, Membership.association_id == association.id
        )
    ).first()
    if row is None or row.muted_until is None or row.muted_until <= utcnow():
        return None
    return row.muted_until, row.mute_reason


def banned_members(association) -> list[Membership]:
    """Those barred from the association, by name (for lifting a ban)."""
    stmt = (
        sa.select(Membership)
        .join(Membership.user)
        .where(Membership.association_id == association.id, Membership.status == MembershipStatus.BANNED)
        .options(joinedload(Membership.user).joinedload(User.school))
        .order_by(User.full_name, Membership.id)
    )
    return list(db.session.scalars(stmt))
