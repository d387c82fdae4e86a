"""The settings page: the colleague-facing profile, interface language and time zone; the e-mail is shown only."""

import pytest

from app.auth.forms import RUSSIAN_TIMEZONES
from app.directory.models import EducationLevel
from app.extensions import db
from tests.auth.conftest import user_by_email
from tests.factories import make_school, make_subject, make_user


def settings_data(**overrides) -> dict:
    data = {
        "full_name": "Петрова Елена Викторовна",
        "position": "методист по физике",
        "school_id": "",
        "locale": "ru",
        "timezone": "Europe/Moscow",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_login(client):
    for response in (client.get("/settings"), client.post("/settings", data=settings_data())):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_page_shows_current_values_and_the_email_as_text(client, login):
    school = make_school(short_name="Лицей № 2")
    subject = make_subject(name="Физика")
    user = make_user(
        email="me@example.org", position="учитель физики", school=school, subjects=[subject], levels=["secondary"]
    )
    login(user)
    response = client.get("/settings")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "me@example.org" in html
    assert 'name="email"' not in html
    assert 'value="учитель физики"' in html
    assert f'<option selected value="{school.id}">Лицей № 2</option>' in html
    assert f'checked id="subjects-0" name="subjects" type="checkbox" value="{subject.id}"' in html
    assert 'value="secondary"' in html
    assert "Europe/Kaliningrad" in html and "Asia/Kamchatka" in html


def test_saving_changes_the_profile_and_settings(client, login):
    school = make_school()
    physics, chemistry = make_subject(), make_subject()
    user = make_user(email="me@example.org", subjects=[physics], levels=["primary"])
    login(user)
    response = client.post(
        "/settings",
        data=settings_data(
            school_id=str(school.id),
            subjects=[str(chemistry.id)],
            levels=["basic", "secondary"],
            locale="en",
            timezone="Asia/Yekaterinburg",
            email="hijack@example.org",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings"
    stored = user_by_email("me@example.org")
    assert stored.full_name == "Петрова Елена Викторовна"
    assert stored.position == "методист по физике"
    assert stored.school_id == school.id
    assert [s.id for s in stored.subjects] == [chemistry.id]
    assert stored.levels == [EducationLevel.BASIC, EducationLevel.SECONDARY]
    assert stored.locale == "en"
    assert stored.timezone == "Asia/Yekaterinburg"
    assert user_by_email("hijack@example.org") is None  # the e-mail is not editable here
    assert '<html lang="en">' in client.get("/settings").get_data(as_text=True)


def test_unticking_everything_clears_subjects_and_levels(client, login):
    user = make_user(email="me@example.org", subjects=[make_subject()], levels=["primary"], school=make_school())
    login(user)
    assert client.post("/settings", data=settings_data()).status_code == 302
    stored = user_by_email("me@example.org")
    assert stored.subjects == [] and stored.levels == [] and stored.school is None


def test_saving_the_same_levels_again_works(client, login):
    login(make_user(email="me@example.org", levels=["primary", "basic"]))
    response = client.post("/settings", data=settings_data(levels=["primary", "basic"]))
    assert response.status_code == 302
    assert user_by_email("me@example.org").levels == [EducationLevel.PRIMARY, EducationLevel.BASIC]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "Укажите фамилию, имя и отчество."),
        ("full_name", "Я" * 201, None),
        ("position", "", "Укажите должность."),
        ("timezone", "Mars/Olympus_Mons", None),
        ("timezone", "", None),
        ("locale", "de", None),
        ("school_id", "999999", None),
        ("levels", "phd", None),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, login, field, value, message):
    user = make_user(email="me@example.org", full_name="Исходная Фамилия Имя")
    login(user)
    response = client.post("/settings", data=settings_data(**{field: value}))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html or field == "levels"
    if message:
        assert message in html
    assert user_by_email("me@example.org").full_name == "Исходная Фамилия Имя"


def test_russian_zones_are_offered_west_to_east():
    zones = [zone for zone, _label in RUSSIAN_TIMEZONES]
    assert zones[0] == "Europe/Kaliningrad" and zones[-1] == "Asia/Kamchatka"
    assert "Europe/Moscow" in zones and "Asia/Vladivostok" in zones


def test_a_valid_zone_set_elsewhere_stays_selectable(client, login):
    user = make_user(email="me@example.org")
    user.timezone = "Asia/Almaty"
    db.session.flush()
    login(user)
    assert '<option selected value="Asia/Almaty">' in client.get("/settings").get_data(as_text=True)
    assert client.post("/settings", data=settings_data(timezone="Asia/Almaty")).status_code == 302
    assert client.post("/settings", data=settings_data(timezone="Asia/Tokyo")).status_code == 400


def test_a_methodist_declares_here_what_they_consult_on_and_the_queue_follows(client, login):
    """The subjects and levels of a methodist's settings choose the questions of their consultation queue."""
    from app.auth.models import Role
    from app.consultations import services
    from app.discussions.models import ThreadKind
    from tests.factories import make_thread

    physics, chemistry = make_subject(name="Физика"), make_subject(name="Химия")
    methodist = make_user(Role.METHODIST, email="m@example.org", subjects=[chemistry], levels=["basic"])
    question = services.question_of(
        make_thread(kind=ThreadKind.QUESTION, title="Лабораторная по оптике: с чего начать?")
    )
    question.subject_id, question.level = physics.id, EducationLevel.BASIC
    db.session.commit()
    login(methodist)
    assert "Вы консультируете" in client.get("/settings").get_data(as_text=True)
    assert "Лабораторная по оптике" not in client.get("/consultations/").get_data(as_text=True)
    data = settings_data(subjects=[str(physics.id)], levels=["basic"])
    assert client.post("/settings", data=data).status_code == 302
    assert "Лабораторная по оптике" in client.get("/consultations/").get_data(as_text=True)


def test_a_teacher_is_not_told_about_consulting(client, login):
    login(make_user(email="t@example.org"))
    assert "Вы консультируете" not in client.get("/settings").get_data(as_text=True)
