"""Association verbs. They flush, never commit; the caller commits once."""

import re

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.associations.models import (
    Association,
    AssociationKind,
    Invitation,
    JoinPolicy,
    MemberRole,
    Membership,
    MembershipStatus,
    Visibility,
)
from app.associations.queries import leaders_or_admins
from app.auth.models import User
from app.db import utcnow
from app.directory.models import School, Subject
from app.extensions import db
from app.mailer import absolute_url, queue_email
from app.markup import render_markdown
from app.notifications.services import notify_many
from app.policy import PermissionDenied, forget_memberships

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".replace("_", "").split(" "),
        strict=True,
    )
)


def slugify(text: str) -> str:
    """«РМО учителей математики» → "rmo-uchiteley-matematiki"."""
    latin = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]+", "-", latin).strip("-")[:80] or "mo"


def unique_slug(text: str, exclude_id: int | None = None) -> str:
    base = slugify(text)
    slug, n = base, 2
    while db.session.scalar(
        sa.select(Association.id).where(Association.slug == slug, Association.id != (exclude_id or 0))
    ):
        slug, n = f"{base[:75]}-{n}", n + 1
    return slug


def create_association(
    name: str,
    kind: AssociationKind,
    *,
    slug: str | None = None,
    description: str = "",
    visibility: Visibility = Visibility.PUBLIC,
    join_policy: JoinPolicy = JoinPolicy.OPEN,
    school: School | None = None,
    subjects: list[Subject] | tuple = (),
    levels=(),
) -> Association:
    """Create an association; the slug is derived from the name unless given."""
    association = Association(
        name=name.strip(),
        slug=slug or unique_slug(name),
        kind=AssociationKind(kind),
        description=description,
        description_html=render_markdown(description),
        visibility=Visibility(visibility),
        join_policy=JoinPolicy(join_policy),
        school=school,
    )
    association.subjects = list(subjects)
    association.set_levels(levels)
    db.session.add(association)
    db.session.flush()
    return association


def add_member(
    user: User,
    association: Association,
    *,
    role: MemberRole = MemberRole.MEMBER,
    status: MembershipStatus = MembershipStatus.ACTIVE,
) -> Membership:
    """Add (or update) a membership, keeping the association's member count in step, in SQL."""
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user.id, Membership.association_id == association.id)
    )
    was_active = membership is not None and membership.status == MembershipStatus.ACTIVE
    if membership is None:
        membership = Membership(user=user, association=association)
        db.session.add(membership)
    membership.role = MemberRole(role)
    membership.status = MembershipStatus(status)
    if membership.status == MembershipStatus.ACTIVE and membership.joined_at is None:
        membership.joined_at = utcnow()
    db.session.flush()
    _adjust_member_count(association, int(membership.status == MembershipStatus.ACTIVE) - int(was_active))
    forget_memberships()
    return membership


def remove_member(membership: Membership) -> None:
    """Delete a membership (leave, decline, removal), keeping the member count in step."""
    association = membership.association
    was_active = membership.status == MembershipStatus.ACTIVE
    db.session.delete(membership)
    db.session.flush()
    _adjust_member_count(association, -int(was_active))
    forget_memberships()


def _adjust_member_count(association: Association, delta: int) -> None:
    if delta:
        db.session.execute(
            sa.update(Association)
            .where(Association.id == association.id)
            .values(member_count=Association.member_count + delta)
        )
        db.session.refresh(association, ["member_count"])


# --- joining, leaving, join requests, invitations -----------------------------------------------------------------


class InvalidState(Exception):
    """The action does not fit the current state; the message is fit to show the user."""


def ban_message(reason: str) -> str:
    """What someone the leaders barred (status BANNED) is told when they try to come back."""
    return _("Руководитель объединения закрыл вам доступ: %(reason)s", reason=reason)


def _refuse_banned(membership: Membership | None) -> None:
    if membership is not None and membership.status == MembershipStatus.BANNED:
        raise PermissionDenied(ban_message(membership.ban_reason))


def join_association(user: User, association: Association, *, message: str = "") -> Membership:
    """Join an open association (or one the user was invited to); otherwise send a join request to its leaders."""
    existing = _membership_of(user, association)
    _refuse_banned(existing)
    if existing is not None:
        raise InvalidState(
            _("Вы уже участник этого объединения.") if existing.is_active else _("Ваша заявка уже отправлена.")
        )
    if association.is_archived:
        raise InvalidState(_("Объединение в архиве: вступить в него нельзя."))
    invitation = _open_invitation(user.email, association)
    if invitation is not None or association.join_policy == JoinPolicy.OPEN:
        membership = add_member(user, association)
        if invitation is not None:
            invitation.accepted_at = utcnow()
        return membership
    if association.join_policy == JoinPolicy.INVITATION:
        raise PermissionDenied(_("В это объединение вступают только по приглашению."))
    membership = add_member(user, association, status=MembershipStatus.PENDING)
    membership.message = (message or "").strip()[:500]
    db.session.flush()
    _notify_leaders_of_request(membership)
    return membership


def leave_association(user: User, association: Association) -> MembershipStatus:
    """Leave an association or withdraw a pending join request; returns what the membership was."""
    membership = _membership_of(user, association)
    if membership is None:
        raise InvalidState(_("Вы не состоите в этом объединении."))
    if membership.status == MembershipStatus.BANNED:  # leaving would delete the ban
        raise InvalidState(ban_message(membership.ban_reason))
    if membership.is_leader and len(_active_leaders(association)) == 1:
        raise InvalidState(
            _("Вы единственный руководитель объединения. Попросите администратора назначить другого руководителя.")
        )
    status = membership.status
    remove_member(membership)
    return status


def accept_request(actor: User, membership: Membership) -> Membership:
    """Accept a pending join request; the requester is told by e-mail."""
    if membership.status != MembershipStatus.PENDING:
        raise InvalidState(_("Эта заявка уже рассмотрена."))
    membership = add_member(membership.user, membership.association, role=membership.role)
    _notify_requester(membership.user, membership.association, accepted=True)
    return membership


def decline_request(actor: User, membership: Membership) -> None:
    """Decline a pending join request; the requester is told by e-mail."""
    if membership.status != MembershipStatus.PENDING:
        raise InvalidState(_("Эта заявка уже рассмотрена."))
    user, association = membership.user, membership.association
    remove_member(membership)
    _notify_requester(user, association, accepted=False)


def invite_by_email(actor: User, association: Association, *, email: str) -> tuple[Invitation, bool]:
    """Invite an address (with or without an account) and e-mail it; returns the invitation and whether it is new."""
    email = (email or "").strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    existing = _membership_of(user, association) if user is not None else None
    if existing is not None and existing.is_active:
        raise InvalidState(_("%(name)s уже участник этого объединения.", name=user.full_name))
    if existing is not None and existing.status == MembershipStatus.BANNED:
        raise InvalidState(_("%(name)s закрыт доступ в это объединение: сначала снимите запрет.", name=user.full_name))
    if existing is not None:
        raise InvalidState(
            _("От %(name)s уже есть заявка на вступление: примите её в списке заявок.", name=user.full_name)
        )
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.association_id == association.id, Invitation.email == email)
    )
    created = invitation is None
    if created:
        invitation = Invitation(association=association, email=email)
        db.session.add(invitation)
    # A repeated invitation (after a decline, or as a reminder) reopens the one row rather than adding another.
    invitation.invited_by, invitation.created_at = actor, utcnow()
    invitation.accepted_at = invitation.declined_at = None
    db.session.flush()
    _send_invitation(invitation, user)
    return invitation, created


def accept_invitation(user: User, invitation: Invitation) -> Membership:
    """Accept an invitation: an active membership, whatever the association's join policy."""
    association = _check_open(invitation)
    existing = _membership_of(user, association)
    _refuse_banned(existing)
    if existing is not None and existing.is_active:
        membership = existing
    else:
        membership = add_member(user, association, role=existing.role if existing else MemberRole.MEMBER)
    invitation.accepted_at = utcnow()
    db.session.flush()
    return membership


def decline_invitation(user: User, invitation: Invitation) -> None:
    """Decline an invitation; the leaders may invite the address again later."""
    _check_open(invitation)
    invitation.declined_at = utcnow()
    db.session.flush()


def _check_open(invitation: Invitation) -> Association:
    if invitation.accepted_at is not None or invitation.declined_at is not None:
        raise InvalidState(_("Это приглашение уже рассмотрено."))
    if invitation.association.is_archived:
        raise InvalidState(_("Объединение в архиве: вступить в него нельзя."))
    return invitation.association


def _membership_of(user: User, association: Association) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user.id, Membership.association_id == association.id)
    )


def _open_invitation(email: str, association: Association) -> Invitation | None:
    return db.session.scalar(
        sa.select(Invitation).where(
            Invitation.association_id == association.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.declined_at.is_(None),
        )
    )


def _active_leaders(association: Association) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.association_id == association.id,
                Membership.role == MemberRole.LEADER,
                Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(User.id)
        )
    )


def _notify_leaders_of_request(membership: Membership) -> None:
    """The leaders (the admins where nobody leads) are told, in the app and by e-mail as each of them chose; the
    notice quotes the requester's message and links to the requests page."""
    association = membership.association
    notify_many(leaders_or_admins(association.id), "join_request", actor=membership.user,
                association_id=association.id, association=association.name,
                quote=(membership.message or "").strip())  # fmt: skip


def _notify_requester(user: User, association: Association, *, accepted: bool) -> None:
    with force_locale(user.locale):
        subject = (
            _("Заявка принята: «%(name)s»", name=association.name)
            if accepted
            else _("Заявка отклонена: «%(name)s»", name=association.name)
        )
        queue_email(
            user.email,
            subject,
            "associations/email/request_accepted" if accepted else "associations/email/request_declined",
            recipient=user,
            association=association,
            association_url=absolute_url("associations.association_show", slug=association.slug),
            list_url=absolute_url("associations.association_list"),
        )


def _send_invitation(invitation: Invitation, user: User | None) -> None:
    association = invitation.association
    with force_locale(user.locale if user is not None else current_app.config["BABEL_DEFAULT_LOCALE"]):
        queue_email(
            invitation.email,
            _("Приглашение в «%(name)s»", name=association.name),
            "associations/email/invitation",
            recipient=user,
            invitation=invitation,
            association=association,
            inviter=invitation.invited_by,
            invitations_url=absolute_url("associations.invitation_list"),
            register_url=absolute_url("auth.register"),
            association_url=absolute_url("associations.association_show", slug=association.slug),
        )
