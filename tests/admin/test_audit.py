"""The audit log: the one helper that writes it, and the page that reads it (newest first, filters, pages)."""

from datetime import timedelta

import pytest

from app.admin.models import AuditEntry
from app.admin.services import describe_changes, record_audit
from app.auth.models import Role
from app.db import utcnow
from app.extensions import db
from app.mail.models import OutboxMessage, OutboxStatus
from tests.admin.conftest import audit_entries, text
from tests.factories import make_association, make_school, make_user, make_users


def test_record_audit_writes_one_entry_in_the_current_transaction(app):
    actor = make_user(role=Role.ADMIN, full_name="Админова Ольга")
    target = make_user(full_name="Петров Пётр", email="petr@example.org")
    with app.test_request_context():
        entry = record_audit(actor, "user.suspend", target, reason="  спам  ", details="Статус: активен → заблокирован")
    assert entry.id is not None
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        actor.id,
        "user.suspend",
        "user",
        target.id,
    )
    assert entry.target_label == "Петров Пётр <petr@example.org>" and entry.reason == "спам"
    assert entry.action_label == "Блокировка"
    db.session.rollback()  # the entry goes with the transaction it was written in
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == 0


def test_record_audit_names_each_kind_of_target(app):
    actor = make_user(role=Role.ADMIN)
    school, association = make_school(name="МКОУ СОШ № 3"), make_association("РМО историков")
    with app.test_request_context():
        assert record_audit(actor, "school.update", school).target_type == "school"
        assert record_audit(actor, "association.update", association).target_label == "РМО историков"


def test_describe_changes_lists_only_what_changed():
    before = {"Название": "СОШ № 1", "Тип": "школа", "Краткое название": ""}
    after = {"Название": "СОШ № 1", "Тип": "лицей", "Краткое название": "Лицей № 1"}
    assert describe_changes(before, after) == "Тип: школа → лицей\nКраткое название: — → Лицей № 1"


def _entries(actor, n: int, action: str = "school.update") -> None:
    school = make_school()
    start = utcnow() - timedelta(days=1)
    for i in range(n):
        db.session.add(
            AuditEntry(
                actor_id=actor.id,
                action=action,
                target_type="school",
                target_id=school.id,
                target_label=f"Запись {i:03d}",
                details=f"Название: {i} → {i + 1}",
                created_at=start + timedelta(minutes=i),
            )
        )
    db.session.flush()


def test_list_is_newest_first_with_details_and_reason(client, admin):
    user = make_user(full_name="Лишний Человек")
    client.post(f"/admin/users/{user.id}/suspend", data={"suspend-reason": "дубликат учётной записи"})
    _entries(admin, 2)
    html = text(client.get("/admin/audit"))
    assert html.index("Блокировка") < html.index("Запись 001") < html.index("Запись 000")
    assert "Статус: активен → заблокирован" in html and "Причина: дубликат учётной записи" in html
    assert f'href="/admin/users/{user.id}"' in html
    assert "Администратор Ольга Викторовна" in html
    assert '<div class="table-wrap">' in html and '<th scope="col">' in html


def test_filter_by_action_and_actor(client, admin):
    other = make_user(role=Role.ADMIN, full_name="Второй Админ")
    _entries(admin, 1, "school.create")
    _entries(other, 1, "subject.create")
    by_action = text(client.get("/admin/audit?action=subject.create"))
    assert "Добавление предмета" in by_action and "Добавление организации</td>" not in by_action
    by_actor = text(client.get(f"/admin/audit?actor={admin.id}"))
    assert "Добавление организации</td>" in by_actor and "Добавление предмета</td>" not in by_actor
    assert f'<option value="{other.id}">Второй Админ</option>' in by_actor


def test_filter_by_target(client, admin):
    first, second = make_user(full_name="Первый Пользователь"), make_user(full_name="Второй Пользователь")
    for user in (first, second):
        client.post(f"/admin/users/{user.id}/suspend", data={"suspend-reason": "проверка"})
    html = text(client.get(f"/admin/audit?target_type=user&target_id={first.id}"))
    assert "Первый Пользователь" in html and "Второй Пользователь" not in html
    assert "Показаны только записи об одном объекте" in html


@pytest.mark.parametrize("query", ["action=user.delete", "actor=999999", "actor=abc"])
def test_bad_filter_is_400_and_ignored(client, admin, query):
    _entries(admin, 1)
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    html = text(response)
    assert 'class="error"' in html and "Запись 000" in html


def test_list_is_paginated(client, admin, app):
    _entries(admin, app.config["PER_PAGE"] + 3)
    first = text(client.get("/admin/audit"))
    newest = app.config["PER_PAGE"] + 2
    assert f"Запись {newest:03d}" in first and "Запись 000" not in first
    assert "Запись 000" in text(client.get("/admin/audit?page=2"))
    assert client.get("/admin/audit?page=9").status_code == 404


def test_list_query_count_does_not_grow(client, admin, count_queries):
    _entries(admin, 1)
    with count_queries() as one:
        client.get("/admin/audit")
    for other in make_users(7, role=Role.ADMIN):  # 1 + 7 × 7 = 50 entries by 8 different admins
        _entries(other, 7)
    with count_queries() as fifty:
        html = text(client.get("/admin/audit"))
    assert html.count("<tr>") == 21
    assert one.count == fifty.count


def test_every_admin_action_writes_an_entry(client, admin):
    """One pass through every action of the admin area: each leaves exactly one entry with its name."""
    pending, other = make_user(status="pending"), make_user()
    school, association = make_school(), make_association()
    client.post(f"/admin/users/{pending.id}/approve", data={})
    client.post(f"/admin/users/{other.id}/role", data={"role-role": "methodist"})
    client.post(f"/admin/users/{other.id}/suspend", data={"suspend-reason": "x"})
    client.post(f"/admin/users/{other.id}/reactivate", data={})
    client.post("/admin/schools/new", data={"name": "Новая школа", "short_name": "НШ", "kind": "school"})
    client.post(
        f"/admin/schools/{school.id}/edit", data={"name": "Переименованная", "short_name": "П", "kind": "lyceum"}
    )
    client.post("/admin/subjects/new", data={"name": "Астрономия"})
    subject_id = audit_entries("subject.create")[0].target_id
    client.post(f"/admin/subjects/{subject_id}/edit", data={"name": "Астрономия", "slug": "astro"})
    base = {"kind": "district", "visibility": "public", "join_policy": "open"}
    client.post("/admin/associations/new", data={"name": "РМО астрономов", **base})
    client.post(f"/admin/associations/{association.id}/edit", data={"name": "Новое имя", **base})
    client.post(f"/admin/associations/{association.id}/leaders", data={"leader-email": other.email})
    client.post(f"/admin/associations/{association.id}/leaders/{other.id}/remove", data={})
    client.post(f"/admin/associations/{association.id}/archive", data={"archive-reason": "x"})
    client.post(f"/admin/associations/{association.id}/unarchive", data={})
    failed = OutboxMessage(to_address="gone@example.org", subject="Тема", status=OutboxStatus.FAILED,
                           last_error="550 5.1.1 Mailbox missing")  # fmt: skip
    db.session.add(failed)
    db.session.commit()
    client.post(f"/admin/mail/{failed.id}/retry", data={})
    from app.admin.models import AUDIT_ACTIONS

    assert sorted(e.action for e in audit_entries()) == sorted(AUDIT_ACTIONS)
    assert all(e.actor_id == admin.id for e in audit_entries())
