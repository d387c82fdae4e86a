"""The question's panel on the thread page and its actions over HTTP: who sees which button, what each POST does, and
the refusals (403 with the reason, 404 for unknown or invisible questions, login for visitors)."""

from app.consultations.models import QuestionStatus
from app.discussions.models import ThreadKind
from app.extensions import db
from tests.consultations.conftest import text
from tests.factories import make_association, make_post, make_thread, make_user


def _url(w, action: str) -> str:
    return f"/threads/{w['thread'].id}/question/{action}"


def test_the_panel_shows_status_subject_and_the_readers_actions(signed_in, client, world):
    w = world
    page = text(client.get(f"/threads/{w['thread'].id}"))
    assert "новый" in page and "Физика" in page and "История вопроса" in page
    assert _url(w, "take") not in page and _url(w, "close") not in page  # a visitor acts on nothing
    page = text(signed_in(w["methodist"]).get(f"/threads/{w['thread'].id}"))
    assert _url(w, "take") in page and _url(w, "close") in page and _url(w, "assign") not in page
    page = text(signed_in(w["leader"]).get(f"/threads/{w['thread'].id}"))
    assert _url(w, "assign") in page and "Методист Физики" in page and _url(w, "take") not in page


def test_a_discussion_has_no_panel_and_its_question_urls_are_404(client, login, world):
    discussion = make_thread(world["asker"], world["thread"].association)
    db.session.commit()
    assert "История вопроса" not in text(client.get(f"/threads/{discussion.id}"))
    login(world["methodist"])
    assert client.post(f"/threads/{discussion.id}/question/take").status_code == 404
    assert client.post("/threads/999999/question/take").status_code == 404


def test_visitors_are_sent_to_log_in(client, world):
    response = client.post(_url(world, "take"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_methodist_takes_answers_and_the_asker_accepts(signed_in, world):
    w = world
    client = signed_in(w["methodist"])
    response = client.post(_url(w, "take"), follow_redirects=True)
    assert "Вопрос взят в работу." in text(response) and "в работе" in text(response)
    answer = make_post(w["thread"], w["methodist"], body="Разберите демоверсию.")
    db.session.commit()
    client = signed_in(w["asker"])
    response = client.post(_url(w, "accept"), data={"post_number": answer.number}, follow_redirects=True)
    assert f"Ответ №{answer.number} отмечен как решение." in text(response)
    question = db.session.get(type(w["question"]), w["thread"].id)
    assert question.status == QuestionStatus.RESOLVED and question.accepted_post_id == answer.id
    assert "Разберите демоверсию." in text(client.get(f"/threads/{w['thread'].id}"))
    response = client.post(_url(w, "unaccept"), follow_redirects=True)
    assert "Решение снято." in text(response)


def test_refusals_say_why(signed_in, world):
    w = world
    reply = make_post(w["thread"], w["colleague"])
    db.session.commit()
    client = signed_in(w["colleague"])  # a member, not the asker: may not accept, take, assign or close
    assert client.post(_url(w, "accept"), data={"post_number": reply.number}).status_code == 403
    response = client.post(_url(w, "take"))
    assert response.status_code == 403 and "своим предметам" in text(response)
    assert client.post(_url(w, "assign"), data={"methodist_id": w["methodist"].id}).status_code == 403
    assert client.post(_url(w, "close"), data={"reason": "closed_resolved"}).status_code == 403

    client = signed_in(w["leader"])
    response = client.post(_url(w, "assign"), data={"methodist_id": w["colleague"].id}, follow_redirects=True)
    assert "Назначить вопрос можно только методисту." in text(response)
    response = client.post(_url(w, "assign"), data={"methodist_id": 987654}, follow_redirects=True)
    assert "Такого пользователя нет." in text(response)
    response = client.post(_url(w, "accept"), data={"post_number": "сорок"}, follow_redirects=True)
    assert "В этом вопросе нет ответа с таким номером." in text(response)
    response = client.post(_url(w, "close"), data={"reason": "closed_duplicate", "duplicate_of": "abc"},
                           follow_redirects=True)  # fmt: skip
    assert "Укажите другой вопрос" in text(response)
    assert db.session.get(type(w["question"]), w["thread"].id).status == QuestionStatus.NEW  # nothing changed


def test_closing_as_a_duplicate_by_its_address(client, login, world):
    w = world
    original = make_thread(w["colleague"], w["thread"].association, kind=ThreadKind.QUESTION, title="Исходный вопрос")
    db.session.commit()
    login(w["leader"])
    data = {"reason": "closed_duplicate", "duplicate_of": f"http://localhost/threads/{original.id}?page=1"}
    response = client.post(_url(w, "close"), data=data, follow_redirects=True)
    assert "Вопрос закрыт." in text(response) and "Исходный вопрос" in text(response)
    assert db.session.get(type(w["question"]), w["thread"].id).duplicate_of_id == original.id


def test_actions_need_the_csrf_token(app, signed_in, world):
    client = signed_in(world["methodist"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(_url(world, "take"))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert db.session.get(type(world["question"]), world["thread"].id).status == QuestionStatus.NEW


def test_a_question_in_a_members_only_association_is_404_for_outsiders(client, login, world):
    from app.associations.models import Visibility

    members_only = make_association(visibility=Visibility.MEMBERS, join_policy="invitation")
    thread = make_thread(make_user(), members_only, kind=ThreadKind.QUESTION)
    db.session.commit()
    login(world["methodist"])
    assert client.post(f"/threads/{thread.id}/question/take").status_code == 404


def test_the_association_page_shows_each_questions_status_as_it_changes(signed_in, client, world):
    w = world
    page = f"/associations/{w['association'].slug}/"
    assert 'question-status-new">новый' in text(client.get(page))
    methodist = signed_in(w["methodist"])
    methodist.post(_url(w, "take"))
    assert 'question-status-in_progress">в работе' in text(client.get(page))  # the list kept before is not reused
    answer = make_post(w["thread"], w["methodist"])
    db.session.commit()
    signed_in(w["asker"]).post(_url(w, "accept"), data={"post_number": answer.number})
    assert 'question-status-resolved">решён' in text(client.get(page))
    discussion = make_thread(w["asker"], w["association"], title="Обычное обсуждение без статуса")
    db.session.commit()
    listed = text(client.get(page))
    row = listed[listed.index("Обычное обсуждение без статуса") :][:600]
    assert "question-status" not in row.split("</li>")[0]
    assert discussion.id


def test_the_statuses_of_a_list_cost_one_query_whatever_the_number_of_questions(client, world, count_queries):
    page = f"/associations/{world['association'].slug}/"
    with count_queries() as one:
        client.get(page)
    for n in range(12):
        make_thread(world["asker"], world["association"], kind=ThreadKind.QUESTION, title=f"Ещё вопрос номер {n}")
    db.session.commit()
    with count_queries() as thirteen:
        response = client.get(page)
    assert text(response).count("question-status-new") == 13
    assert thirteen.count == one.count, thirteen.statements
