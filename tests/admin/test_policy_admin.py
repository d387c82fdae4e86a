"""The admin-area questions in app/policy.py, role by role."""

import pytest
from flask_login import AnonymousUserMixin

from app import policy
from app.auth.models import Role, UserStatus
from tests.factories import make_user


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        (Role.ADMIN, UserStatus.ACTIVE, True),
        (Role.ADMIN, UserStatus.SUSPENDED, False),
        (Role.ADMIN, UserStatus.PENDING, False),
        (Role.METHODIST, UserStatus.ACTIVE, False),
        (Role.TEACHER, UserStatus.ACTIVE, False),
    ],
)
def test_admin_questions_by_role(role, status, expected):
    actor, target = make_user(role=role, status=status), make_user()
    assert policy.can_access_admin(actor) is expected
    assert policy.can_suspend_user(actor, target) is expected
    assert policy.can_change_role(actor, target, Role.METHODIST) is expected


def test_anonymous_may_do_nothing():
    anonymous, target = AnonymousUserMixin(), make_user()
    assert not policy.can_access_admin(anonymous)
    assert not policy.can_suspend_user(anonymous, target)
    assert not policy.can_change_role(anonymous, target, Role.TEACHER)


def test_admin_may_not_suspend_or_demote_themself():
    admin = make_user(role=Role.ADMIN)
    assert not policy.can_suspend_user(admin, admin)
    assert not policy.can_change_role(admin, admin)
    assert not policy.can_change_role(admin, admin, Role.TEACHER)
    assert policy.can_change_role(admin, admin, Role.ADMIN)  # staying an admin is no demotion
