"""Join requests: the leaders' page, accepting and declining, with e-mail to the requester."""

from app.associations.models import JoinPolicy, MemberRole, MembershipStatus, Visibility
from app.auth.models import Role
from app.extensions import db
from tests.associations.conftest import archive, member_count, membership_of, text
from tests.conftest import body_text
from tests.factories import make_association, make_membership, make_school, make_user


def _setup(**kwargs):
    leader = make_user()
    a = make_association("РМО учителей биологии", join_policy=JoinPolicy.REQUEST, leader=leader, **kwargs)
    asker = make_user(full_name="Морозова Дарья", email="asker@example.org", school=make_school(short_name="СОШ № 9"))
    m = make_membership(asker, a, status=MembershipStatus.PENDING)
    m.message = "Прошу принять"
    db.session.flush()
    return leader, a, asker, m


def test_leader_sees_pending_requests(client, login):
    leader, a, _asker, _m = _setup()
    login(leader)
    response = client.get(f"/associations/{a.slug}/requests")
    assert response.status_code == 200
    html = text(response)
    assert "Морозова Дарья" in html and "Прошу принять" in html and "СОШ № 9" in html
    assert "заявка от" in html


def test_admin_sees_requests(client, login):
    _leader, a, _asker, _m = _setup()
    login(make_user(role=Role.ADMIN))
    assert client.get(f"/associations/{a.slug}/requests").status_code == 200


def test_others_are_refused(client, login, switch_to):
    _leader, a, asker, _m = _setup()
    member = make_user()
    make_membership(member, a)
    url = f"/associations/{a.slug}/requests"
    login(member)
    assert client.get(url).status_code == 403
    switch_to(asker)
    assert client.get(url).status_code == 403
    switch_to(make_user(role=Role.METHODIST))
    assert client.get(url).status_code == 403
    other_leader = make_user()
    make_association(leader=other_leader)
    switch_to(other_leader)
    assert client.get(url).status_code == 403


def test_members_only_requests_are_404_for_outsiders(client, login):
    leader = make_user()
    a = make_association(visibility=Visibility.MEMBERS, leader=leader)
    login(make_user())
    assert client.get(f"/associations/{a.slug}/requests").status_code == 404


def test_anonymous_goes_to_login(client):
    _leader, a, _asker, m = _setup()
    for response in (
        client.get(f"/associations/{a.slug}/requests"),
        client.post(f"/associations/{a.slug}/requests/{m.id}/accept"),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_accept_makes_member_and_mails_requester(client, login, smtp):
    leader, a, asker, m = _setup()
    assert member_count(a) == 1
    login(leader)
    response = client.post(f"/associations/{a.slug}/requests/{m.id}/accept", follow_redirects=True)
    assert "Морозова Дарья принят(а) в объединение." in text(response)
    assert membership_of(asker, a).status == MembershipStatus.ACTIVE
    assert member_count(a) == 2
    smtp.wait(1)
    [mail] = smtp.to(asker.email)
    assert "Заявка принята" in mail["Subject"]
    assert f"http://localhost/associations/{a.slug}/" in body_text(mail)


def test_decline_removes_request_and_mails_requester(client, login, smtp):
    leader, a, asker, m = _setup()
    login(leader)
    response = client.post(f"/associations/{a.slug}/requests/{m.id}/decline", follow_redirects=True)
    assert "Заявка от Морозова Дарья отклонена." in text(response)
    assert membership_of(asker, a) is None
    assert member_count(a) == 1
    smtp.wait(1)
    [mail] = smtp.to(asker.email)
    assert "Заявка отклонена" in mail["Subject"]
    assert "отклонил вашу заявку" in body_text(mail)


def test_member_cannot_accept(client, login):
    _leader, a, asker, m = _setup()
    member = make_user()
    make_membership(member, a)
    login(member)
    assert client.post(f"/associations/{a.slug}/requests/{m.id}/accept").status_code == 403
    assert client.post(f"/associations/{a.slug}/requests/{m.id}/decline").status_code == 403
    assert membership_of(asker, a).status == MembershipStatus.PENDING


def test_membership_of_another_association_is_404(client, login):
    leader, a, _asker, _m = _setup()
    other = make_association(join_policy=JoinPolicy.REQUEST)
    stranger = make_user()
    foreign = make_membership(stranger, other, status=MembershipStatus.PENDING)
    login(leader)
    assert client.post(f"/associations/{a.slug}/requests/{foreign.id}/accept").status_code == 404
    assert membership_of(stranger, other).status == MembershipStatus.PENDING
    assert client.post(f"/associations/{a.slug}/requests/999999/accept").status_code == 404
    assert client.post("/associations/nope/requests/1/accept").status_code == 404


def test_accepting_an_active_membership_is_a_message(client, login, smtp):
    leader, a, _asker, _m = _setup()
    member = make_user()
    active = make_membership(member, a)
    login(leader)
    response = client.post(f"/associations/{a.slug}/requests/{active.id}/decline", follow_redirects=True)
    assert "Эта заявка уже рассмотрена." in text(response)
    assert membership_of(member, a).status == MembershipStatus.ACTIVE
    assert not smtp.messages


def test_leader_role_survives_acceptance(client, login):
    leader, a, _asker, _m = _setup()
    future = make_user()
    pending = make_membership(future, a, role=MemberRole.LEADER, status=MembershipStatus.PENDING)
    login(leader)
    client.post(f"/associations/{a.slug}/requests/{pending.id}/accept")
    assert membership_of(future, a).role == MemberRole.LEADER


def test_archived_requests_only_for_admin(client, login, switch_to):
    leader, a, _asker, _m = _setup()
    archive(a)
    login(leader)
    assert client.get(f"/associations/{a.slug}/requests").status_code == 403
    switch_to(make_user(role=Role.ADMIN))
    html = text(client.get(f"/associations/{a.slug}/requests"))
    assert "приглашать в него нельзя" in html


def test_query_count_does_not_grow_with_requests(client, login, count_queries):
    leader, a, _asker, _m = _setup()
    login(leader)
    with count_queries() as one:
        assert client.get(f"/associations/{a.slug}/requests").status_code == 200
    for _ in range(49):
        make_membership(make_user(school=make_school()), a, status=MembershipStatus.PENDING)
    with count_queries() as fifty:
        assert client.get(f"/associations/{a.slug}/requests").status_code == 200
    assert fifty.count == one.count, fifty.statements
