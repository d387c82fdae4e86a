"""Schools and subjects: lists, create, edit, duplicates and bad input, each change in the audit log."""

import pytest

from app.directory.models import School, SchoolKind, Subject
from app.extensions import db
from tests.admin.conftest import audit_entries, fresh, only_audit, text
from tests.factories import make_school, make_subject

SCHOOL = {"name": "МКОУ «Средняя общеобразовательная школа № 12»", "short_name": "СОШ № 12", "kind": "school"}


def _school(name: str) -> School | None:
    return db.session.scalar(db.select(School).where(School.name == name))


# --- schools ------------------------------------------------------------------------------------------------------


def test_school_list_shows_schools_in_a_table(client, admin):
    make_school(name="МКОУ Гимназия № 1", short_name="Гимназия № 1", kind=SchoolKind.GYMNASIUM)
    html = text(client.get("/admin/schools"))
    assert "Гимназия № 1" in html and "гимназия" in html
    assert '<div class="table-wrap">' in html and '<th scope="row">' in html


def test_school_list_query_count_does_not_grow(client, admin, count_queries):
    make_school()
    with count_queries() as one:
        client.get("/admin/schools")
    for _ in range(49):
        make_school()
    with count_queries() as fifty:
        client.get("/admin/schools")
    assert one.count == fifty.count


def test_create_school(client, admin):
    assert client.get("/admin/schools/new").status_code == 200
    response = client.post(
        "/admin/schools/new", data={**SCHOOL, "name": "  МКОУ   «Средняя общеобразовательная школа № 12» "}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/schools"
    school = _school(SCHOOL["name"])  # whitespace tidied
    assert school is not None and school.kind == SchoolKind.SCHOOL and school.short_name == "СОШ № 12"
    entry = only_audit("school.create")
    assert entry.target_id == school.id and entry.target_label == SCHOOL["name"]
    assert "Краткое название: — → СОШ № 12" in entry.details.splitlines()


def test_duplicate_school_name_is_shown_beside_the_field(client, admin):
    make_school(name=SCHOOL["name"])
    response = client.post("/admin/schools/new", data=SCHOOL)
    assert response.status_code == 400
    html = text(response)
    assert '<p class="error" id="name-error">Организация с таким названием уже есть.</p>' in html
    assert 'value="СОШ № 12"' in html  # what was typed is kept
    assert audit_entries() == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**SCHOOL, "name": ""}, "name"),
        ({**SCHOOL, "short_name": " "}, "short_name"),
        ({**SCHOOL, "kind": "castle"}, "kind"),
        ({**SCHOOL, "name": "Ш" * 301}, "name"),
    ],
)
def test_bad_school_input_is_400(client, admin, data, field):
    response = client.post("/admin/schools/new", data=data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in text(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(School)) == 0


def test_edit_school_audits_the_changes(client, admin):
    school = make_school(name="МКОУ СОШ № 5", short_name="СОШ № 5")
    page = text(client.get(f"/admin/schools/{school.id}/edit"))
    assert 'value="МКОУ СОШ № 5"' in page
    data = {"name": "МБОУ Лицей № 5", "short_name": "Лицей № 5", "kind": "lyceum"}
    assert client.post(f"/admin/schools/{school.id}/edit", data=data).status_code == 302
    school = fresh(school)
    assert (school.name, school.short_name, school.kind) == ("МБОУ Лицей № 5", "Лицей № 5", SchoolKind.LYCEUM)
    assert only_audit("school.update").details.splitlines() == [
        "Название: МКОУ СОШ № 5 → МБОУ Лицей № 5",
        "Краткое название: СОШ № 5 → Лицей № 5",
        "Тип: школа → лицей",
    ]


def test_saving_an_unchanged_school_writes_no_entry(client, admin):
    school = make_school(name="МКОУ СОШ № 6", short_name="СОШ № 6")
    response = client.post(
        f"/admin/schools/{school.id}/edit",
        data={"name": "МКОУ СОШ № 6", "short_name": "СОШ № 6", "kind": "school"},
        follow_redirects=True,
    )
    assert "Изменений нет" in text(response)
    assert audit_entries() == []


def test_edit_school_to_a_taken_name_is_refused(client, admin):
    make_school(name="МКОУ СОШ № 8")
    school = make_school(name="МКОУ СОШ № 9")
    response = client.post(
        f"/admin/schools/{school.id}/edit", data={"name": "МКОУ СОШ № 8", "short_name": "x", "kind": "school"}
    )
    assert response.status_code == 400 and "Организация с таким названием уже есть" in text(response)
    assert fresh(school).name == "МКОУ СОШ № 9"


# --- subjects -----------------------------------------------------------------------------------------------------


def test_subject_list_and_query_count(client, admin, count_queries):
    make_subject("Астрономия", "astronomy")
    with count_queries() as one:
        html = text(client.get("/admin/subjects"))
    assert "Астрономия" in html and "astronomy" in html
    for _ in range(49):
        make_subject()
    with count_queries() as fifty:
        client.get("/admin/subjects")
    assert one.count == fifty.count


def test_create_subject_with_derived_slug(client, admin):
    response = client.post("/admin/subjects/new", data={"name": "Основы безопасности", "slug": ""})
    assert response.status_code == 302
    subject = db.session.scalar(db.select(Subject).where(Subject.name == "Основы безопасности"))
    assert subject.slug == "osnovy-bezopasnosti"
    assert (
        only_audit("subject.create").details
        == "Название: — → Основы безопасности\nАдрес (slug): — → osnovy-bezopasnosti"
    )


def test_derived_subject_slug_avoids_a_taken_one(client, admin):
    make_subject("Физкультура (старое)", "fizkultura")
    client.post("/admin/subjects/new", data={"name": "Физкультура"})
    assert db.session.scalar(db.select(Subject.slug).where(Subject.name == "Физкультура")) == "fizkultura-2"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "slug": ""}, "name", "Укажите название предмета."),
        ({"name": "Музыка", "slug": "Музыка"}, "slug", "Только строчные латинские буквы"),
        ({"name": "Музыка", "slug": "-music"}, "slug", "Только строчные латинские буквы"),
        ({"name": "Музыка", "slug": "taken"}, "slug", "Этот адрес уже занят другим предметом."),
        ({"name": "Химия", "slug": ""}, "name", "Предмет с таким названием уже есть."),
    ],
)
def test_bad_subject_input_is_400(client, admin, data, field, message):
    make_subject("Химия", "taken")
    response = client.post("/admin/subjects/new", data=data)
    assert response.status_code == 400
    html = text(response)
    assert f'id="{field}-error"' in html and message in html
    assert audit_entries() == []


def test_edit_subject(client, admin):
    subject = make_subject("Информатика", "inf")
    assert 'value="inf"' in text(client.get(f"/admin/subjects/{subject.id}/edit"))
    response = client.post(
        f"/admin/subjects/{subject.id}/edit", data={"name": "Информатика и ИКТ", "slug": "informatika"}
    )
    assert response.status_code == 302
    assert (fresh(subject).name, fresh(subject).slug) == ("Информатика и ИКТ", "informatika")
    assert only_audit("subject.update").details.splitlines() == [
        "Название: Информатика → Информатика и ИКТ",
        "Адрес (slug): inf → informatika",
    ]


def test_edit_subject_keeps_its_own_slug(client, admin):
    subject = make_subject("Биология", "biologiya")
    response = client.post(f"/admin/subjects/{subject.id}/edit", data={"name": "Биология", "slug": "biologiya"})
    assert response.status_code == 302 and audit_entries() == []
