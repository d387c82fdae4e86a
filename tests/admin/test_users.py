"""People: the list with search and filters, the user's page, approve, role, suspend, reactivate."""

import pytest

from app.associations.models import MemberRole
from app.auth.models import Role, UserStatus
from app.extensions import db
from tests.admin.conftest import audit_entries, fresh, only_audit, text
from tests.conftest import body_text
from tests.factories import PASSWORD, make_association, make_school, make_subject, make_user, make_users

# --- list ---------------------------------------------------------------------------------------------------------


def test_list_shows_people_with_school_role_and_status(client, admin):
    school = make_school(short_name="Гимназия № 2")
    make_user(full_name="Сидорова Нина Павловна", email="nina@example.org", school=school, role=Role.METHODIST)
    html = text(client.get("/admin/users"))
    assert "Сидорова Нина Павловна" in html and "nina@example.org" in html
    assert "Гимназия № 2" in html and "методист" in html and "активен" in html
    assert '<div class="table-wrap">' in html and '<th scope="col">' in html


@pytest.mark.parametrize("q", ["сидорова", "Сидорова", "СИДОРОВА", "нина павловна", "NINA@EXAMPLE", "nina@"])
def test_search_by_name_or_email_ignores_letter_case(client, admin, q):
    make_user(full_name="Сидорова Нина Павловна", email="nina@example.org")
    make_user(full_name="Кузнецов Павел Андреевич", email="pavel@example.org")
    html = text(client.get("/admin/users", query_string={"q": q}))
    assert "Сидорова Нина Павловна" in html
    assert "Кузнецов Павел Андреевич" not in html


def test_search_treats_like_wildcards_literally(client, admin):
    make_user(full_name="Сидорова Нина Павловна")
    html = text(client.get("/admin/users", query_string={"q": "%"}))
    assert "Сидорова Нина Павловна" not in html
    assert "Никого не найдено" in html


def test_filters_by_role_status_and_school(client, admin):
    school = make_school()
    make_user(full_name="Ждёт Одобрения", status=UserStatus.PENDING, school=school)
    make_user(full_name="Просто Методист", role=Role.METHODIST)
    make_user(full_name="Учитель Без Школы")

    pending = text(client.get("/admin/users?status=pending"))
    assert "Ждёт Одобрения" in pending and "Просто Методист" not in pending and "Учитель Без Школы" not in pending
    methodists = text(client.get("/admin/users?role=methodist"))
    assert "Просто Методист" in methodists and "Ждёт Одобрения" not in methodists
    at_school = text(client.get(f"/admin/users?school={school.id}"))
    assert "Ждёт Одобрения" in at_school and "Учитель Без Школы" not in at_school


@pytest.mark.parametrize("query", ["status=bogus", "role=king", "school=999999", "school=abc"])
def test_bad_filter_is_400_with_message_and_ignored(client, admin, query):
    make_user(full_name="Сидорова Нина Павловна")
    response = client.get(f"/admin/users?{query}")
    assert response.status_code == 400
    html = text(response)
    assert 'class="error"' in html
    assert "Сидорова Нина Павловна" in html  # the bad filter is dropped, the list still shows


def test_list_is_paginated(client, admin, app):
    for n, user in enumerate(make_users(app.config["PER_PAGE"] + 5)):
        user.full_name = f"Участник {n:03d}"
    db.session.flush()
    first = text(client.get("/admin/users"))
    assert "Участник 000" in first and "Участник 024" not in first
    assert 'rel="next"' in first
    second = text(client.get("/admin/users?page=2"))
    assert "Участник 024" in second and "Участник 000" not in second
    assert client.get("/admin/users?page=99").status_code == 404


def test_list_query_count_does_not_grow_with_rows(client, admin, count_queries):
    school = make_school()
    make_user(school=school)
    with count_queries() as one:
        assert client.get("/admin/users").status_code == 200
    for user in make_users(49):
        user.school = make_school()
    db.session.flush()
    with count_queries() as fifty:
        html = text(client.get("/admin/users"))
    assert html.count("<tr>") == 21  # header + a full page: the rows really were rendered
    assert one.count == fifty.count


# --- the user's page ----------------------------------------------------------------------------------------------


def test_show_has_details_and_memberships(client, admin):
    school = make_school(name="МКОУ СОШ № 7")
    user = make_user(
        full_name="Орлова Вера Ивановна",
        email="vera@example.org",
        school=school,
        position="учитель химии",
        subjects=[make_subject("Химия")],
        levels=["basic"],
    )
    association = make_association("РМО учителей химии", leader=user)
    html = text(client.get(f"/admin/users/{user.id}"))
    for fact in ("Орлова Вера Ивановна", "vera@example.org", "активен", "педагог", "МКОУ СОШ № 7", "учитель химии",
                 "Химия", "ООО", "Адрес подтверждён", "Согласие на обработку данных", "Последний визит",
                 "ещё не входил(а)", "РМО учителей химии", "руководитель"):  # fmt: skip
        assert fact in html, fact
    assert f"/admin/associations/{association.id}/edit" in html


def test_show_offers_the_actions_that_fit(client, admin):
    pending = make_user(status=UserStatus.PENDING)
    html = text(client.get(f"/admin/users/{pending.id}"))
    assert f"/admin/users/{pending.id}/approve" in html and f"/admin/users/{pending.id}/suspend" in html
    suspended = make_user(status=UserStatus.SUSPENDED)
    html = text(client.get(f"/admin/users/{suspended.id}"))
    assert f"/admin/users/{suspended.id}/reactivate" in html and "/suspend" not in html
    own = text(client.get(f"/admin/users/{admin.id}"))
    assert "/suspend" not in own and "/role" not in own
    assert "Собственную учётную запись заблокировать нельзя" in own


# --- approve ------------------------------------------------------------------------------------------------------


def test_approve_activates_emails_and_audits(client, admin, smtp):
    user = make_user(status=UserStatus.PENDING, email="new@example.org", full_name="Новикова Ирина")
    response = client.post(f"/admin/users/{user.id}/approve", data={"approve-reason": "работает в СОШ № 1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert fresh(user).status == UserStatus.ACTIVE

    message = smtp.wait(1)[0]
    assert message["To"] == "new@example.org"
    assert "одобрена" in message["Subject"]
    body = body_text(message)
    assert "Новикова Ирина" in body and "http://localhost/login" in body

    entry = only_audit("user.approve")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (admin.id, "user", user.id)
    assert entry.target_label == "Новикова Ирина <new@example.org>"
    assert entry.reason == "работает в СОШ № 1"
    assert entry.details == "Статус: ожидает одобрения → активен"

    client.post("/logout")
    assert client.post("/login", data={"email": "new@example.org", "password": PASSWORD}).status_code == 302


def test_approval_mail_reminds_to_confirm_an_unconfirmed_address(client, admin, smtp):
    user = make_user(status=UserStatus.PENDING, email_confirmed=False)
    client.post(f"/admin/users/{user.id}/approve", data={})
    assert "подтвердите адрес" in body_text(smtp.wait(1)[0])


def test_approval_mail_speaks_the_users_language_and_the_page_the_admins(client, admin, smtp):
    user = make_user(status=UserStatus.PENDING, email="en@example.org", full_name="Jane Smith")
    user.locale = "en"
    db.session.commit()
    response = client.post(f"/admin/users/{user.id}/approve", data={}, follow_redirects=True)
    body = body_text(smtp.wait(1)[0])
    assert "Hello, Jane Smith!" in body and "Здравствуйте" not in body
    assert "Пользователи" in text(response) and "Hello" not in text(response)


def test_approve_refuses_an_active_user(client, admin, smtp):
    user = make_user()
    response = client.post(f"/admin/users/{user.id}/approve", data={})
    assert response.status_code == 400
    assert "только учётную запись, ожидающую одобрения" in text(response)
    assert audit_entries() == [] and smtp.messages == []


def test_approve_reason_too_long_is_400(client, admin):
    user = make_user(status=UserStatus.PENDING)
    response = client.post(f"/admin/users/{user.id}/approve", data={"approve-reason": "x" * 1001})
    assert response.status_code == 400
    assert "Не больше 1000 символов" in text(response)
    assert fresh(user).status == UserStatus.PENDING


# --- role ---------------------------------------------------------------------------------------------------------


def test_set_role_changes_role_and_audits(client, admin):
    user = make_user()
    response = client.post(f"/admin/users/{user.id}/role", data={"role-role": "methodist", "role-reason": ""})
    assert response.status_code == 302
    assert fresh(user).role == Role.METHODIST
    entry = only_audit("user.set_role")
    assert entry.details == "Роль: педагог → методист" and entry.reason == ""


def test_set_role_rejects_unknown_role(client, admin):
    user = make_user()
    response = client.post(f"/admin/users/{user.id}/role", data={"role-role": "king"})
    assert response.status_code == 400
    assert 'id="role-role-error"' in text(response)
    assert fresh(user).role == Role.TEACHER and audit_entries() == []


def test_set_role_to_the_same_role_is_refused(client, admin):
    user = make_user(role=Role.METHODIST)
    response = client.post(f"/admin/users/{user.id}/role", data={"role-role": "methodist"})
    assert response.status_code == 400
    assert "У пользователя уже эта роль" in text(response)


def test_admin_cannot_demote_themself(client, admin):
    response = client.post(f"/admin/users/{admin.id}/role", data={"role-role": "teacher"})
    assert response.status_code == 400
    assert "Нельзя снять роль администратора с самого себя" in text(response)
    assert fresh(admin).role == Role.ADMIN and audit_entries() == []


def test_admin_can_demote_another_admin(client, admin):
    other = make_user(role=Role.ADMIN)
    assert client.post(f"/admin/users/{other.id}/role", data={"role-role": "teacher"}).status_code == 302
    assert fresh(other).role == Role.TEACHER


# --- suspend and reactivate ---------------------------------------------------------------------------------------


def test_suspend_requires_a_reason(client, admin):
    user = make_user()
    response = client.post(f"/admin/users/{user.id}/suspend", data={"suspend-reason": "   "})
    assert response.status_code == 400
    html = text(response)
    assert 'id="suspend-reason-error"' in html and "Укажите причину" in html
    assert fresh(user).status == UserStatus.ACTIVE and audit_entries() == []


def test_suspend_logs_the_user_out_at_once_and_blocks_login(app, client, admin, login):
    user = make_user(email="bad@example.org")
    teacher_browser = app.test_client()
    assert teacher_browser.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    assert teacher_browser.get("/admin/").status_code == 403  # signed in: a teacher is refused, not asked to log in
    token = user.session_token

    response = client.post(f"/admin/users/{user.id}/suspend", data={"suspend-reason": "рассылал спам"})
    assert response.status_code == 302
    user = fresh(user)
    assert user.status == UserStatus.SUSPENDED and user.session_token != token

    assert teacher_browser.get("/admin/").status_code == 302  # the old session is dead: sent to log in
    refused = teacher_browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 400 and "заблокирована" in text(refused)

    entry = only_audit("user.suspend")
    assert entry.reason == "рассылал спам" and entry.details == "Статус: активен → заблокирован"


def test_admin_cannot_suspend_themself(client, admin):
    response = client.post(f"/admin/users/{admin.id}/suspend", data={"suspend-reason": "проверка"})
    assert response.status_code == 400
    assert "Нельзя заблокировать собственную учётную запись" in text(response)
    assert fresh(admin).status == UserStatus.ACTIVE and audit_entries() == []


def test_suspend_twice_is_refused(client, admin):
    user = make_user(status=UserStatus.SUSPENDED)
    response = client.post(f"/admin/users/{user.id}/suspend", data={"suspend-reason": "ещё раз"})
    assert response.status_code == 400 and "уже заблокирована" in text(response)


def test_a_pending_user_can_be_suspended(client, admin):
    user = make_user(status=UserStatus.PENDING)
    assert client.post(f"/admin/users/{user.id}/suspend", data={"suspend-reason": "не педагог"}).status_code == 302
    assert fresh(user).status == UserStatus.SUSPENDED
    assert only_audit("user.suspend").details == "Статус: ожидает одобрения → заблокирован"


def test_reactivate_restores_access(client, admin):
    user = make_user(status=UserStatus.SUSPENDED, email="back@example.org")
    response = client.post(f"/admin/users/{user.id}/reactivate", data={"reactivate-reason": "разобрались"})
    assert response.status_code == 302
    assert fresh(user).status == UserStatus.ACTIVE
    entry = only_audit("user.reactivate")
    assert entry.reason == "разобрались" and entry.details == "Статус: заблокирован → активен"
    client.post("/logout")
    assert client.post("/login", data={"email": "back@example.org", "password": PASSWORD}).status_code == 302


def test_reactivate_refuses_an_active_user(client, admin):
    user = make_user()
    response = client.post(f"/admin/users/{user.id}/reactivate", data={})
    assert response.status_code == 400 and "только заблокированную" in text(response)
    assert audit_entries() == []


def test_history_on_the_users_page(client, admin):
    user = make_user(status=UserStatus.PENDING)
    client.post(f"/admin/users/{user.id}/approve", data={"approve-reason": "коллега из СОШ № 3"})
    html = text(client.get(f"/admin/users/{user.id}"))
    assert "Одобрение учётной записи" in html and "коллега из СОШ № 3" in html
    assert f"/admin/audit?target_type=user&amp;target_id={user.id}" in html


def test_leader_membership_is_listed_with_role_label(client, admin):
    user = make_user()
    make_association("ШМО начальных классов", leader=user)
    html = text(client.get(f"/admin/users/{user.id}"))
    assert "ШМО начальных классов" in html and MemberRole.LEADER.label in html


def test_index_counts_and_pending_link(client, admin):
    make_user(status=UserStatus.PENDING)
    make_user(status=UserStatus.PENDING)
    make_user(status=UserStatus.SUSPENDED)
    make_school()
    make_association()
    archived = make_association()
    from app.db import utcnow

    archived.archived_at = utcnow()
    db.session.flush()
    html = text(client.get("/admin/"))
    assert "2 заявок ожидают одобрения" in html or "2 заявки ожидают одобрения" in html
    assert "admin-stat-attention" in html
    assert 'href="/admin/users?status=pending"' in html
    assert "1 объединение в архиве" in html
