"""The member list: who may see it, what each row shows, paging and query count."""

from app.associations.models import MemberRole, MembershipStatus, Visibility
from app.auth.models import Role
from tests.associations.conftest import text
from tests.factories import make_association, make_membership, make_school, make_user


def test_anonymous_is_sent_to_login(client):
    a = make_association()
    response = client.get(f"/associations/{a.slug}/members")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_unknown_is_404(client, login):
    login(make_user())
    assert client.get("/associations/nope/members").status_code == 404


def test_members_only_hidden_from_outsiders(client, login, switch_to):
    member = make_user()
    a = make_association(visibility=Visibility.MEMBERS, members=[member])
    login(make_user())
    assert client.get(f"/associations/{a.slug}/members").status_code == 404
    switch_to(member)
    assert client.get(f"/associations/{a.slug}/members").status_code == 200
    switch_to(make_user(role=Role.ADMIN))
    assert client.get(f"/associations/{a.slug}/members").status_code == 200


def test_rows_show_role_school_and_date(client, login):
    school = make_school(short_name="Гимназия № 1")
    leader = make_user(full_name="Алексеева Ирина", school=school)
    member = make_user(full_name="Борисов Пётр")
    asker = make_user(full_name="Васильева Ольга")
    a = make_association(leader=leader, members=[member])
    make_membership(asker, a, status=MembershipStatus.PENDING)
    login(make_user())
    html = text(client.get(f"/associations/{a.slug}/members"))
    assert '<th scope="col">Роль</th>' in html
    leader_row = html.split(leader.full_name, 1)[1].split("</tr>", 1)[0]
    assert MemberRole.LEADER.label in leader_row and "Гимназия № 1" in leader_row
    member_row = html.split(member.full_name, 1)[1].split("</tr>", 1)[0]
    assert "участник" in member_row and "—" in member_row
    assert html.index(leader.full_name) < html.index(member.full_name)  # leaders first
    assert asker.full_name not in html  # a pending request is not a member


def test_joined_date_is_shown(client, login):
    user = make_user(full_name="Григорьев Денис")
    a = make_association(members=[user])
    login(user)
    html = text(client.get(f"/associations/{a.slug}/members"))
    row = html.split(user.full_name, 1)[1].split("</tr>", 1)[0]
    months = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")  # fmt: skip
    assert any(month in row for month in months)


def test_pagination(client, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 3)
    users = [make_user(full_name=f"Участник {n}") for n in range(4)]
    a = make_association(members=users)
    login(users[0])
    first = text(client.get(f"/associations/{a.slug}/members"))
    assert "Участник 0" in first and "Участник 3" not in first
    assert f"/associations/{a.slug}/members?page=2" in first
    second = text(client.get(f"/associations/{a.slug}/members?page=2"))
    assert "Участник 3" in second and "Участник 0" not in second


def test_query_count_does_not_grow_with_rows(client, login, count_queries, app, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 50)
    viewer = make_user()
    a = make_association(members=[viewer])
    login(viewer)
    with count_queries() as one:
        assert client.get(f"/associations/{a.slug}/members").status_code == 200
    for _ in range(49):
        make_membership(make_user(school=make_school()), a)
    with count_queries() as fifty:
        response = client.get(f"/associations/{a.slug}/members")
    assert text(response).count('<th scope="row">') == 50
    assert fifty.count == one.count, fifty.statements
