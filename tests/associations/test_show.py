"""The association page: facts, leaders, members preview and the one action that fits the viewer."""

from app.associations.models import AssociationKind, JoinPolicy, MemberRole, MembershipStatus, Visibility
from app.auth.models import Role
from app.directory.models import EducationLevel
from tests.associations.conftest import archive, text
from tests.factories import make_association, make_invitation, make_membership, make_school, make_subject, make_user


def test_unknown_slug_is_404(client):
    assert client.get("/associations/no-such-thing/").status_code == 404


def test_shows_facts_and_rendered_description(client):
    school = make_school(name="МКОУ Лицей № 3", short_name="Лицей № 3")
    a = make_association(
        "ШМО учителей физики",
        kind=AssociationKind.SCHOOL,
        school=school,
        subjects=[make_subject("Физика")],
        levels=[EducationLevel.BASIC, EducationLevel.SECONDARY],
        description="Мы **любим** физику.\n\n<script>alert(1)</script>",
        join_policy=JoinPolicy.REQUEST,
    )
    html = text(client.get(f"/associations/{a.slug}/"))
    assert "<h1>ШМО учителей физики</h1>" in html
    assert "<strong>любим</strong>" in html
    assert "<script>alert(1)" not in html
    for fact in ("школьное МО", "МКОУ Лицей № 3", "Физика", "Основное общее образование", "Среднее общее образование",
                 "открытое", "по заявке", "0 участников"):  # fmt: skip
        assert fact in html


def test_members_only_hidden_from_outsiders(client, login, switch_to):
    a = make_association(visibility=Visibility.MEMBERS)
    url = f"/associations/{a.slug}/"
    assert client.get(url).status_code == 404
    outsider, member, admin, asker = make_user(), make_user(), make_user(role=Role.ADMIN), make_user()
    make_membership(member, a)
    make_membership(asker, a, status=MembershipStatus.PENDING)
    login(outsider)
    assert client.get(url).status_code == 404
    switch_to(asker)
    assert client.get(url).status_code == 404
    switch_to(member)
    assert client.get(url).status_code == 200
    switch_to(admin)
    assert client.get(url).status_code == 200


def test_leaders_link_to_profiles_for_signed_in_users(client, login):
    leader = make_user(full_name="Петрова Анна Сергеевна")
    member = make_user(full_name="Сидоров Олег Иванович")
    a = make_association(leader=leader, members=[member])
    anonymous_html = text(client.get(f"/associations/{a.slug}/"))
    assert leader.full_name not in anonymous_html  # names are for signed-in colleagues (privacy policy)
    login(make_user())
    html = text(client.get(f"/associations/{a.slug}/"))
    assert f'<a href="/users/{leader.id}">{leader.full_name}</a>' in html
    assert leader.full_name in html and member.full_name in html
    assert f"/associations/{a.slug}/members" in html


def test_action_for_anonymous_is_sign_in(client):
    a = make_association()
    html = text(client.get(f"/associations/{a.slug}/"))
    assert "Войдите, чтобы вступить" in html
    assert f"/login?next=/associations/{a.slug}/" in html
    assert "/join" not in html


def test_action_open_is_join(client, login):
    a = make_association(join_policy=JoinPolicy.OPEN)
    login(make_user())
    html = text(client.get(f"/associations/{a.slug}/"))
    assert f'action="/associations/{a.slug}/join"' in html
    assert ">Вступить<" in html
    assert "Подать заявку" not in html


def test_action_by_request_is_request_form_with_message(client, login):
    a = make_association(join_policy=JoinPolicy.REQUEST)
    login(make_user())
    html = text(client.get(f"/associations/{a.slug}/"))
    assert "Подать заявку" in html
    assert 'name="message"' in html and "<textarea" in html
    assert '<label for="message">Сообщение руководителю</label>' in html


def test_action_invitation_only_is_a_note(client, login):
    a = make_association(join_policy=JoinPolicy.INVITATION)
    login(make_user())
    html = text(client.get(f"/associations/{a.slug}/"))
    assert "Только по приглашению" in html
    assert "/join" not in html


def test_action_for_invited_user_is_accept(client, login):
    a = make_association(join_policy=JoinPolicy.INVITATION)
    user = make_user()
    invitation = make_invitation(a, user.email)
    login(user)
    html = text(client.get(f"/associations/{a.slug}/"))
    assert f"/associations/invitations/{invitation.id}/accept" in html
    assert "Принять приглашение" in html


def test_action_for_pending_request_is_cancel(client, login):
    a = make_association(join_policy=JoinPolicy.REQUEST)
    user = make_user()
    make_membership(user, a, status=MembershipStatus.PENDING)
    login(user)
    html = text(client.get(f"/associations/{a.slug}/"))
    assert "Заявка отправлена — отменить" in html
    assert f'action="/associations/{a.slug}/leave"' in html
    assert "Подать заявку" not in html


def test_action_for_member_is_leave(client, login):
    a = make_association()
    user = make_user()
    make_membership(user, a)
    login(user)
    html = text(client.get(f"/associations/{a.slug}/"))
    assert "Выйти из объединения" in html
    assert "Вы участник этого объединения." in html


def test_leader_sees_requests_link(client, login):
    leader = make_user()
    a = make_association(leader=leader)
    login(leader)
    html = text(client.get(f"/associations/{a.slug}/"))
    assert f"/associations/{a.slug}/requests" in html
    assert "Вы руководитель этого объединения." in html


def test_member_does_not_see_requests_link(client, login):
    member = make_user()
    a = make_association(members=[member])
    login(member)
    assert f"/associations/{a.slug}/requests" not in text(client.get(f"/associations/{a.slug}/"))


def test_archived_is_read_only(client, login):
    a = make_association()
    archive(a)
    login(make_user())
    html = text(client.get(f"/associations/{a.slug}/"))
    assert "Объединение в архиве" in html
    assert "/join" not in html and "Войдите, чтобы вступить" not in html


def test_members_preview_only_active_members(client, login):
    leader = make_user(full_name="Руководитель Первый")
    asker = make_user(full_name="Заявитель Второй")
    a = make_association(leader=leader, join_policy=JoinPolicy.REQUEST)
    make_membership(asker, a, status=MembershipStatus.PENDING)
    login(make_user())
    html = text(client.get(f"/associations/{a.slug}/"))
    assert "Руководитель Первый" in html and "Заявитель Второй" not in html
    assert MemberRole.LEADER.label in html


def test_new_members_are_the_twelve_who_joined_last_and_leaders_are_listed_apart(client, login):
    from datetime import timedelta

    from app.db import utcnow
    from app.extensions import db

    leader = make_user(full_name="Руководитель Давний")
    a = make_association(leader=leader)
    people = [make_user(full_name=f"Участник {n:02d}") for n in range(14)]
    start = utcnow() - timedelta(days=30)
    for n, person in enumerate(people):
        make_membership(person, a).joined_at = start + timedelta(days=n)
    make_membership(leader, a, role=MemberRole.LEADER).joined_at = start - timedelta(days=1)  # joined first
    db.session.commit()
    login(people[0])
    html = text(client.get(f"/associations/{a.slug}/"))
    newest = html.split("Новые участники", 1)[1]
    assert "Участник 13" in newest and "Участник 02" in newest
    assert "Участник 01" not in newest and "Участник 00" not in newest  # the two who joined first
    assert newest.index("Участник 13") < newest.index("Участник 12")  # the latest first
    facts = html.split("Новые участники", 1)[0]
    assert "Руководитель Давний" in facts and "Руководитель Давний" not in newest
