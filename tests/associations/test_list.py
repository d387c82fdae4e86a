"""The catalogue of associations: who sees what, filters, search, paging, card contents."""

import pytest

from app.associations.models import AssociationKind, JoinPolicy, MemberRole, MembershipStatus, Visibility
from app.auth.models import Role
from app.directory.models import EducationLevel
from tests.associations.conftest import archive, text
from tests.factories import make_association, make_membership, make_school, make_subject, make_user


def _names(response):
    return text(response)


def test_anonymous_sees_public_only(client):
    public = make_association("РМО учителей химии")
    hidden = make_association("ШМО закрытое", visibility=Visibility.MEMBERS)
    html = text(client.get("/associations/"))
    assert public.name in html
    assert hidden.name not in html


def test_members_only_association_shown_to_its_members_and_admins(client, login, switch_to):
    hidden = make_association("Совет закрытый", visibility=Visibility.MEMBERS)
    member, outsider, admin = make_user(), make_user(), make_user(role=Role.ADMIN)
    make_membership(member, hidden)
    pending = make_user()
    make_membership(pending, hidden, status=MembershipStatus.PENDING)

    login(outsider)
    assert hidden.name not in text(client.get("/associations/"))
    switch_to(pending)
    assert hidden.name not in text(client.get("/associations/"))
    switch_to(member)
    assert hidden.name in text(client.get("/associations/"))
    switch_to(admin)
    assert hidden.name in text(client.get("/associations/"))


def test_archived_hidden_unless_asked(client):
    old = make_association("Старая творческая группа")
    archive(old)
    current = make_association("Новая творческая группа")
    html = text(client.get("/associations/"))
    assert old.name not in html and current.name in html
    html = text(client.get("/associations/?archived=1"))
    assert old.name in html and current.name in html
    assert "в архиве" in html


def test_filter_by_kind(client):
    district = make_association("РМО учителей истории", kind=AssociationKind.DISTRICT)
    group = make_association("Творческая группа по проектам", kind=AssociationKind.CREATIVE_GROUP)
    html = text(client.get("/associations/?kind=creative_group"))
    assert group.name in html and district.name not in html


def test_filter_by_subject(client):
    maths, physics = make_subject("Математика"), make_subject("Физика")
    a = make_association("РМО математиков", subjects=[maths])
    b = make_association("РМО физиков", subjects=[physics])
    html = text(client.get(f"/associations/?subject={maths.id}"))
    assert a.name in html and b.name not in html


def test_filter_by_level(client):
    a = make_association("МО начальных классов", levels=[EducationLevel.PRIMARY])
    b = make_association("МО старшей школы", levels=[EducationLevel.SECONDARY, EducationLevel.BASIC])
    html = text(client.get("/associations/?level=secondary"))
    assert b.name in html and a.name not in html


def test_filter_by_school(client):
    s1, s2 = make_school(), make_school()
    a = make_association("ШМО первой школы", kind=AssociationKind.SCHOOL, school=s1)
    b = make_association("ШМО второй школы", kind=AssociationKind.SCHOOL, school=s2)
    html = text(client.get(f"/associations/?school={s2.id}"))
    assert b.name in html and a.name not in html


@pytest.mark.parametrize(
    "query",
    [
        "kind=nonsense",
        "subject=abc",
        "subject=999999",
        "level=kindergarten",
        "school=-1",
        "school=1.5",
        "page=abc",
        "page=-3",
        "archived=yes",
        "q=" + "я" * 500,
        "kind=district&kind=school",
    ],
)
def test_invalid_filters_are_ignored(client, query):
    a = make_association("РМО учителей музыки")
    response = client.get(f"/associations/?{query}")
    assert response.status_code == 200
    if not query.startswith("q="):
        assert a.name in text(response)


def test_search_by_name_ignores_case_and_yo(client):
    a = make_association("РМО учителей естествознания")
    b = make_association("Творческая группа «Ёлка»")
    c = make_association("Методический совет")
    html = text(client.get("/associations/?q=рмо"))
    assert a.name in html and c.name not in html
    html = text(client.get("/associations/?q=ЕЛКА"))
    assert "Ёлка" in html and a.name not in html and c.name not in html
    assert b.id


def test_search_treats_wildcards_literally(client):
    make_association("РМО учителей географии")
    html = text(client.get("/associations/?q=%25"))
    assert "РМО учителей географии" not in html
    assert "Ничего не найдено" in html


def test_filter_form_keeps_values_and_works_without_js(client):
    subject = make_subject("Биология")
    html = text(client.get(f"/associations/?kind=school&subject={subject.id}&q=био"))
    assert 'method="get"' in html
    assert '<option selected value="school">' in html
    assert f'<option selected value="{subject.id}">' in html
    assert 'value="био"' in html


def test_pagination(client, app):
    per_page = app.config["PER_PAGE"]
    for n in range(per_page + 1):
        make_association(f"РМО номер {n:03d}")
    first = text(client.get("/associations/"))
    assert "РМО номер 000" in first and f"РМО номер {per_page:03d}" not in first
    assert 'rel="next"' in first
    second = text(client.get("/associations/?page=2"))
    assert f"РМО номер {per_page:03d}" in second and "РМО номер 000" not in second
    assert client.get("/associations/?page=99").status_code == 404


def test_card_shows_kind_subjects_levels_school_and_count(client):
    school = make_school(short_name="Лицей № 7")
    subject = make_subject("Информатика")
    a = make_association(
        "ШМО информатиков",
        kind=AssociationKind.SCHOOL,
        school=school,
        subjects=[subject],
        levels=[EducationLevel.BASIC],
    )
    for _ in range(5):
        make_membership(make_user(), a)
    html = text(client.get("/associations/"))
    assert "школьное МО" in html
    assert "Лицей № 7" in html
    assert "Информатика" in html
    assert "ООО" in html
    assert "5 участников" in html


def test_markers_for_the_current_user(client, login):
    user = make_user()
    joined = make_association("Объединение-участник")
    led = make_association("Объединение-руководитель")
    asked = make_association("Объединение-заявка", join_policy=JoinPolicy.REQUEST)
    other = make_association("Объединение-чужое")
    make_membership(user, joined)
    make_membership(user, led, role=MemberRole.LEADER)
    make_membership(user, asked, status=MembershipStatus.PENDING)
    login(user)
    html = text(client.get("/associations/"))
    cards = {
        name: html.split(name, 1)[1].split("</li>", 1)[0] for name in (joined.name, led.name, asked.name, other.name)
    }
    assert "вы участник" in cards[joined.name]
    assert "вы руководитель" in cards[led.name]
    assert "заявка отправлена" in cards[asked.name]
    assert "вы " not in cards[other.name] and "заявка" not in cards[other.name]


def test_query_count_does_not_grow_with_rows(client, login, count_queries, app, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 50)
    user = make_user()
    school = make_school()
    subjects = [make_subject(), make_subject()]

    def add(n):
        for _ in range(n):
            a = make_association(
                kind=AssociationKind.SCHOOL, school=school, subjects=subjects, levels=[EducationLevel.PRIMARY]
            )
            make_membership(user, a)

    add(1)
    login(user)
    with count_queries() as one:
        assert client.get("/associations/").status_code == 200
    add(49)
    with count_queries() as fifty:
        response = client.get("/associations/")
    assert text(response).count('class="card assoc-card"') == 50
    assert fifty.count == one.count, fifty.statements
    assert one.count <= 12, one.statements
