"""The /search page: the form with tips, results grouped by thread with highlights, filters kept, pages, odd input
that never breaks the page, and a query count that does not depend on how much matches."""

import html

import pytest

from app.extensions import db
from app.search.queries import PER_PAGE
from tests.factories import make_post, make_thread, make_user
from tests.search.helpers import thread_with, writer_and_association


def page(client, **args):
    db.session.commit()  # what the tests wrote is committed, as a writer's request would (the index is written then)
    response = client.get("/search", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    return response.get_data(as_text=True)


def test_empty_query_shows_the_form_with_tips(client):
    body = page(client)
    assert 'name="q"' in body
    assert "Как искать" in body
    assert "Найдено" not in body


def test_results_are_grouped_by_thread_with_highlighted_words(client):
    writer, association = writer_and_association()
    thread = make_thread(writer, association, title="Консультация: подготовка к ВПР в пятом классе", body="Вопрос.")
    make_post(thread, writer, body="Ещё о консультациях перед ВПР.")
    make_post(thread, writer, body="И снова консультации: ВПР близко.")
    body = page(client, q="консультации ВПР")
    assert body.count(f'href="/threads/{thread.id}"') == 1  # one result for the thread, however many posts match
    assert "<mark>Консультация</mark>" in body
    assert "<mark>ВПР</mark>" in body
    assert association.name in html.unescape(body)
    assert writer.full_name in html.unescape(body)


ODD_QUERIES = [
    '"', '""', '"""', '-', '--', '- -', '"незакрытая фраза', 'а OR б', 'NOT AND OR NEAR', 'учитель*', '^учитель',
    'title:учитель', '(((', ')', '{}', "'; DROP TABLE posts; --", "1' OR '1'='1", '<script>alert(1)</script>',
    '<b>жирный</b>', '&amp; &lt;', '\\', '%', '_', 'и в на по', '-ЕГЭ', '"и в"', 'ё', '🙂', '\u202e\u200b',
    'а' * 1000, 'консультация ' * 100, '1 000', 'SELECT * FROM users', "NEAR(учитель урок, 2)", '*',
]  # fmt: skip


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_queries_give_a_page_and_are_shown_escaped(client, query):
    thread_with("Учитель проводит урок.")
    body = page(client, q=query)
    assert "<script>alert(1)" not in body
    assert "<b>жирный</b>" not in body


def test_only_stop_words_are_explained(client):
    assert "только служебные слова" in page(client, q="и в на по")


def test_minus_words_alone_are_explained(client):
    assert "Одни слова с минусом" in page(client, q="-ЕГЭ")


def test_the_query_is_shown_back_escaped(client):
    body = page(client, q='<img src=x onerror=alert(1)> "урок"')
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_bad_filters_give_a_message_and_keep_the_text(client):
    body = page(client, q="урок", date_from="вчера", association="abc", kind="nonsense")
    assert "Введите дату в виде ДД.ММ.ГГГГ." in body
    assert 'value="урок"' in body


def test_pages(client):
    writer, association = writer_and_association()
    for n in range(PER_PAGE + 3):
        make_thread(writer, association, title=f"Олимпиада по математике {n}", body="Текст.")
    first = page(client, q="олимпиада")
    second = page(client, q="олимпиада", page=2)
    assert first.count('class="search-result"') == PER_PAGE
    assert second.count('class="search-result"') == 3
    assert 'rel="next"' in first
    assert page(client, q="олимпиада", page="abc").count('class="search-result"') == PER_PAGE
    assert "Ничего не найдено" in page(client, q="олимпиада", page=99)


def _fill(count):
    writer, association = writer_and_association()
    for n in range(count):
        thread = make_thread(writer, association, title=f"Проектная деятельность {n}", body="Проект класса.")
        make_post(thread, writer, body="Проект готов.")


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_query_count_does_not_depend_on_the_number_of_results(client, login, count_queries, signed_in):
    user = make_user()
    if signed_in:
        login(user)
    _fill(1)
    with count_queries() as one:
        page(client, q="проект", kind="discussion")
    _fill(30)
    with count_queries() as many:
        page(client, q="проект", kind="discussion")
    assert many.count == one.count, many.statements


def test_a_wrong_choice_is_dropped_without_an_error(client):
    thread_with("Учитель проводит урок.")
    body = page(client, q="урок", association="999999", kind="nonsense", sort="sideways")
    assert "Проверьте фильтры" not in body
    assert 'class="search-result"' in body


def test_dates_in_the_wrong_order_are_explained(client):
    body = page(client, q="урок", date_from="2026-05-01", date_to="2026-04-01")
    assert "Эта дата раньше начальной." in body


def test_more_matches_than_ranked_say_so(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_CANDIDATES", 2)
    writer, association = writer_and_association()
    for n in range(4):
        make_thread(writer, association, title=f"Экскурсия {n}", body="Экскурсия в музей.")
    assert "Найдено больше" in page(client, q="экскурсия")


def test_searching_is_rate_limited(client):
    from app.search.routes import SEARCH_LIMIT

    per_minute = int(SEARCH_LIMIT.split()[0])
    for _ in range(per_minute):
        assert client.get("/search", query_string={"q": "урок"}).status_code == 200
    assert client.get("/search", query_string={"q": "урок"}).status_code == 429


def test_the_page_in_english(client):
    thread_with("Учитель проводит урок.")
    client.post("/language", data={"locale": "en", "next": "/search"})
    body = page(client, q="урок")
    assert "Search the discussions" in body
    assert "1 thread found" in body
    assert "Refine the search" in body
