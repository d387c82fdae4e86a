"""The association services on their own: the member counter stays right in SQL, and domain errors."""

import pytest

from app.associations import services
from app.associations.models import Association, JoinPolicy, MemberRole, MembershipStatus
from app.auth.models import Role
from app.extensions import db
from tests.associations.conftest import member_count, membership_of
from tests.factories import make_association, make_membership, make_user


def test_add_and_remove_member_keep_the_count():
    a = make_association()
    users = [make_user() for _ in range(3)]
    memberships = [services.add_member(u, a) for u in users]
    assert member_count(a) == a.member_count == 3
    services.add_member(users[0], a, role=MemberRole.LEADER)  # a role change is not a new member
    assert member_count(a) == 3
    services.remove_member(memberships[1])
    assert member_count(a) == 2


def test_pending_does_not_count_until_accepted(app):
    a = make_association(join_policy=JoinPolicy.REQUEST)
    user = make_user()
    with app.test_request_context("/"):
        m = services.join_association(user, a, message="  здравствуйте  ")
        assert m.status == MembershipStatus.PENDING and m.message == "здравствуйте"
        assert member_count(a) == 0
        services.accept_request(make_user(role=Role.ADMIN), m)
    assert member_count(a) == 1
    assert membership_of(user, a).joined_at is not None


def test_join_invitation_only_raises_permission_denied(app):
    a = make_association(join_policy=JoinPolicy.INVITATION)
    with app.test_request_context("/"), pytest.raises(services.PermissionDenied):
        services.join_association(make_user(), a)


def test_leave_pending_request_returns_pending(app):
    a = make_association(join_policy=JoinPolicy.REQUEST)
    user = make_user()
    make_membership(user, a, status=MembershipStatus.PENDING)
    with app.test_request_context("/"):
        assert services.leave_association(user, a) == MembershipStatus.PENDING
    assert membership_of(user, a) is None


def test_search_name_follows_renames():
    a = make_association("РМО Учителей Химии")
    assert a.search_name == "рмо учителей химии"
    a.name = "Ёмкое название"
    db.session.flush()
    stored = db.session.scalar(db.select(Association.search_name).where(Association.id == a.id))
    assert stored == "емкое название"
