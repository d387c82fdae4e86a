"""Asking a question through the thread form: subject and level are required for a question (they route it to the
methodists of that subject and level), class and topic optional; the consultation starts «новый» with them."""

from app.consultations import services
from app.directory.models import EducationLevel
from app.discussions.models import Thread
from app.extensions import db
from tests.factories import make_association, make_subject, make_user


def text(response) -> str:
    return response.get_data(as_text=True)


def _ask(client, association, **fields):
    data = {"title": "Как готовить к ВПР по физике?", "body": "Подскажите, с чего начать.", "kind": "question",
            **fields}  # fmt: skip
    return client.post(f"/associations/{association.slug}/threads/new", data=data)


def test_a_question_carries_its_subject_level_class_and_topic(client, login):
    physics = make_subject("Физика")
    asker = make_user()
    association = make_association(members=[asker])
    db.session.commit()
    login(asker)
    form = text(client.get(f"/associations/{association.slug}/threads/new"))
    assert "Для вопроса методистам" in form and "Физика" in form
    response = _ask(client, association, question_subject=str(physics.id), question_level="basic",
                    question_grade="7 класс", question_topic="Давление")  # fmt: skip
    assert response.status_code == 302
    thread = db.session.scalar(db.select(Thread).where(Thread.title == "Как готовить к ВПР по физике?"))
    question = services.question_of(thread)
    assert (question.subject_id, question.level, question.grade, question.topic) == (
        physics.id, EducationLevel.BASIC, "7 класс", "Давление")  # fmt: skip
    page = text(client.get(f"/threads/{thread.id}"))
    assert "Физика" in page and "Давление" in page and "7 класс" in page


def test_a_question_without_subject_or_level_is_sent_back_with_the_text_kept(client, login):
    make_subject("Химия")
    asker = make_user()
    association = make_association(members=[asker])
    db.session.commit()
    login(asker)
    response = _ask(client, association, question_subject="999999", question_level="высший")
    assert response.status_code == 400
    page = text(response)
    assert "Выберите предмет вопроса." in page and "Выберите уровень образования." in page
    assert "Подскажите, с чего начать." in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Thread)) == 0


def test_other_kinds_ignore_the_question_fields(client, login):
    asker = make_user()
    association = make_association(members=[asker])
    db.session.commit()
    login(asker)
    response = _ask(client, association, kind="discussion")
    assert response.status_code == 302
    thread = db.session.scalar(db.select(Thread))
    assert services.question_of(thread) is None
