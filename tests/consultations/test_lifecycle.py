"""A question's lifecycle (issue 5): новый → в работе → отвечен → решён / закрыт, every transition recorded with who
and when, and the refusals the issue lists."""

import pytest
import sqlalchemy as sa

from app.consultations import services
from app.consultations.models import Question, QuestionEvent, QuestionEventKind, QuestionStatus
from app.consultations.services import ConsultationError
from app.discussions import services as discussions
from app.discussions.models import ThreadKind
from app.discussions.services import DiscussionError
from app.extensions import db
from app.policy import PermissionDenied
from tests.factories import make_membership, make_post, make_subject, make_thread


def _history(question: Question) -> list[tuple]:
    events = db.session.scalars(
        sa.select(QuestionEvent).where(QuestionEvent.thread_id == question.thread_id).order_by(QuestionEvent.id)
    )
    return [(e.kind, e.status, e.actor_id) for e in events]


def test_a_question_thread_opens_a_new_question_and_other_kinds_do_not(world):
    question = world["question"]
    assert question.status == QuestionStatus.NEW and question.asked_at == world["thread"].created_at
    assert _history(question) == [(QuestionEventKind.ASKED, QuestionStatus.NEW, world["asker"].id)]
    assert services.question_of(make_thread(world["asker"], world["association"])) is None


def test_take_answer_reopen_accept_unaccept_close(world):
    w, question = world, world["question"]
    services.take_question(w["methodist"], question)
    assert (question.status, question.assignee_id) == (QuestionStatus.IN_PROGRESS, w["methodist"].id)

    answer = make_post(w["thread"], w["methodist"], body="Разберите задания прошлых лет.")
    assert question.status == QuestionStatus.ANSWERED and question.first_answer_at == answer.created_at
    make_post(w["thread"], w["colleague"], body="Присоединяюсь к вопросу.")  # a colleague's reply changes nothing
    assert question.status == QuestionStatus.ANSWERED

    make_post(w["thread"], w["asker"], body="А как быть с лабораторными?")  # the asker asks again
    assert question.status == QuestionStatus.IN_PROGRESS
    second = make_post(w["thread"], w["methodist"], body="Лабораторные — по демоверсии.")
    assert question.status == QuestionStatus.ANSWERED and question.first_answer_at == answer.created_at

    services.accept_answer(w["asker"], question, second)
    assert (question.status, question.accepted_post_id) == (QuestionStatus.RESOLVED, second.id)
    assert question.resolved_at is not None
    services.unaccept_answer(w["asker"], question)
    assert (question.status, question.accepted_post_id, question.resolved_at) == (QuestionStatus.ANSWERED, None, None)
    services.accept_answer(w["leader"], question, answer)  # re-accepting another answer works
    assert question.accepted_post_id == answer.id

    kinds = ["asked", "taken", "answered", "reopened", "answered", "accepted", "unaccepted", "accepted"]
    assert [kind for kind, _status, _actor in _history(question)] == [QuestionEventKind(k) for k in kinds]
    assert _history(question)[-1] == (QuestionEventKind.ACCEPTED, QuestionStatus.RESOLVED, w["leader"].id)


def test_a_methodist_answering_without_taking_becomes_the_assignee(world):
    make_post(world["thread"], world["methodist"])
    question = world["question"]
    assert question.status == QuestionStatus.ANSWERED and question.assignee_id == world["methodist"].id


def test_assigning_and_releasing(world):
    w, question = world, world["question"]
    with pytest.raises(ConsultationError, match="только методисту"):
        services.assign_question(w["leader"], question, w["colleague"])
    with pytest.raises(PermissionDenied):
        services.assign_question(w["colleague"], question, w["methodist"])
    services.assign_question(w["leader"], question, w["methodist"])
    assert (question.status, question.assignee_id) == (QuestionStatus.IN_PROGRESS, w["methodist"].id)
    assert _history(question)[-1] == (QuestionEventKind.ASSIGNED, QuestionStatus.IN_PROGRESS, w["leader"].id)
    with pytest.raises(PermissionDenied):
        services.release_question(w["colleague"], question)
    services.release_question(w["methodist"], question)
    assert (question.status, question.assignee_id) == (QuestionStatus.NEW, None)


def test_taking_outside_ones_subjects_is_for_admins_only(world):
    question = world["question"]
    question.subject_id = make_subject("Химия").id
    with pytest.raises(PermissionDenied, match="своим предметам"):
        services.take_question(world["methodist"], question)
    with pytest.raises(PermissionDenied):
        services.take_question(world["colleague"], question)  # not a methodist at all
    services.take_question(world["admin"], question)
    assert question.assignee_id == world["admin"].id


def test_accepting_is_for_the_asker_methodists_and_leaders_and_only_for_answers_here(world):
    w, question = world, world["question"]
    answer = make_post(w["thread"], w["colleague"], body="Мой опыт: …")
    with pytest.raises(PermissionDenied, match="автор вопроса"):
        services.accept_answer(w["colleague"], question, answer)  # someone else's question
    opening = db.session.scalar(sa.select(discussions.Post).where(discussions.Post.thread_id == w["thread"].id))
    with pytest.raises(ConsultationError, match="видимый ответ"):
        services.accept_answer(w["asker"], question, opening)
    elsewhere = make_post(make_thread(w["asker"], w["association"]), w["colleague"])
    with pytest.raises(ConsultationError, match="видимый ответ"):
        services.accept_answer(w["asker"], question, elsewhere)
    services.accept_answer(w["methodist"], question, answer)  # an answer by a colleague may be the solution
    assert question.status == QuestionStatus.RESOLVED
    with pytest.raises(ConsultationError):
        services.unaccept_answer(w["asker"], services.question_of(make_thread(w["asker"], w["association"],
                                                                             kind=ThreadKind.QUESTION)))  # fmt: skip


def test_closing_as_resolved_duplicate_or_not_a_question(world):
    w, question = world, world["question"]
    with pytest.raises(PermissionDenied):
        services.close_question(w["colleague"], question, QuestionEventKind.CLOSED_RESOLVED)
    with pytest.raises(ConsultationError, match="другой вопрос"):
        services.close_question(w["methodist"], question, QuestionEventKind.CLOSED_DUPLICATE, duplicate_of=w["thread"])
    original = make_thread(w["colleague"], w["association"], kind=ThreadKind.QUESTION)
    services.close_question(w["methodist"], question, QuestionEventKind.CLOSED_DUPLICATE, duplicate_of=original)
    assert (question.status, question.duplicate_of_id) == (QuestionStatus.CLOSED, original.id)
    with pytest.raises(ConsultationError, match="уже решён или закрыт"):
        services.take_question(w["methodist"], question)

    other = services.question_of(make_thread(w["asker"], w["association"], kind=ThreadKind.QUESTION))
    services.close_question(w["leader"], other, QuestionEventKind.CLOSED_RESOLVED)
    assert other.status == QuestionStatus.RESOLVED and other.accepted_post_id is None


def test_a_closed_question_takes_no_answer(world):
    w, question = world, world["question"]
    services.close_question(w["leader"], question, QuestionEventKind.CLOSED_NOT_A_QUESTION)
    db.session.commit()
    before = w["thread"].post_count
    with pytest.raises(DiscussionError, match="Вопрос закрыт"):
        discussions.create_reply(w["methodist"], w["thread"], body="Поздно, но отвечу.")
    db.session.rollback()
    assert db.session.get(type(w["thread"]), w["thread"].id).post_count == before
    with pytest.raises(ConsultationError, match="закрыт"):
        services.accept_answer(w["asker"], db.session.get(Question, question.thread_id), make_post(
            make_thread(w["asker"], w["association"]), w["colleague"]))  # fmt: skip


def test_replying_to_a_closed_question_over_http_keeps_the_text_and_says_why(client, login, world):
    w = world
    services.close_question(w["leader"], w["question"], QuestionEventKind.CLOSED_NOT_A_QUESTION)
    db.session.commit()
    login(w["methodist"])
    make_membership(w["methodist"], w["association"])
    db.session.commit()
    response = client.post(f"/threads/{w['thread'].id}/reply", data={"body": "Текст, который нельзя потерять"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Вопрос закрыт: ответить на него нельзя." in html and "Текст, который нельзя потерять" in html
