"""A question's replies on its thread page (issue 5): the «Отметить как решение» button on each reply and «Решение» on
the accepted one, «Консультация методиста» on methodists' answers, «Рекомендовано методистом» endorsements, and the
asker's rating of a resolved consultation — who sees and may do what, bad input, no-JavaScript forms, the fixed number
of queries, and pages from the fragment cache identical to pages rendered afresh."""

import re

import pytest

from app.auth.models import Role
from app.consultations import services
from app.consultations.models import AnswerEndorsement, Question, QuestionEvent, QuestionEventKind, QuestionStatus
from app.discussions import editing
from app.extensions import db
from app.fragments import CSRF_MARKER
from tests.consultations.conftest import text
from tests.factories import make_post, make_user

ROLES = ("asker", "colleague", "methodist", "leader", "admin", "visitor")


def _page_url(w) -> str:
    return f"/threads/{w['thread'].id}"


def _url(w, action: str, number: int | None = None) -> str:
    return f"/threads/{w['thread'].id}/question/{action}" + (f"/{number}" if number is not None else "")


def _as(role, w, signed_in, client):
    return client if role == "visitor" else signed_in(w[role])


def _post_html(page: str, number: int) -> str:
    """The HTML of one post of a thread page."""
    start = page.index(f'id="post-{number}"')
    return page[start : page.index("</li>", start)]


def _question(w) -> Question:
    db.session.expire_all()
    return db.session.get(Question, w["thread"].id)


def _endorsers(post) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(db.select(AnswerEndorsement.methodist_id).filter_by(post_id=post.id)))


def _delete(post) -> None:
    editing.delete_post(post.author, post)
    db.session.commit()


@pytest.fixture
def replies(world):
    """A colleague's reply (number 2) and the methodist's answer (number 3)."""
    reply = make_post(world["thread"], world["colleague"], body="Ответ коллеги: решайте демоверсии.")
    answer = make_post(world["thread"], world["methodist"], body="Консультация: начните с кодификатора.")
    db.session.commit()
    return reply, answer


# --- accepting from the post --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_reply_offers_the_solution_button_to_those_who_may_accept(signed_in, client, world, replies, role):
    reply, answer = replies
    page = text(_as(role, world, signed_in, client).get(_page_url(world)))
    may = role in ("asker", "methodist", "leader", "admin")
    for post in (reply, answer):
        html = _post_html(page, post.number)
        assert (f'action="{_url(world, "accept", post.number)}"' in html) is may
        assert ("Отметить как решение" in html) is may
    assert _url(world, "accept", 1) not in page  # never on the question itself
    assert 'name="post_number"' not in page  # the by-number form gave way to the buttons


def test_the_buttons_are_plain_post_forms_with_the_requests_token(app, signed_in, world, replies):
    """No JavaScript needed: each button is a form of its own whose token is the request's (not the cache marker)."""
    reply, _answer = replies
    client = signed_in(world["methodist"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = text(client.get(_page_url(world)))
        html = _post_html(page, reply.number)
        for action in ("accept", "endorse"):
            form = re.search(rf'<form method="post" action="{_url(world, action, reply.number)}"[^>]*>\s*'
                             r'<input type="hidden" name="csrf_token" value="([^"]+)">', html)  # fmt: skip
            assert form is not None, action
            assert CSRF_MARKER not in form.group(1)
        assert client.post(_url(world, "endorse", reply.number)).status_code == 400  # no token
        assert _endorsers(reply) == set()
        response = client.post(_url(world, "endorse", reply.number), data={"csrf_token": form.group(1)})
        assert response.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _endorsers(reply) == {world["methodist"].id}


def test_accepting_from_the_post_marks_it_and_coming_back_to_it(signed_in, world, replies):
    reply, _answer = replies
    client = signed_in(world["asker"])
    response = client.post(_url(world, "accept", reply.number))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#post-{reply.number}")
    question = _question(world)
    assert question.status == QuestionStatus.RESOLVED and question.accepted_post_id == reply.id
    page = text(client.get(response.headers["Location"]))
    assert f"Ответ №{reply.number} отмечен как решение." in page
    html = _post_html(page, reply.number)
    assert 'class="badge badge-ok">Решение<' in html
    assert f'action="{_url(world, "unaccept")}"' in html and "Снять решение" in html
    assert f'action="{_url(world, "accept", reply.number)}"' not in html
    assert "Решение<" not in _post_html(page, reply.number + 1)
    page = text(client.post(_url(world, "unaccept"), follow_redirects=True))
    assert "Решение снято." in page and 'badge-ok">Решение<' not in _post_html(page, reply.number)
    assert _question(world).accepted_post_id is None


@pytest.mark.parametrize("role", ["methodist", "leader", "admin"])
def test_methodists_leaders_and_admins_accept_too(signed_in, world, replies, role):
    _reply, answer = replies
    assert signed_in(world[role]).post(_url(world, "accept", answer.number)).status_code == 302
    assert _question(world).accepted_post_id == answer.id


def test_a_colleague_may_not_accept_and_a_visitor_is_sent_to_log_in(signed_in, client, world, replies):
    reply, _answer = replies
    response = signed_in(world["colleague"]).post(_url(world, "accept", reply.number))
    assert response.status_code == 403 and "Отметить решение может автор вопроса" in text(response)
    response = client.post(_url(world, "accept", reply.number))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _question(world).accepted_post_id is None


def test_accepting_what_is_not_a_reply(signed_in, world, replies):
    reply, _answer = replies
    client = signed_in(world["asker"])
    assert client.post(_url(world, "accept", 99)).status_code == 404
    response = client.post(_url(world, "accept", 1), follow_redirects=True)
    assert "Решением можно отметить только видимый ответ в этом вопросе." in text(response)
    _delete(reply)
    assert client.post(_url(world, "accept", reply.number)).status_code == 404  # a removed reply: as if none
    assert _question(world).accepted_post_id is None


# --- «Консультация методиста» --------------------------------------------------------------------------------------


def test_methodists_answers_are_marked_for_everyone_and_keep_the_mark(signed_in, client, world, replies):
    reply, answer = replies
    for reader in (client, signed_in(world["colleague"])):
        page = text(reader.get(_page_url(world)))
        assert "Консультация методиста" in _post_html(page, answer.number)
        assert "Консультация методиста" not in _post_html(page, reply.number)
        assert "Консультация методиста" not in _post_html(page, 1)
    world["methodist"].role = Role.TEACHER  # the answer was a consultation when it was given
    later = make_post(world["thread"], make_user(Role.METHODIST), body="Второй методист дополнит.")
    db.session.commit()
    page = text(client.get(_page_url(world)))
    assert "Консультация методиста" in _post_html(page, answer.number)
    assert "Консультация методиста" in _post_html(page, later.number)


def test_the_mark_comes_from_the_answered_event(world, replies):
    _reply, answer = replies
    kinds = {(e.kind, e.post_id) for e in db.session.scalars(db.select(QuestionEvent))}
    assert (QuestionEventKind.ANSWERED, answer.id) in kinds


# --- «Рекомендовано методистом» ------------------------------------------------------------------------------------


def test_a_methodist_recommends_a_reply_once_and_withdraws_only_their_own(signed_in, client, world, replies):
    reply, _answer = replies
    methodist = signed_in(world["methodist"])
    response = methodist.post(_url(world, "endorse", reply.number))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#post-{reply.number}")
    assert f"Ответ №{reply.number} рекомендован." in text(methodist.get(response.headers["Location"]))
    assert methodist.post(_url(world, "endorse", reply.number)).status_code == 302  # again: no error, one row
    assert _endorsers(reply) == {world["methodist"].id}
    page = text(client.get(_page_url(world)))
    assert "Рекомендовано методистом: Методист Физики" in _post_html(page, reply.number)

    second = make_user(Role.METHODIST, full_name="Второй Методист")
    db.session.commit()
    signed_in(second).post(_url(world, "endorse", reply.number))
    page = text(client.get(_page_url(world)))
    assert "Рекомендовано методистами: Методист Физики, Второй Методист" in _post_html(page, reply.number)

    assert signed_in(world["colleague"]).post(_url(world, "unendorse", reply.number)).status_code == 302
    assert _endorsers(reply) == {world["methodist"].id, second.id}  # nobody withdraws someone else's
    html = _post_html(text(methodist.get(_page_url(world))), reply.number)
    assert f'action="{_url(world, "unendorse", reply.number)}"' in html and "Снять рекомендацию" in html
    assert f'action="{_url(world, "endorse", reply.number)}"' not in html
    assert methodist.post(_url(world, "unendorse", reply.number)).status_code == 302
    assert methodist.post(_url(world, "unendorse", reply.number)).status_code == 302  # again: nothing to do
    assert _endorsers(reply) == {second.id}
    page = text(client.get(_page_url(world)))
    assert "Рекомендовано методистом: Второй Методист" in _post_html(page, reply.number)


@pytest.mark.parametrize("role", ROLES)
def test_only_methodists_see_and_use_the_recommend_button(signed_in, client, world, replies, role):
    reply, answer = replies
    reader = _as(role, world, signed_in, client)
    page = text(reader.get(_page_url(world)))
    assert (_url(world, "endorse", reply.number) in page) is (role == "methodist")
    assert _url(world, "endorse", answer.number) not in page  # never one's own answer
    response = reader.post(_url(world, "endorse", reply.number))
    if role == "methodist":
        assert response.status_code == 302
    elif role == "visitor":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403 and "Рекомендовать ответы могут методисты." in text(response)
    assert _endorsers(reply) == ({world["methodist"].id} if role == "methodist" else set())


def test_what_may_not_be_recommended(signed_in, world, replies):
    reply, answer = replies
    client = signed_in(world["methodist"])
    response = client.post(_url(world, "endorse", answer.number), follow_redirects=True)
    assert "Свой ответ рекомендовать нельзя." in text(response)
    response = client.post(_url(world, "endorse", 1), follow_redirects=True)
    assert "Рекомендовать можно только видимый ответ в этом вопросе." in text(response)
    assert client.post(_url(world, "endorse", 42)).status_code == 404
    assert client.post(_url(world, "unendorse", 42)).status_code == 404
    services.close_question(world["leader"], _question(world), QuestionEventKind.CLOSED_NOT_A_QUESTION)
    db.session.commit()
    response = client.post(_url(world, "endorse", reply.number), follow_redirects=True)
    assert "Вопрос закрыт: рекомендовать ответы нельзя." in text(response)
    assert _endorsers(reply) == _endorsers(answer) == set()
    assert client.post("/threads/999999/question/endorse/2").status_code == 404


def test_endorsing_twice_in_the_services_adds_one_row(world, replies):
    reply, _answer = replies
    question = _question(world)
    assert services.endorse_answer(world["methodist"], question, reply) is True
    assert services.endorse_answer(world["methodist"], question, reply) is False
    assert services.unendorse_answer(world["colleague"], question, reply) is False
    assert _endorsers(reply) == {world["methodist"].id}
    assert services.unendorse_answer(world["methodist"], question, reply) is True
    assert services.unendorse_answer(world["methodist"], question, reply) is False


# --- the asker's rating --------------------------------------------------------------------------------------------


def _resolve(w, post) -> None:
    services.accept_answer(w["asker"], _question(w), post)
    db.session.commit()


def test_the_asker_rates_once_resolved_and_may_change_it(signed_in, world, replies):
    _reply, answer = replies
    asker = signed_in(world["asker"])
    assert "Помогла ли консультация?" not in text(asker.get(_page_url(world)))
    response = asker.post(_url(world, "rate"), data={"helped": "yes"}, follow_redirects=True)
    assert "Оценить консультацию можно, когда вопрос решён." in text(response)
    assert _question(world).rated_at is None

    _resolve(world, answer)
    page = text(asker.get(_page_url(world)))
    assert "Помогла ли консультация?" in page and "Да, помогла" in page and "Нет, не помогла" in page
    assert f'action="{_url(world, "rate")}"' in page
    response = asker.post(_url(world, "rate"), data={"helped": "yes", "comment": "  Спасибо, всё понятно!  "})
    assert response.status_code == 302
    question = _question(world)
    assert question.helped is True and question.rating_comment == "Спасибо, всё понятно!" and question.rated_at
    first = question.rated_at
    page = text(asker.get(_page_url(world)))
    assert "Спасибо! Оценка сохранена." in page and "Ваша оценка:" in page and "консультация помогла" in page
    assert 'value="yes" required checked' in page and ">Спасибо, всё понятно!</textarea>" in page

    asker.post(_url(world, "rate"), data={"helped": "no", "comment": ""})
    question = _question(world)
    assert question.helped is False and question.rating_comment == "" and question.rated_at >= first


@pytest.mark.parametrize("role", ROLES)
def test_the_rating_is_shown_to_methodists_leaders_admins_and_the_asker_only(signed_in, client, world, replies, role):
    _reply, answer = replies
    _resolve(world, answer)
    services.rate_question(world["asker"], _question(world), helped=False, comment="Ответ не про мой класс <b>!</b>")
    db.session.commit()
    page = text(_as(role, world, signed_in, client).get(_page_url(world)))
    sees = role in ("asker", "methodist", "leader", "admin")
    assert ("Ответ не про мой класс &lt;b&gt;!&lt;/b&gt;" in page) is sees
    assert "<b>!</b>" not in page
    assert ("консультация не помогла" in page) is sees
    assert ("Оценка автора вопроса" in page) is (role in ("methodist", "leader", "admin"))
    assert (f'action="{_url(world, "rate")}"' in page) is (role == "asker")


@pytest.mark.parametrize("role", ["colleague", "methodist", "leader", "admin"])
def test_only_the_asker_may_rate(signed_in, world, replies, role):
    _reply, answer = replies
    _resolve(world, answer)
    response = signed_in(world[role]).post(_url(world, "rate"), data={"helped": "yes"})
    assert response.status_code == 403 and "Оценить консультацию может только автор вопроса." in text(response)
    assert _question(world).rated_at is None


def test_a_visitor_is_sent_to_log_in_to_rate(client, world):
    response = client.post(_url(world, "rate"), data={"helped": "yes"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_bad_ratings_come_back_with_the_reason_and_the_text(signed_in, world, replies):
    _reply, answer = replies
    _resolve(world, answer)
    asker = signed_in(world["asker"])
    long = "Очень подробно. " * 70  # 1 120 characters
    response = asker.post(_url(world, "rate"), data={"helped": "no", "comment": long})
    page = text(response)
    assert response.status_code == 400
    assert "Комментарий слишком длинный: не больше 1000 знаков." in page
    assert long.strip() in page and 'value="no" required checked' in page
    response = asker.post(_url(world, "rate"), data={"comment": "Без выбора"})
    assert response.status_code == 400 and "Выберите, помогла ли консультация." in text(response)
    assert "Без выбора" in text(response)
    response = asker.post(_url(world, "rate"), data={"helped": "может быть"})
    assert response.status_code == 400 and "Выберите, помогла ли консультация." in text(response)
    assert _question(world).rated_at is None
    exactly = "я" * 1000
    assert asker.post(_url(world, "rate"), data={"helped": "yes", "comment": exactly}).status_code == 302
    assert _question(world).rating_comment == exactly


def test_the_rating_is_not_an_event_of_the_public_history(world, replies):
    """The history is shown to every reader, so the rating stays out of it."""
    _reply, answer = replies
    _resolve(world, answer)
    services.rate_question(world["asker"], _question(world), helped=True)
    db.session.commit()
    events = db.session.scalars(db.select(QuestionEvent).filter_by(thread_id=world["thread"].id)).all()
    assert [e.kind for e in events][-1] == QuestionEventKind.ACCEPTED


# --- queries and the cache -----------------------------------------------------------------------------------------


def _busy_question(w, replies: int):
    """`replies` more replies to the world's question, every other one a methodist's answer and the others
    recommended by two methodists; the last answer accepted, and the consultation rated."""
    second = make_user(Role.METHODIST)
    answer = None
    for n in range(replies):
        if n % 2:
            answer = make_post(w["thread"], w["methodist"], body=f"Консультация {n}")
        else:
            reply = make_post(w["thread"], w["colleague"], body=f"Ответ {n}")
            services.endorse_answer(w["methodist"], _question(w), reply)
            services.endorse_answer(second, _question(w), reply)
    services.accept_answer(w["asker"], _question(w), answer)
    services.rate_question(w["asker"], _question(w), helped=True, comment="Помогло")
    db.session.commit()


def _count(count_queries, reader, url: str, *, warm: bool = False):
    db.session.expire_all()  # as in production, where each request starts with an empty session
    with count_queries(warm=warm) as counted:
        response = reader.get(url)
    assert response.status_code == 200
    return counted, text(response)


@pytest.mark.parametrize("role", ["visitor", "colleague", "methodist", "leader"])
def test_the_question_page_runs_a_fixed_number_of_queries(signed_in, client, world, count_queries, role):
    """Whatever the number of replies, answers and recommendations; one query more than before this page had marks
    (what the marks read for the page's posts), and none when that is kept with the posts."""
    reader, url = _as(role, world, signed_in, client), _page_url(world)
    _busy_question(world, 2)
    reader.get(url)  # read: the counted page has nothing new to mark read
    one, _page = _count(count_queries, reader, url)
    _busy_question(world, 16)
    reader.get(url)
    many, page = _count(count_queries, reader, url)
    assert page.count("Рекомендовано методистами") == 9 and page.count(">Консультация методиста<") == 9
    assert many.count == one.count, many.statements
    assert sum("answer_endorsements" in s for s in many.statements) == 1
    warm, _page = _count(count_queries, reader, _page_url(world), warm=True)
    assert not any("answer_endorsements" in s for s in warm.statements)  # kept with the posts
    # the panel too is kept, under the thread's stamp: a question costs a warm page no query (a leader's reads the
    # methodists it may assign the question to)
    panel_tables = ("questions", "question_events", "knowledge_entries")
    assert not [s for s in warm.statements if any(re.search(rf"\b{t}\b", s) for t in panel_tables)], warm.statements
    # the discussion page's (tests/discussions/test_reading.py), the panel's (question, history, the accepted answer,
    # the knowledge base entry) and the marks' one
    assert many.count <= (9 if role == "visitor" else 12), many.statements


def _same_with_and_without_cache(app, reader, url: str) -> str:
    store = app.extensions["vmk_fragments"]
    per_request = re.compile(r'name="(csrf_token|submission_token)"( type="hidden")? value="[^"]*"')

    def page(cached: bool) -> str:
        store.max_bytes = app.config["FRAGMENT_CACHE_BYTES"] if cached else 0
        response = reader.get(url)
        assert response.status_code == 200
        return per_request.sub("per-request", text(response))

    try:
        page(True)  # the cache filled with the state as it is now
        cached = page(True)
        assert cached == page(False)
    finally:
        store.max_bytes = app.config["FRAGMENT_CACHE_BYTES"]
    return cached


def test_pages_from_the_cache_follow_every_change(app, signed_in, client, world, replies):
    reply, answer = replies
    readers = {role: _as(role, world, signed_in, client) for role in ("asker", "colleague", "methodist", "visitor")}
    url = _page_url(world)

    def check(expected: str | None = None, absent: str | None = None):
        for role, reader in readers.items():
            page = _same_with_and_without_cache(app, reader, url)
            assert expected is None or expected in page, role
            assert absent is None or absent not in page, role

    check("Консультация методиста")
    readers["methodist"].post(_url(world, "endorse", reply.number))
    check("Рекомендовано методистом: Методист Физики")
    world["methodist"].full_name = "Методист Физики Переименованный"
    db.session.commit()
    check("Рекомендовано методистом: Методист Физики Переименованный")
    readers["asker"].post(_url(world, "accept", reply.number))
    check('badge-ok">Решение<')
    readers["asker"].post(_url(world, "rate"), data={"helped": "yes", "comment": "Полезный совет"})
    page = _same_with_and_without_cache(app, readers["methodist"], url)
    assert "Полезный совет" in page
    assert "Полезный совет" not in _same_with_and_without_cache(app, readers["colleague"], url)
    readers["asker"].post(_url(world, "rate"), data={"helped": "no", "comment": "Передумала"})
    assert "Передумала" in _same_with_and_without_cache(app, readers["methodist"], url)
    readers["methodist"].post(_url(world, "unendorse", reply.number))
    check(absent="Рекомендовано методист")
    readers["asker"].post(_url(world, "unaccept"))
    check(absent='badge-ok">Решение<')
    _delete(answer)
    check(absent="Консультация методиста")
