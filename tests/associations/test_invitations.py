"""Invitations by e-mail address: creating, re-inviting, the invitee's list, accepting and declining."""

import pytest

from app.associations.models import Invitation, JoinPolicy, MemberRole, MembershipStatus, Visibility
from app.auth.models import Role
from app.extensions import db
from tests.associations.conftest import archive, member_count, membership_of, text
from tests.conftest import body_text
from tests.factories import make_association, make_invitation, make_membership, make_user


def _invitations(association):
    return list(
        db.session.scalars(
            db.select(Invitation)
            .where(Invitation.association_id == association.id)
            .execution_options(populate_existing=True)
        )
    )


def _invite(client, association, email):
    return client.post(f"/associations/{association.slug}/invite", data={"email": email})


def test_leader_invites_an_existing_account(client, login, smtp):
    leader = make_user(full_name="Лидерова Нина")
    a = make_association("Совет по ФГОС", join_policy=JoinPolicy.INVITATION, leader=leader)
    invitee = make_user(email="teacher@example.org")
    login(leader)
    response = _invite(client, a, "  Teacher@Example.org ")
    assert response.status_code == 302
    [invitation] = _invitations(a)
    assert invitation.email == "teacher@example.org" and invitation.invited_by_id == leader.id
    smtp.wait(1)
    [mail] = smtp.to(invitee.email)
    assert "Совет по ФГОС" in mail["Subject"]
    body = body_text(mail)
    assert "Лидерова Нина" in body and "http://localhost/associations/invitations" in body
    assert "/register" not in body


def test_invite_address_without_account_points_to_registration(client, login, smtp, switch_to):
    leader = make_user()
    a = make_association(leader=leader, join_policy=JoinPolicy.INVITATION)
    login(leader)
    response = _invite(client, a, "newcomer@example.org")
    assert response.status_code == 302
    smtp.wait(1)
    [mail] = smtp.to("newcomer@example.org")
    body = body_text(mail)
    assert "http://localhost/register" in body and "newcomer@example.org" in body
    # The invitation waits for the account made with that address.
    newcomer = make_user(email="newcomer@example.org")
    switch_to(newcomer)
    html = text(client.get("/associations/invitations"))
    assert a.name in html
    [invitation] = _invitations(a)
    client.post(f"/associations/invitations/{invitation.id}/accept")
    assert membership_of(newcomer, a).status == MembershipStatus.ACTIVE


def test_reinviting_does_not_duplicate(client, login):
    leader = make_user()
    a = make_association(leader=leader)
    login(leader)
    _invite(client, a, "twice@example.org")
    response = _invite(client, a, "TWICE@example.org")
    assert response.status_code == 302
    assert len(_invitations(a)) == 1
    html = text(client.get(response.headers["Location"]))
    assert "отправлено повторно" in html


def test_reinviting_after_decline_reopens_the_invitation(client, login, switch_to):
    leader = make_user()
    a = make_association(leader=leader)
    invitee = make_user()
    invitation = make_invitation(a, invitee.email, invited_by=leader)
    login(invitee)
    client.post(f"/associations/invitations/{invitation.id}/decline")
    assert _invitations(a)[0].declined_at is not None
    switch_to(leader)
    _invite(client, a, invitee.email)
    [again] = _invitations(a)
    assert again.declined_at is None and again.accepted_at is None


def test_inviting_a_member_is_a_message(client, login, smtp):
    leader = make_user()
    member = make_user(full_name="Уже Участникова")
    a = make_association(leader=leader, members=[member])
    login(leader)
    response = _invite(client, a, member.email)
    assert response.status_code == 400
    assert "Уже Участникова уже участник этого объединения." in text(response)
    assert _invitations(a) == []
    assert not smtp.messages


def test_inviting_someone_with_a_pending_request_points_to_the_request(client, login):
    leader = make_user()
    a = make_association(leader=leader, join_policy=JoinPolicy.REQUEST)
    asker = make_user()
    make_membership(asker, a, status=MembershipStatus.PENDING)
    login(leader)
    response = _invite(client, a, asker.email)
    assert response.status_code == 400
    assert "уже есть заявка" in text(response)


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "x" * 250 + "@example.org"])
def test_invalid_email_is_400_with_message_kept(client, login, email):
    leader = make_user()
    a = make_association(leader=leader)
    login(leader)
    response = _invite(client, a, email)
    assert response.status_code == 400
    html = text(response)
    assert 'class="error"' in html
    if email:
        assert f'value="{email}"' in html
    assert _invitations(a) == []


def test_only_leaders_and_admins_invite(client, login, switch_to):
    leader, member = make_user(), make_user()
    a = make_association(leader=leader, members=[member])
    login(member)
    assert _invite(client, a, "x@example.org").status_code == 403
    switch_to(make_user(role=Role.METHODIST))
    assert _invite(client, a, "x@example.org").status_code == 403
    switch_to(make_user(role=Role.ADMIN))
    assert _invite(client, a, "x@example.org").status_code == 302
    assert len(_invitations(a)) == 1


def test_invite_anonymous_and_hidden_and_archived(client, login):
    a = make_association()
    response = _invite(client, a, "x@example.org")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    hidden = make_association(visibility=Visibility.MEMBERS)
    login(make_user(role=Role.TEACHER))
    assert _invite(client, hidden, "x@example.org").status_code == 404
    assert client.post("/associations/nope/invite", data={"email": "x@example.org"}).status_code == 404


def test_archived_association_takes_no_invitations(client, login):
    admin = make_user(role=Role.ADMIN)
    a = archive(make_association())
    login(admin)
    assert _invite(client, a, "x@example.org").status_code == 403


def test_invitation_list_and_accept_into_invitation_only(client, login):
    a = make_association("Творческая группа «Цифра»", join_policy=JoinPolicy.INVITATION)
    invitee = make_user()
    invitation = make_invitation(a, invitee.email)
    login(invitee)
    html = text(client.get("/associations/invitations"))
    assert "Творческая группа «Цифра»" in html
    assert f"/associations/invitations/{invitation.id}/accept" in html
    response = client.post(f"/associations/invitations/{invitation.id}/accept")
    assert response.status_code == 302 and response.headers["Location"] == f"/associations/{a.slug}/"
    m = membership_of(invitee, a)
    assert m.status == MembershipStatus.ACTIVE and m.role == MemberRole.MEMBER
    assert member_count(a) == 1
    assert _invitations(a)[0].accepted_at is not None
    assert f"/associations/invitations/{invitation.id}/accept" not in text(client.get("/associations/invitations"))


def test_accept_turns_a_pending_request_active(client, login):
    a = make_association(join_policy=JoinPolicy.REQUEST)
    user = make_user()
    make_membership(user, a, status=MembershipStatus.PENDING)
    invitation = make_invitation(a, user.email)
    login(user)
    client.post(f"/associations/invitations/{invitation.id}/accept")
    assert membership_of(user, a).status == MembershipStatus.ACTIVE
    assert member_count(a) == 1


def test_accept_twice_is_a_message(client, login):
    a = make_association()
    user = make_user()
    invitation = make_invitation(a, user.email)
    login(user)
    client.post(f"/associations/invitations/{invitation.id}/accept")
    response = client.post(f"/associations/invitations/{invitation.id}/accept", follow_redirects=True)
    assert "Это приглашение уже рассмотрено." in text(response)
    assert member_count(a) == 1


def test_decline(client, login):
    a = make_association(join_policy=JoinPolicy.INVITATION)
    user = make_user()
    invitation = make_invitation(a, user.email)
    login(user)
    response = client.post(f"/associations/invitations/{invitation.id}/decline", follow_redirects=True)
    assert "Приглашение отклонено." in text(response)
    assert membership_of(user, a) is None
    assert _invitations(a)[0].declined_at is not None


def test_only_the_invited_address_may_answer(client, login):
    a = make_association(join_policy=JoinPolicy.INVITATION)
    make_user(email="owner@example.org")
    invitation = make_invitation(a, "owner@example.org")
    intruder = make_user()
    login(intruder)
    assert client.post(f"/associations/invitations/{invitation.id}/accept").status_code == 404
    assert client.post(f"/associations/invitations/{invitation.id}/decline").status_code == 404
    assert membership_of(intruder, a) is None
    assert "owner@example.org" not in text(client.get("/associations/invitations"))
    assert client.post("/associations/invitations/999999/accept").status_code == 404


def test_invitation_pages_need_sign_in(client):
    a = make_association()
    invitation = make_invitation(a, "someone@example.org")
    for response in (
        client.get("/associations/invitations"),
        client.post(f"/associations/invitations/{invitation.id}/accept"),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_archived_invitation_is_not_offered_or_accepted(client, login):
    a = make_association()
    user = make_user()
    invitation = make_invitation(a, user.email)
    archive(a)
    login(user)
    assert a.name not in text(client.get("/associations/invitations"))
    response = client.post(f"/associations/invitations/{invitation.id}/accept", follow_redirects=True)
    assert "Объединение в архиве" in text(response)
    assert membership_of(user, a) is None


def test_requests_page_lists_open_invitations(client, login):
    leader = make_user()
    a = make_association(leader=leader)
    make_invitation(a, "waiting@example.org", invited_by=leader)
    login(leader)
    html = text(client.get(f"/associations/{a.slug}/requests"))
    assert "waiting@example.org" in html
    assert f'action="/associations/{a.slug}/invite"' in html
