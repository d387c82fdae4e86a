"""Public profiles: for signed-in colleagues; pending and suspended ones for admins; e-mail for self and admins."""

import pytest
from flask import url_for

from app.associations.models import MemberRole, MembershipStatus, Visibility
from app.auth.models import Role, UserStatus
from app.extensions import db
from tests.factories import make_association, make_membership, make_school, make_subject, make_user


def url(user) -> str:
    return f"/users/{user.id}"


def test_anonymous_is_sent_to_login(client):
    user = make_user()
    response = client.get(url(user))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_unknown_id_is_404(client, login):
    login(make_user())
    assert client.get("/users/999999").status_code == 404
    assert client.get("/users/abc").status_code == 404


def test_colleague_sees_the_profile_but_not_the_email(client, login):
    school = make_school(name="МКОУ «Лицей № 2» г. Нефтекумска")
    target = make_user(
        Role.METHODIST,
        email="target@example.org",
        full_name="Орлова Вера Павловна",
        school=school,
        position="методист по математике",
        subjects=[make_subject(name="Алгебра"), make_subject(name="Геометрия")],
        levels=["basic", "secondary"],
    )
    login(make_user())
    response = client.get(url(target))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("Орлова Вера Павловна", "Лицей № 2", "методист по математике", "Алгебра, Геометрия", "методист"):
        assert text in html
    assert '<abbr title="Основное общее образование">ООО</abbr>' in html
    assert "target@example.org" not in html
    assert 'href="/settings"' not in html  # no edit buttons on someone else's profile


def test_the_person_sees_their_email_and_edit_links(client, login):
    me = make_user(email="me@example.org")
    login(me)
    html = client.get(url(me)).get_data(as_text=True)
    assert "me@example.org" in html
    assert 'href="/settings"' in html
    assert 'href="/settings/password"' in html


def test_admin_sees_the_email(client, login):
    target = make_user(email="target@example.org")
    login(make_user(Role.ADMIN))
    assert "target@example.org" in client.get(url(target)).get_data(as_text=True)


@pytest.mark.parametrize("status", [UserStatus.PENDING, UserStatus.SUSPENDED])
def test_pending_and_suspended_profiles_are_hidden_except_from_admins(client, login, app, status):
    target = make_user(status=status, full_name="Скрытая Анна Ивановна")
    login(make_user(Role.METHODIST))
    assert client.get(url(target)).status_code == 404

    admin = make_user(Role.ADMIN)
    admin_client = app.test_client()
    admin_client.post("/login", data={"email": admin.email, "password": "correct-horse-battery-42"})
    response = admin_client.get(url(target))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Скрытая Анна Ивановна" in html
    assert status.label in html


def association_url(app, association) -> str:
    with app.test_request_context():
        return url_for("associations.association_show", slug=association.slug)


def test_active_associations_are_listed_with_links(client, login, app):
    target = make_user()
    led = make_association("РМО учителей математики", leader=target)
    member = make_association("Творческая группа «Цифровая школа»", members=[target])
    make_membership(target, make_association("МО с заявкой"), status=MembershipStatus.PENDING)
    archived = make_association("Архивное МО", members=[target])
    archived.archived_at = archived.created_at
    db.session.flush()
    login(make_user())
    html = client.get(url(target)).get_data(as_text=True)
    assert f'href="{association_url(app, led)}"' in html
    assert f'href="{association_url(app, member)}"' in html
    assert "руководитель" in html
    assert "МО с заявкой" not in html
    assert "Архивное МО" not in html


def test_members_only_associations_are_shown_only_to_who_may_see_them(client, login, app):
    target = make_user()
    secret = make_association("Закрытая творческая группа", visibility=Visibility.MEMBERS, members=[target])
    login(make_user())
    assert "Закрытая творческая группа" not in client.get(url(target)).get_data(as_text=True)

    fellow = make_user()
    make_membership(fellow, secret, role=MemberRole.MEMBER)
    fellow_client = app.test_client()
    fellow_client.post("/login", data={"email": fellow.email, "password": "correct-horse-battery-42"})
    assert "Закрытая творческая группа" in fellow_client.get(url(target)).get_data(as_text=True)


def test_no_associations_says_so(client, login):
    target = make_user()
    login(make_user())
    assert "Не состоит ни в одном объединении." in client.get(url(target)).get_data(as_text=True)


def test_query_count_does_not_grow_with_associations_or_subjects(client, login, count_queries):
    viewer = make_user()
    login(viewer)

    def profile_queries(n: int) -> int:
        target = make_user(subjects=[make_subject() for _ in range(n)], levels=["primary", "basic"][: min(n, 2)])
        for _ in range(n):
            make_association(members=[target])
        with count_queries() as q:
            assert client.get(url(target)).status_code == 200
        return q.count

    assert profile_queries(1) == profile_queries(50)
