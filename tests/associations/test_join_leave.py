"""Joining (open, by request, by invitation only), leaving and withdrawing requests; the member counter."""

from datetime import timedelta

from app.associations.models import JoinPolicy, MemberRole, MembershipStatus, Visibility
from app.auth.models import Role
from app.db import utcnow
from app.extensions import db
from tests.associations.conftest import archive, member_count, membership_of, text
from tests.conftest import body_text
from tests.factories import make_association, make_invitation, make_membership, make_user


def test_anonymous_join_goes_to_login(client):
    a = make_association()
    response = client.post(f"/associations/{a.slug}/join")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert member_count(a) == 0


def test_join_open_makes_active_member(client, login):
    user = make_user()
    a = make_association(join_policy=JoinPolicy.OPEN)
    login(user)
    response = client.post(f"/associations/{a.slug}/join", follow_redirects=True)
    assert "Вы вступили в объединение" in text(response)
    m = membership_of(user, a)
    assert m.status == MembershipStatus.ACTIVE and m.role == MemberRole.MEMBER and m.joined_at is not None
    assert member_count(a) == 1


def test_join_twice_is_a_friendly_message(client, login):
    user = make_user()
    a = make_association(members=[user])
    login(user)
    response = client.post(f"/associations/{a.slug}/join", follow_redirects=True)
    assert response.status_code == 200
    assert "Вы уже участник этого объединения." in text(response)
    assert member_count(a) == 1


def test_join_by_request_creates_pending_and_mails_every_leader(client, login, smtp):
    leaders = [make_user(email="lead1@example.org"), make_user(email="lead2@example.org")]
    a = make_association("РМО учителей литературы", join_policy=JoinPolicy.REQUEST)
    for leader in leaders:
        make_membership(leader, a, role=MemberRole.LEADER)
    user = make_user(full_name="Кузнецова Вера")
    login(user)
    response = client.post(f"/associations/{a.slug}/join", data={"message": "Веду литературу в 5-9 классах"})
    assert response.status_code == 302
    m = membership_of(user, a)
    assert m.status == MembershipStatus.PENDING and m.message == "Веду литературу в 5-9 классах"
    assert member_count(a) == 2  # the two leaders; a request does not count
    smtp.deliver(now=utcnow() + timedelta(minutes=6))  # after the notices' grouping window
    for leader in leaders:
        [mail] = smtp.to(leader.email)
        assert "РМО учителей литературы" in mail["Subject"]
        body = body_text(mail)
        assert "Кузнецова Вера" in body and "Веду литературу в 5-9 классах" in body
        assert f"http://localhost/associations/{a.slug}/requests" in body


def test_join_request_without_leader_goes_to_admins(client, login, smtp):
    admin = make_user(role=Role.ADMIN, email="boss@example.org")
    a = make_association(join_policy=JoinPolicy.REQUEST)
    login(make_user())
    client.post(f"/associations/{a.slug}/join")
    smtp.deliver(now=utcnow() + timedelta(minutes=6))
    assert smtp.to(admin.email)


def test_join_request_message_too_long_is_400_and_kept(client, login):
    a = make_association(join_policy=JoinPolicy.REQUEST)
    user = make_user()
    login(user)
    response = client.post(f"/associations/{a.slug}/join", data={"message": "щ" * 501})
    assert response.status_code == 400
    html = text(response)
    assert "Не больше 500 символов." in html
    assert "щ" * 501 in html
    assert membership_of(user, a) is None


def test_join_invitation_only_is_403(client, login):
    a = make_association(join_policy=JoinPolicy.INVITATION)
    user = make_user()
    login(user)
    assert client.post(f"/associations/{a.slug}/join").status_code == 403
    assert membership_of(user, a) is None


def test_join_archived_is_403(client, login):
    a = make_association()
    archive(a)
    user = make_user()
    login(user)
    assert client.post(f"/associations/{a.slug}/join").status_code == 403
    assert membership_of(user, a) is None


def test_join_members_only_as_outsider_is_404(client, login):
    a = make_association(visibility=Visibility.MEMBERS)
    login(make_user())
    assert client.post(f"/associations/{a.slug}/join").status_code == 404


def test_join_unknown_is_404(client, login):
    login(make_user())
    assert client.post("/associations/nope/join").status_code == 404


def test_join_by_request_when_invited_is_immediate(client, login):
    user = make_user()
    a = make_association(join_policy=JoinPolicy.REQUEST)
    invitation = make_invitation(a, user.email)
    login(user)
    client.post(f"/associations/{a.slug}/join")
    assert membership_of(user, a).status == MembershipStatus.ACTIVE
    db.session.refresh(invitation)
    assert invitation.accepted_at is not None


def test_join_needs_csrf_token(client, login, csrf):
    a = make_association()
    user = make_user()
    client.get("/login")
    login_page = text(client.get("/login"))
    token = login_page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"email": user.email, "password": "correct-horse-battery-42", "csrf_token": token})
    assert client.post(f"/associations/{a.slug}/join").status_code == 400
    assert membership_of(user, a) is None
    show = text(client.get(f"/associations/{a.slug}/"))
    token = show.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post(f"/associations/{a.slug}/join", data={"csrf_token": token}).status_code == 302
    assert membership_of(user, a) is not None


def test_leave_removes_membership_and_decrements(client, login):
    user, other = make_user(), make_user()
    a = make_association(members=[user, other])
    assert member_count(a) == 2
    login(user)
    response = client.post(f"/associations/{a.slug}/leave", follow_redirects=True)
    assert "Вы вышли из объединения" in text(response)
    assert membership_of(user, a) is None
    assert member_count(a) == 1


def test_leave_cancels_pending_request_without_touching_count(client, login):
    user = make_user()
    a = make_association(join_policy=JoinPolicy.REQUEST, members=[make_user()])
    make_membership(user, a, status=MembershipStatus.PENDING)
    login(user)
    response = client.post(f"/associations/{a.slug}/leave", follow_redirects=True)
    assert "Заявка отменена." in text(response)
    assert membership_of(user, a) is None
    assert member_count(a) == 1


def test_leave_when_not_a_member_is_a_message(client, login):
    a = make_association()
    login(make_user())
    response = client.post(f"/associations/{a.slug}/leave", follow_redirects=True)
    assert response.status_code == 200
    assert "Вы не состоите в этом объединении." in text(response)


def test_last_leader_cannot_leave(client, login):
    leader = make_user()
    a = make_association(leader=leader)
    login(leader)
    response = client.post(f"/associations/{a.slug}/leave", follow_redirects=True)
    assert "единственный руководитель" in text(response)
    assert membership_of(leader, a).role == MemberRole.LEADER


def test_one_of_two_leaders_may_leave(client, login):
    leader, second = make_user(), make_user()
    a = make_association(leader=leader)
    make_membership(second, a, role=MemberRole.LEADER)
    login(leader)
    client.post(f"/associations/{a.slug}/leave")
    assert membership_of(leader, a) is None
    assert member_count(a) == 1


def test_leave_members_only_goes_home(client, login):
    user = make_user()
    a = make_association(visibility=Visibility.MEMBERS, members=[user])
    login(user)
    response = client.post(f"/associations/{a.slug}/leave")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert membership_of(user, a) is None


def test_leave_members_only_as_outsider_is_404(client, login):
    a = make_association(visibility=Visibility.MEMBERS)
    login(make_user())
    assert client.post(f"/associations/{a.slug}/leave").status_code == 404


def test_leave_anonymous_goes_to_login(client):
    a = make_association()
    response = client.post(f"/associations/{a.slug}/leave")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_member_count_follows_joins_and_leaves(client, login, switch_to):
    a = make_association()
    users = [make_user() for _ in range(3)]
    for user in users:
        switch_to(user)
        client.post(f"/associations/{a.slug}/join")
    assert member_count(a) == 3
    switch_to(users[1])
    client.post(f"/associations/{a.slug}/leave")
    client.post(f"/associations/{a.slug}/leave")  # a second click changes nothing
    assert member_count(a) == 2
