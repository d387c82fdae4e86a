"""Associations in the admin area: list (archived too), create, edit, archive, leaders — all audited."""

import pytest

from app.associations.models import Association, AssociationKind, JoinPolicy, MemberRole, Visibility
from app.auth.models import UserStatus
from app.db import utcnow
from app.directory.models import EducationLevel
from app.extensions import db
from tests.admin.conftest import audit_entries, fresh, only_audit, text
from tests.factories import make_association, make_membership, make_school, make_subject, make_user


def form_data(**overrides) -> dict:
    data = {
        "name": "РМО учителей математики",
        "slug": "",
        "description": "",
        "kind": "district",
        "visibility": "public",
        "join_policy": "open",
        "school_id": "",
    }
    data.update(overrides)
    return data


def by_name(name: str) -> Association | None:
    db.session.expire_all()
    return db.session.scalar(db.select(Association).where(Association.name == name))


def membership_role(user, association):
    from app.associations.models import Membership

    db.session.expire_all()
    m = db.session.scalar(
        db.select(Membership).where(Membership.user_id == user.id, Membership.association_id == association.id)
    )
    return None if m is None else (m.role, m.status.value)


@pytest.mark.parametrize("policy", ["open", "request"])
def test_members_only_association_must_be_invitation_only(client, admin, policy):
    data = form_data(name="Закрытая творческая группа", visibility="members", join_policy=policy)
    response = client.post("/admin/associations/new", data=data)
    assert response.status_code == 400
    html = text(response)
    assert "лишь по приглашению" in html and "Закрытая творческая группа" in html
    assert by_name("Закрытая творческая группа") is None


def test_user_search_ignores_cyrillic_case_and_yo(client, admin):
    make_user(full_name="Семёнова Ольга Игоревна")
    for query in ("семенова", "СЕМЁНОВА", "ольга игоревна"):
        assert "Семёнова Ольга Игоревна" in text(client.get(f"/admin/users?q={query}")), query


# --- list ---------------------------------------------------------------------------------------------------------


def test_list_includes_archived_and_filters(client, admin):
    make_association("РМО учителей истории")
    old = make_association("РМО учителей черчения")
    old.archived_at = utcnow()
    db.session.flush()
    html = text(client.get("/admin/associations"))
    assert "РМО учителей истории" in html and "РМО учителей черчения" in html and "в архиве с" in html
    archived = text(client.get("/admin/associations?state=archived"))
    assert "РМО учителей черчения" in archived and "РМО учителей истории" not in archived
    active = text(client.get("/admin/associations?state=active"))
    assert "РМО учителей истории" in active and "РМО учителей черчения" not in active
    found = text(client.get("/admin/associations?q=истории"))
    assert "РМО учителей истории" in found and "черчения" not in found


def test_list_bad_state_is_400(client, admin):
    response = client.get("/admin/associations?state=deleted")
    assert response.status_code == 400 and 'id="state-error"' in text(response)


def test_list_query_count_does_not_grow(client, admin, count_queries):
    make_association(kind=AssociationKind.SCHOOL, school=make_school())
    with count_queries() as one:
        client.get("/admin/associations")
    for _ in range(49):
        make_association(kind=AssociationKind.SCHOOL, school=make_school())
    with count_queries() as fifty:
        html = text(client.get("/admin/associations"))
    assert html.count("<tr>") == 21
    assert one.count == fifty.count


# --- create -------------------------------------------------------------------------------------------------------


def test_create_with_every_field(client, admin):
    school = make_school(short_name="СОШ № 4")
    maths, physics = make_subject("Математика"), make_subject("Физика")
    data = form_data(
        name="ШМО естественно-научного цикла",
        slug="shmo-en-4",
        description="Мы **любим** науку. <script>alert(1)</script> [x](javascript:alert(1))",
        kind="school",
        visibility="members",
        join_policy="invitation",
        school_id=str(school.id),
        subject_ids=[str(maths.id), str(physics.id)],
        levels=["basic", "secondary"],
    )
    assert client.get("/admin/associations/new").status_code == 200
    response = client.post("/admin/associations/new", data=data)
    association = by_name("ШМО естественно-научного цикла")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/associations/{association.id}/edit"
    assert association.slug == "shmo-en-4" and association.kind == AssociationKind.SCHOOL
    assert association.visibility == Visibility.MEMBERS and association.join_policy == JoinPolicy.INVITATION
    assert association.school == school
    assert [s.name for s in association.subjects] == ["Математика", "Физика"]
    assert association.levels == [EducationLevel.BASIC, EducationLevel.SECONDARY]
    assert "<strong>любим</strong>" in association.description_html
    assert "<script>" not in association.description_html and 'href="javascript' not in association.description_html
    details = only_audit("association.create").details.splitlines()
    assert "Вид: — → школьное МО" in details and "Организация: — → СОШ № 4" in details
    assert "Предметы: — → Математика, Физика" in details and "Уровни: — → ООО, СОО" in details


def test_slug_is_derived_and_made_unique(client, admin):
    make_association("РМО учителей математики")  # takes rmo-uchiteley-matematiki
    client.post("/admin/associations/new", data=form_data(name="РМО учителей математики"))
    created = db.session.scalars(
        db.select(Association.slug).where(Association.name == "РМО учителей математики").order_by(Association.id)
    ).all()
    assert created == ["rmo-uchiteley-matematiki", "rmo-uchiteley-matematiki-2"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Укажите название объединения."),
        ({"slug": "РМО"}, "slug", "Только строчные латинские буквы"),
        ({"slug": "a--b"}, "slug", "Только строчные латинские буквы"),
        ({"slug": "taken"}, "slug", "Этот адрес уже занят другим объединением."),
        ({"kind": "school"}, "school_id", "Для школьного МО укажите организацию."),
        ({"kind": "guild"}, "kind", ""),
        ({"visibility": "secret"}, "visibility", ""),
        ({"join_policy": "bribe"}, "join_policy", ""),
        ({"school_id": "999999"}, "school_id", ""),
        ({"levels": ["university"]}, "levels", ""),
        ({"subject_ids": ["999999"]}, "subject_ids", ""),
    ],
)
def test_bad_input_is_400_beside_the_field(client, admin, overrides, field, message):
    make_association("Занятое", slug="taken")
    response = client.post("/admin/associations/new", data=form_data(**overrides))
    assert response.status_code == 400
    html = text(response)
    assert message in html
    if field in ("levels", "subject_ids"):
        assert 'class="field checkbox-group field-invalid"' in html
    else:
        assert f'id="{field}-error"' in html
    assert by_name("РМО учителей математики") is None and audit_entries() == []


def test_bad_input_keeps_what_was_typed(client, admin):
    subject = make_subject("География")
    data = form_data(name="РМО географов", description="Наш план", slug="BAD", subject_ids=[str(subject.id)])
    html = text(client.post("/admin/associations/new", data=data))
    assert 'value="РМО географов"' in html and "Наш план</textarea>" in html
    assert (
        f'value="{subject.id}" checked' in html
        or f'checked id="subject_ids-0" name="subject_ids" type="checkbox" value="{subject.id}"' in html
    )


# --- edit ---------------------------------------------------------------------------------------------------------


def test_edit_page_is_prefilled(client, admin):
    subject = make_subject("Музыка")
    association = make_association("РМО музыкантов", subjects=[subject], levels=[EducationLevel.PRIMARY])
    html = text(client.get(f"/admin/associations/{association.id}/edit"))
    assert 'value="РМО музыкантов"' in html and f'value="{association.slug}"' in html
    assert html.count("checked") == 2


def test_edit_changes_settings_and_audits_readable_lines(client, admin):
    school = make_school(short_name="Лицей № 1")
    keep, drop, add = make_subject("Алгебра"), make_subject("Геометрия"), make_subject("Информатика")
    association = make_association(
        "РМО учителей математики",
        subjects=[keep, drop],
        levels=[EducationLevel.PRIMARY, EducationLevel.BASIC],
        description="Старое описание",
    )
    data = form_data(
        name="ШМО математики и информатики",
        slug="shmo-mat-inf",
        description="Новое *описание*",
        kind="school",
        school_id=str(school.id),
        join_policy="invitation",
        subject_ids=[str(keep.id), str(add.id)],
        levels=["basic", "secondary"],  # keeps one level, drops one, adds one
    )
    response = client.post(f"/admin/associations/{association.id}/edit", data=data)
    assert response.status_code == 302
    association = fresh(association)
    assert association.name == "ШМО математики и информатики" and association.slug == "shmo-mat-inf"
    assert association.description_html == "<p>Новое <em>описание</em></p>\n"
    assert association.levels == [EducationLevel.BASIC, EducationLevel.SECONDARY]
    assert [s.name for s in association.subjects] == ["Алгебра", "Информатика"]
    assert only_audit("association.update").details.splitlines() == [
        "Название: РМО учителей математики → ШМО математики и информатики",
        "Адрес (slug): rmo-uchiteley-matematiki → shmo-mat-inf",
        "Вид: районное МО → школьное МО",
        "Вступление: свободное вступление → по приглашению",
        "Организация: — → Лицей № 1",
        "Предметы: Алгебра, Геометрия → Алгебра, Информатика",
        "Уровни: НОО, ООО → ООО, СОО",
        "Описание: изменено",
    ]


def test_edit_with_blank_slug_derives_one_from_the_name(client, admin):
    association = make_association("РМО физиков")
    client.post(f"/admin/associations/{association.id}/edit", data=form_data(name="РМО учителей физики", slug=""))
    assert fresh(association).slug == "rmo-uchiteley-fiziki"


def test_edit_keeping_its_own_slug_is_fine_and_no_change_writes_nothing(client, admin):
    association = make_association("РМО химиков")
    data = form_data(name="РМО химиков", slug=association.slug)
    response = client.post(f"/admin/associations/{association.id}/edit", data=data, follow_redirects=True)
    assert "Изменений нет" in text(response)
    assert audit_entries() == []


def test_edit_to_a_taken_slug_is_refused(client, admin):
    make_association("Другое", slug="taken")
    association = make_association("РМО биологов")
    response = client.post(f"/admin/associations/{association.id}/edit", data=form_data(slug="taken"))
    assert response.status_code == 400
    assert '<p class="error" id="slug-error">Этот адрес уже занят другим объединением.</p>' in text(response)
    assert fresh(association).name == "РМО биологов"


# --- archive ------------------------------------------------------------------------------------------------------


def test_archive_requires_a_reason_then_archives(client, admin):
    association = make_association("РМО черчения")
    url = f"/admin/associations/{association.id}"
    response = client.post(f"{url}/archive", data={"archive-reason": ""})
    assert response.status_code == 400 and 'id="archive-reason-error"' in text(response)
    assert not fresh(association).is_archived

    assert client.post(f"{url}/archive", data={"archive-reason": "предмет исключён"}).status_code == 302
    assert fresh(association).is_archived
    entry = only_audit("association.archive")
    assert entry.reason == "предмет исключён" and entry.details == "Архив: нет → да"
    assert "Вернуть из архива" in text(client.get(f"{url}/edit"))

    again = client.post(f"{url}/archive", data={"archive-reason": "ещё раз"})
    assert again.status_code == 400 and "Объединение уже в архиве" in text(again)


def test_unarchive(client, admin):
    association = make_association()
    association.archived_at = utcnow()
    db.session.flush()
    url = f"/admin/associations/{association.id}"
    assert client.post(f"{url}/unarchive", data={"unarchive-reason": ""}).status_code == 302
    assert not fresh(association).is_archived
    assert only_audit("association.unarchive").details == "Архив: да → нет"
    refused = client.post(f"{url}/unarchive", data={})
    assert refused.status_code == 400 and "Объединение не в архиве" in text(refused)


# --- leaders ------------------------------------------------------------------------------------------------------


def test_assign_leader_by_email_makes_them_a_member(client, admin):
    association = make_association()
    user = make_user(email="lead@example.org", full_name="Лидерова Анна")
    url = f"/admin/associations/{association.id}/leaders"
    response = client.post(url, data={"leader-email": " LEAD@example.org ", "leader-reason": "решение совета"})
    assert response.status_code == 302
    assert membership_role(user, association) == (MemberRole.LEADER, "active")
    assert fresh(association).member_count == 1
    entry = only_audit("association.leader_add")
    assert entry.target_id == association.id and entry.reason == "решение совета"
    assert entry.details == "Лидерова Анна <lead@example.org>: не участник → руководитель"
    html = text(client.get(f"/admin/associations/{association.id}/edit"))
    assert "Лидерова Анна" in html and f"/leaders/{user.id}/remove" in html


def test_assign_leader_from_the_member_picker(client, admin):
    member = make_user(full_name="Участникова Ольга")
    association = make_association(members=[member])
    page = text(client.get(f"/admin/associations/{association.id}/edit"))
    assert f'<option value="{member.id}">Участникова Ольга' in page
    response = client.post(f"/admin/associations/{association.id}/leaders", data={"leader-user_id": str(member.id)})
    assert response.status_code == 302
    assert membership_role(member, association) == (MemberRole.LEADER, "active")
    assert fresh(association).member_count == 1  # was a member already: not counted twice
    assert only_audit("association.leader_add").details.endswith(": участник → руководитель")


def test_assigning_a_pending_applicant_activates_them(client, admin):
    from app.associations.models import MembershipStatus

    user = make_user(email="asker@example.org")
    association = make_association()
    make_membership(user, association, status=MembershipStatus.PENDING)
    client.post(f"/admin/associations/{association.id}/leaders", data={"leader-email": "asker@example.org"})
    assert membership_role(user, association) == (MemberRole.LEADER, "active")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Выберите участника или укажите e-mail."),
        ({"leader-email": "not-an-email"}, "Введите корректный адрес электронной почты."),
        ({"leader-email": "nobody@example.org"}, "Пользователь с таким адресом электронной почты не найден."),
        ({"leader-email": "blocked@example.org"}, "только активного пользователя"),
        ({"leader-email": "lead@example.org"}, "уже руководитель"),
        ({"leader-user_id": "999999"}, ""),
    ],
)
def test_bad_leader_input_is_400(client, admin, data, message):
    make_user(email="blocked@example.org", status=UserStatus.SUSPENDED)
    leader = make_user(email="lead@example.org")
    association = make_association(leader=leader)
    response = client.post(f"/admin/associations/{association.id}/leaders", data=data)
    assert response.status_code == 400
    html = text(response)
    assert message in html and 'class="error"' in html
    assert audit_entries() == []


def test_remove_leader_keeps_them_a_member(client, admin):
    leader = make_user(full_name="Бывший Руководитель")
    association = make_association(leader=leader)
    url = f"/admin/associations/{association.id}/leaders/{leader.id}/remove"
    response = client.post(url, data={f"remove{leader.id}-reason": "переход в другую школу"})
    assert response.status_code == 302
    assert membership_role(leader, association) == (MemberRole.MEMBER, "active")
    assert fresh(association).member_count == 1
    entry = only_audit("association.leader_remove")
    assert entry.reason == "переход в другую школу" and entry.details.endswith(": руководитель → участник")
    assert client.post(url, data={}).status_code == 404  # no longer a leader


def test_remove_leader_reason_too_long_is_400_beside_that_leader(client, admin):
    leader = make_user()
    association = make_association(leader=leader)
    url = f"/admin/associations/{association.id}/leaders/{leader.id}/remove"
    response = client.post(url, data={f"remove{leader.id}-reason": "x" * 1001})
    assert response.status_code == 400 and f'id="remove{leader.id}-reason-error"' in text(response)
    assert membership_role(leader, association) == (MemberRole.LEADER, "active")


def test_remove_a_non_leader_is_404(client, admin):
    member = make_user()
    association = make_association(members=[member])
    assert client.post(f"/admin/associations/{association.id}/leaders/{member.id}/remove").status_code == 404
    outsider = make_user()
    assert client.post(f"/admin/associations/{association.id}/leaders/{outsider.id}/remove").status_code == 404
