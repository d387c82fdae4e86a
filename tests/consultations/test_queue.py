"""`/consultations/`: a methodist's queue (their subjects and levels, oldest waiting first, filters, the clock and
overdue marks), the overdue list of leaders, everyone's own questions, and what outsiders never see."""

from datetime import timedelta

from app.associations.models import Visibility
from app.auth.models import Role
from app.consultations import services
from app.db import utcnow
from app.directory.models import EducationLevel
from app.discussions.models import ThreadKind
from app.extensions import db
from tests.consultations.conftest import text
from tests.factories import make_association, make_post, make_subject, make_thread, make_user


def _ask(world, title, *, subject=None, level=EducationLevel.BASIC, days_ago=0, association=None):
    thread = make_thread(world["asker"], association or world["association"], kind=ThreadKind.QUESTION, title=title)
    question = services.question_of(thread)
    question.subject_id = (subject or world["physics"]).id if subject is not False else None
    question.level = level
    question.asked_at = utcnow() - timedelta(days=days_ago)
    return question


def _order(page: str, titles) -> list[str]:
    return sorted((t for t in titles if t in page), key=page.index)


def test_the_methodist_sees_questions_in_their_subjects_oldest_first(signed_in, world):
    w = world
    _ask(w, "Старый вопрос по физике", days_ago=10)
    _ask(w, "Свежий вопрос по физике")
    _ask(w, "Вопрос по химии", subject=make_subject("Химия"))
    _ask(w, "Вопрос для старших классов", level=EducationLevel.SECONDARY)
    _ask(w, "Вопрос без предмета", subject=False, level=None)
    db.session.commit()
    page = text(signed_in(w["methodist"]).get("/consultations/"))
    titles = ["Старый вопрос по физике", "Как готовить к ВПР по физике?", "Свежий вопрос по физике",
              "Вопрос без предмета"]  # fmt: skip
    assert _order(page, [*titles, "Вопрос по химии", "Вопрос для старших классов"]) == titles
    assert "просрочен" in page  # ten days waiting
    everything = text(signed_in(w["methodist"]).get("/consultations/?scope=all"))
    assert "Вопрос по химии" in everything and "Вопрос для старших классов" in everything


def test_filters_by_status_and_assignee(signed_in, world):
    w = world
    services.take_question(w["methodist"], w["question"])
    other = make_thread(w["asker"], w["association"], kind=ThreadKind.QUESTION, title="Вопрос, на который ответили")
    make_post(other, w["methodist"])
    db.session.commit()
    client = signed_in(w["methodist"])
    assert "Вопрос, на который ответили" not in text(client.get("/consultations/"))  # waiting only
    assert "Вопрос, на который ответили" in text(client.get("/consultations/?status=answered"))
    mine = text(client.get("/consultations/?assigned=mine"))
    assert "Как готовить к ВПР по физике?" in mine
    assert "Как готовить к ВПР по физике?" not in text(client.get("/consultations/?assigned=nobody"))
    assert "Как готовить" not in text(client.get("/consultations/?association=nonexistent"))
    assert client.get("/consultations/?status=<script>&page=abc").status_code == 200


def test_a_teacher_sees_only_their_own_questions_and_no_queue(signed_in, world):
    w = world
    page = text(signed_in(w["asker"]).get("/consultations/"))
    assert "Мои вопросы" in page and "Как готовить к ВПР по физике?" in page and "Очередь вопросов" not in page
    assert "Как готовить" not in text(signed_in(w["colleague"]).get("/consultations/"))


def test_leaders_see_the_overdue_questions_of_their_associations(signed_in, world):
    w = world
    w["question"].asked_at = utcnow() - timedelta(days=14)
    elsewhere = make_association(leader=make_user(), members=[w["asker"]])
    late_elsewhere = make_thread(w["asker"], elsewhere, kind=ThreadKind.QUESTION, title="Чужой просроченный вопрос")
    services.question_of(late_elsewhere).asked_at = utcnow() - timedelta(days=14)
    db.session.commit()
    page = text(signed_in(w["leader"]).get("/consultations/"))
    assert "Просроченные вопросы" in page and "Как готовить к ВПР по физике?" in page
    assert "Чужой просроченный вопрос" not in page
    assert "Чужой просроченный вопрос" in text(signed_in(w["admin"]).get("/consultations/"))


def test_questions_of_members_only_associations_stay_with_their_members(signed_in, world):
    w = world
    closed = make_association(visibility=Visibility.MEMBERS, join_policy="invitation", members=[w["asker"]])
    make_thread(w["asker"], closed, kind=ThreadKind.QUESTION, title="Вопрос только для своих")
    db.session.commit()
    assert "Вопрос только для своих" not in text(signed_in(w["methodist"]).get("/consultations/?scope=all"))
    assert "Вопрос только для своих" in text(signed_in(w["admin"]).get("/consultations/?scope=all"))


def test_the_queue_needs_a_login_and_runs_a_fixed_number_of_queries(signed_in, client, world, count_queries):
    assert client.get("/consultations/").status_code == 302
    methodist = signed_in(world["methodist"])
    with count_queries() as one:
        methodist.get("/consultations/")
    for n in range(15):
        make_thread(world["asker"], world["association"], kind=ThreadKind.QUESTION, title=f"Вопрос {n}")
    db.session.commit()
    with count_queries() as sixteen:
        methodist.get("/consultations/")
    assert sixteen.count == one.count, sixteen.statements


def test_a_methodist_without_declared_subjects_is_told_by_an_empty_queue(signed_in):
    methodist = make_user(Role.METHODIST)
    db.session.commit()
    assert "Таких вопросов нет." in text(signed_in(methodist).get("/consultations/"))
