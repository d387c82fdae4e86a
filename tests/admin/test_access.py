"""Only admins reach /admin/: anonymous → log in, everyone else → 403 on every URL; unknown ids → 404."""

import pytest

from app.associations.models import MemberRole
from app.auth.models import Role, UserStatus
from tests.admin.conftest import audit_entries, text
from tests.factories import make_association, make_school, make_subject, make_user

GET_URLS = [
    "/admin/",
    "/admin/users",
    "/admin/users/{user}",
    "/admin/schools",
    "/admin/schools/new",
    "/admin/schools/{school}/edit",
    "/admin/subjects",
    "/admin/subjects/new",
    "/admin/subjects/{subject}/edit",
    "/admin/associations",
    "/admin/associations/new",
    "/admin/associations/{association}/edit",
    "/admin/audit",
]
POST_URLS = [
    "/admin/users/{user}/approve",
    "/admin/users/{user}/role",
    "/admin/users/{user}/suspend",
    "/admin/users/{user}/reactivate",
    "/admin/schools/new",
    "/admin/schools/{school}/edit",
    "/admin/subjects/new",
    "/admin/subjects/{subject}/edit",
    "/admin/associations/new",
    "/admin/associations/{association}/edit",
    "/admin/associations/{association}/archive",
    "/admin/associations/{association}/unarchive",
    "/admin/associations/{association}/leaders",
    "/admin/associations/{association}/leaders/{leader}/remove",
]
# Form data that an admin's request would accept, so a refusal can only come from the permission check.
POST_DATA = {
    "approve-reason": "",
    "role-role": "admin",
    "suspend-reason": "спам",
    "name": "Новая организация",
    "short_name": "НО",
    "kind": "school",
    "archive-reason": "не работает",
    "leader-email": "someone@example.org",
}


@pytest.fixture
def targets():
    leader = make_user(full_name="Руководитель МО")
    association = make_association(leader=leader)
    pending = make_user(status=UserStatus.PENDING)
    return {
        "user": pending.id,
        "school": make_school().id,
        "subject": make_subject().id,
        "association": association.id,
        "leader": leader.id,
    }


def _people():
    teacher = make_user()
    methodist = make_user(role=Role.METHODIST)
    leader = make_user()
    make_association(leader=leader)
    return {"teacher": teacher, "methodist": methodist, "leader": leader}


@pytest.mark.parametrize("url", GET_URLS + POST_URLS)
def test_anonymous_is_sent_to_login(client, targets, url):
    method = client.post if url in POST_URLS and url not in GET_URLS else client.get
    response = method(url.format(**targets), data=POST_DATA)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who", ["teacher", "methodist", "leader"])
def test_non_admins_get_403_everywhere(client, login, targets, who):
    login(_people()[who])
    for url in GET_URLS:
        assert client.get(url.format(**targets)).status_code == 403, url
    for url in POST_URLS:
        assert client.post(url.format(**targets), data=POST_DATA).status_code == 403, url
    assert audit_entries() == []


def test_the_leader_really_is_a_leader():
    # The "leader" above must be what its name says, or the 403 test proves less than it claims.
    from app import policy

    people = _people()
    from app.associations.models import Membership
    from app.extensions import db

    roles = db.session.scalars(db.select(Membership.role).where(Membership.user_id == people["leader"].id)).all()
    assert roles == [MemberRole.LEADER]
    assert not policy.can_access_admin(people["leader"])


@pytest.mark.parametrize(
    "url",
    [
        "/admin/users/999999",
        "/admin/schools/999999/edit",
        "/admin/subjects/999999/edit",
        "/admin/associations/999999/edit",
    ],
)
def test_unknown_ids_are_404_for_admins(client, admin, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/admin/users/999999/approve",
        "/admin/users/999999/role",
        "/admin/users/999999/suspend",
        "/admin/users/999999/reactivate",
        "/admin/schools/999999/edit",
        "/admin/subjects/999999/edit",
        "/admin/associations/999999/edit",
        "/admin/associations/999999/archive",
        "/admin/associations/999999/unarchive",
        "/admin/associations/999999/leaders",
        "/admin/associations/999999/leaders/1/remove",
    ],
)
def test_unknown_ids_are_404_on_post(client, admin, url):
    assert client.post(url, data=POST_DATA).status_code == 404


def test_state_changes_refuse_get(client, admin, targets):
    assert client.get(f"/admin/users/{targets['user']}/approve").status_code == 405


def test_menu_shows_admin_link_to_admins_only(client, login):
    teacher = make_user()
    login(teacher)
    assert "Администрирование" not in text(client.get("/admin/users/0"))  # the 403 page has the menu too
    client.post("/logout")
    login(make_user(role=Role.ADMIN))
    html = text(client.get("/admin/"))
    assert '<a href="/admin/" aria-current="page">Администрирование</a>' in html
