"""Every permission rule of ВМК, as questions: can_<action>(user, obj) -> bool.

Routes call `require(can_x(...))`; templates call the same functions (they are Jinja globals), so a button and its
route never disagree. The anonymous user answers False to everything that changes state. A private object the user
may not see answers 404 rather than 403 (`require(..., hide=True)`), so its existence does not leak.
"""

from flask import abort, g, has_request_context

from app.associations.models import (
    Association,
    Invitation,
    JoinPolicy,
    MemberRole,
    Membership,
    MembershipStatus,
    Visibility,
)
from app.auth.models import Role, User, UserStatus
from app.extensions import db


class PermissionDenied(Exception):
    """Raised by services when the actor may not do what was asked."""


def require(allowed: bool, *, hide: bool = False) -> None:
    """Stop the request unless allowed: 403, or 404 where a 403 would reveal a private object."""
    if not allowed:
        abort(404 if hide else 403)


def _is_active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.status == UserStatus.ACTIVE)


def is_admin(user) -> bool:
    return _is_active(user) and user.role == Role.ADMIN


def is_methodist(user) -> bool:
    return _is_active(user) and user.role == Role.METHODIST


def memberships_of(user) -> dict[int, Membership]:
    """The user's memberships by association id, loaded once per request (one query, whatever the page)."""
    if not _is_active(user):
        return {}
    cache = g.setdefault("_memberships", {}) if has_request_context() else {}
    if user.id not in cache:
        rows = db.session.scalars(db.select(Membership).where(Membership.user_id == user.id))
        cache[user.id] = {m.association_id: m for m in rows}
    return cache[user.id]


def forget_memberships() -> None:
    """Drop the per-request cache after a service changed memberships."""
    if has_request_context():
        g.pop("_memberships", None)


def membership(user, association: Association) -> Membership | None:
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


POLICY_GLOBALS = {
    name: value for name, value in dict(globals()).items() if name.startswith(("can_", "is_")) and callable(value)
}
