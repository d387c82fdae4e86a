"""Role × action table for the association rules in app/policy.py."""

import pytest
from flask_login import AnonymousUserMixin

from app import policy
from app.associations.models import JoinPolicy, MemberRole, MembershipStatus, Visibility
from app.auth.models import Role, UserStatus
from app.db import utcnow
from tests.factories import make_association, make_invitation, make_membership, make_user

ROLES = ["anonymous", "pending", "teacher", "member", "leader", "other_leader", "methodist", "admin"]
ACTIONS = {
    "view": policy.can_view_association,
    "join": policy.can_join,
    "leave": policy.can_leave,
    "manage": policy.can_manage_members,
    "members": policy.can_view_members,
    "invite": policy.can_invite,
}


def _people(association):
    other = make_association()
    people = {
        "anonymous": AnonymousUserMixin(),
        "pending": make_user(status=UserStatus.PENDING),
        "teacher": make_user(),
        "member": make_user(),
        "leader": make_user(),
        "other_leader": make_user(),
        "methodist": make_user(role=Role.METHODIST),
        "admin": make_user(role=Role.ADMIN),
    }
    make_membership(people["member"], association)
    make_membership(people["leader"], association, role=MemberRole.LEADER)
    make_membership(people["other_leader"], other, role=MemberRole.LEADER)
    return people


# view, join, leave, manage, members, invite
PUBLIC_OPEN = {
    "anonymous": (1, 0, 0, 0, 0, 0),
    "pending": (1, 0, 0, 0, 0, 0),
    "teacher": (1, 1, 0, 0, 1, 0),
    "member": (1, 0, 1, 0, 1, 0),
    "leader": (1, 0, 1, 1, 1, 1),
    "other_leader": (1, 1, 0, 0, 1, 0),
    "methodist": (1, 1, 0, 0, 1, 0),
    "admin": (1, 1, 0, 1, 1, 1),
}
MEMBERS_ONLY = {
    "anonymous": (0, 0, 0, 0, 0, 0),
    "pending": (0, 0, 0, 0, 0, 0),
    "teacher": (0, 0, 0, 0, 0, 0),
    "member": (1, 0, 1, 0, 1, 0),
    "leader": (1, 0, 1, 1, 1, 1),
    "other_leader": (0, 0, 0, 0, 0, 0),
    "methodist": (0, 0, 0, 0, 0, 0),
    "admin": (1, 1, 0, 1, 1, 1),
}
INVITATION_ONLY = {
    "anonymous": (1, 0, 0, 0, 0, 0),
    "pending": (1, 0, 0, 0, 0, 0),
    "teacher": (1, 0, 0, 0, 1, 0),
    "member": (1, 0, 1, 0, 1, 0),
    "leader": (1, 0, 1, 1, 1, 1),
    "other_leader": (1, 0, 0, 0, 1, 0),
    "methodist": (1, 0, 0, 0, 1, 0),
    "admin": (1, 0, 0, 1, 1, 1),
}
ARCHIVED = {
    "anonymous": (1, 0, 0, 0, 0, 0),
    "pending": (1, 0, 0, 0, 0, 0),
    "teacher": (1, 0, 0, 0, 1, 0),
    "member": (1, 0, 1, 0, 1, 0),
    "leader": (1, 0, 1, 0, 1, 0),
    "other_leader": (1, 0, 0, 0, 1, 0),
    "methodist": (1, 0, 0, 0, 1, 0),
    "admin": (1, 0, 0, 1, 1, 0),
}


def _check(association, table):
    people = _people(association)
    for role in ROLES:
        got = tuple(int(rule(people[role], association)) for rule in ACTIONS.values())
        assert got == table[role], f"{role}: {list(ACTIONS)} expected {table[role]}, got {got}"


def test_public_open_association():
    _check(make_association(), PUBLIC_OPEN)


def test_members_only_association():
    _check(make_association(visibility=Visibility.MEMBERS, join_policy=JoinPolicy.REQUEST), MEMBERS_ONLY)


def test_invitation_only_association():
    _check(make_association(join_policy=JoinPolicy.INVITATION), INVITATION_ONLY)


def test_archived_association():
    association = make_association()
    association.archived_at = utcnow()
    _check(association, ARCHIVED)


def test_pending_join_request_is_not_membership():
    association = make_association(visibility=Visibility.MEMBERS, join_policy=JoinPolicy.REQUEST)
    user = make_user()
    make_membership(user, association, status=MembershipStatus.PENDING)
    assert not policy.can_view_association(user, association)
    assert not policy.can_join(user, association)  # already asked
    assert policy.can_leave(user, association)  # may withdraw the request
    assert not policy.can_manage_members(user, association)


def test_pending_leader_membership_gives_no_powers():
    association = make_association()
    user = make_user()
    make_membership(user, association, role=MemberRole.LEADER, status=MembershipStatus.PENDING)
    assert not policy.is_leader(user, association)
    assert not policy.can_manage_members(user, association)


def test_suspended_member_loses_everything():
    association = make_association(visibility=Visibility.MEMBERS)
    user = make_user()
    make_membership(user, association, role=MemberRole.LEADER)
    user.status = UserStatus.SUSPENDED
    assert not policy.can_view_association(user, association)
    assert not policy.can_manage_members(user, association)
    assert not policy.can_leave(user, association)


@pytest.mark.parametrize(
    ("who", "allowed"), [("owner", True), ("owner_upper", True), ("stranger", False), ("anonymous", False)]
)
def test_only_the_invited_address_may_answer(who, allowed):
    association = make_association(join_policy=JoinPolicy.INVITATION)
    owner = make_user(email="invited@example.org")
    invitation = make_invitation(association, "Invited@Example.org")
    user = {
        "owner": owner,
        "owner_upper": owner,
        "stranger": make_user(),
        "anonymous": AnonymousUserMixin(),
    }[who]
    assert policy.can_respond_to_invitation(user, invitation) is allowed


def test_pending_account_cannot_answer_invitation():
    association = make_association()
    user = make_user(status=UserStatus.PENDING, email="late@example.org")
    assert not policy.can_respond_to_invitation(user, make_invitation(association, "late@example.org"))
