"""The home page's association parts: visitors' intro, the user's associations, invitations and requests."""

from app.associations.models import JoinPolicy, MemberRole, MembershipStatus, Visibility
from app.auth.models import Role
from tests.associations.conftest import archive, text
from tests.factories import make_association, make_invitation, make_membership, make_user


def test_visitor_sees_intro_and_public_associations(client):
    public = make_association("РМО учителей технологии")
    hidden = make_association("Закрытая группа", visibility=Visibility.MEMBERS)
    old = archive(make_association("Архивное МО"))
    html = text(client.get("/"))
    assert "Что здесь есть" in html
    assert public.name in html
    assert hidden.name not in html and old.name not in html
    assert 'href="/associations/"' in html


def test_signed_in_user_sees_own_associations_and_role(client, login):
    user = make_user()
    led = make_association("МО, которым руковожу", leader=user)
    joined = make_association("МО, где участвую", members=[user])
    make_association("Чужое МО")
    login(user)
    html = text(client.get("/"))
    assert led.name in html and joined.name in html and "Чужое МО" not in html
    assert "вы руководитель" in html


def test_pending_invitations_on_home(client, login):
    user = make_user()
    a = make_association("Группа по приглашению", join_policy=JoinPolicy.INVITATION)
    invitation = make_invitation(a, user.email)
    login(user)
    html = text(client.get("/"))
    assert "Приглашения" in html and a.name in html
    assert f'action="/associations/invitations/{invitation.id}/accept"' in html


def test_leader_sees_pending_request_count_with_link(client, login):
    leader = make_user()
    a = make_association("МО с заявками", join_policy=JoinPolicy.REQUEST, leader=leader)
    quiet = make_association("МО без заявок", join_policy=JoinPolicy.REQUEST, leader=leader)
    make_membership(make_user(), a, status=MembershipStatus.PENDING)
    login(leader)
    html = text(client.get("/"))
    assert f'href="/associations/{a.slug}/requests"' in html
    assert "1 новая заявка" in html
    assert f'href="/associations/{quiet.slug}/requests"' not in html


def test_member_sees_no_request_counts(client, login):
    member = make_user()
    a = make_association(join_policy=JoinPolicy.REQUEST, members=[member])
    make_membership(make_user(), a, status=MembershipStatus.PENDING)
    login(member)
    assert f"/associations/{a.slug}/requests" not in text(client.get("/"))


def test_admin_sees_request_counts_of_every_association(client, login):
    a = make_association(join_policy=JoinPolicy.REQUEST)
    make_membership(make_user(), a, status=MembershipStatus.PENDING)
    login(make_user(role=Role.ADMIN))
    assert f"/associations/{a.slug}/requests" in text(client.get("/"))


def test_my_pending_requests_on_home(client, login):
    user = make_user()
    a = make_association("МО, куда я просился", join_policy=JoinPolicy.REQUEST)
    make_membership(user, a, status=MembershipStatus.PENDING)
    login(user)
    html = text(client.get("/"))
    assert "Мои заявки" in html and a.name in html


def test_nav_has_associations_for_everyone(client, login):
    assert 'href="/associations/"' in text(client.get("/privacy"))
    login(make_user())
    assert 'href="/associations/"' in text(client.get("/privacy"))


def test_leader_of_another_role_sees_only_own(client, login):
    leader = make_user()
    mine = make_association(join_policy=JoinPolicy.REQUEST)
    make_membership(leader, mine, role=MemberRole.LEADER)
    other = make_association(join_policy=JoinPolicy.REQUEST)
    make_membership(make_user(), other, status=MembershipStatus.PENDING)
    make_membership(make_user(), mine, status=MembershipStatus.PENDING)
    login(leader)
    html = text(client.get("/"))
    assert f"/associations/{mine.slug}/requests" in html
    assert f"/associations/{other.slug}/requests" not in html
