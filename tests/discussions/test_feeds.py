"""Atom feeds of public associations and threads, read back with the real `feedparser` library."""

import time
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import feedparser
import pytest

from app.associations.models import Visibility
from app.db import utcnow
from app.discussions.models import Post, ThreadKind
from app.extensions import db
from tests.factories import make_association, make_post, make_thread, make_user

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def people():
    return make_user(full_name="Петрова Анна Сергеевна"), make_user(full_name="Кравченко Ольга Владимировна")


@pytest.fixture
def association(people):
    return make_association("РМО учителей математики", members=people)


def _get_feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _association_url(association) -> str:
    return f"/associations/{association.slug}/feed.atom"


def _links(item) -> dict[str, str]:
    return {link.rel: link.href for link in item.links}


def _at(minutes: int) -> datetime:
    return datetime(2026, 11, 20, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def _date(moment: datetime) -> time.struct_time:
    return moment.astimezone(UTC).utctimetuple()


def _opening_post(thread) -> Post:
    return db.session.scalar(db.select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def _created(thread, moment: datetime) -> Post:
    """Back-date a thread and its opening post (they are created together)."""
    opening = _opening_post(thread)
    thread.created_at = opening.created_at = moment
    db.session.flush()
    return opening


# --- association feed ---------------------------------------------------------------------------------------------


def test_association_feed_lists_new_threads_with_their_opening_post(client, people, association):
    teacher, leader = people
    older = make_thread(teacher, association, title="Как готовить к ВПР в 5 классе", body="Делюсь **опытом**.",
                        kind=ThreadKind.EXPERIENCE, tags="ВПР, 5 класс")  # fmt: skip
    newer = make_thread(leader, association, title="Полезный сайт ФИПИ", body="Открытый банк заданий.",
                        kind=ThreadKind.LINK, url="https://fipi.ru/oge/otkrytyy-bank-zadaniy-oge")  # fmt: skip
    _created(older, _at(0))
    _created(newer, _at(30))
    make_post(older, leader, body="Спасибо!")  # replies are not entries of the association feed
    db.session.flush()

    feed = _get_feed(client, _association_url(association))

    assert feed.feed.title == "РМО учителей математики — новые темы"
    assert feed.feed.id == f"tag:localhost,{association.created_at:%Y-%m-%d}:association/{association.id}"
    assert _links(feed.feed) == {
        "self": f"http://localhost/associations/{association.slug}/feed.atom",
        "alternate": f"http://localhost/associations/{association.slug}/",
    }
    assert [e.title for e in feed.entries] == ["Полезный сайт ФИПИ", "Как готовить к ВПР в 5 классе"]
    first, second = feed.entries
    assert first.id == f"tag:localhost,2026-11-20:thread/{newer.id}"
    assert second.id == f"tag:localhost,2026-11-20:thread/{older.id}"
    assert (first.author, second.author) == ("Кравченко Ольга Владимировна", "Петрова Анна Сергеевна")
    assert first.published_parsed == _date(_at(30))
    assert first.link == f"http://localhost/threads/{newer.id}"
    assert _links(first)["related"] == "https://fipi.ru/oge/otkrytyy-bank-zadaniy-oge"
    assert second.content[0].type == "text/html"
    assert second.content[0].value == "<p>Делюсь <strong>опытом</strong>.</p>"
    assert {t.term for t in second.tags} == {"experience", "впр", "5 класс"}
    assert "Спасибо" not in str(feed)


def test_feed_dates_are_utc_rfc3339(client, people, association):
    thread = make_thread(people[0], association)
    _created(thread, datetime(2026, 11, 20, 23, 30, tzinfo=UTC))
    db.session.flush()
    for url in (_association_url(association), f"/threads/{thread.id}/feed.atom"):
        xml = ET.fromstring(client.get(url).data)
        assert xml.find(f"{ATOM}entry/{ATOM}published").text == "2026-11-20T23:30:00Z"  # not Moscow time
        assert xml.find(f"{ATOM}updated").text == "2026-11-20T23:30:00Z"


def test_association_feed_keeps_only_the_latest_thirty_threads(client, people, association):
    threads = [make_thread(people[0], association, title=f"Тема номер {n:02d}") for n in range(32)]
    for n, thread in enumerate(threads):
        _created(thread, _at(n))
    db.session.flush()
    feed = _get_feed(client, _association_url(association))
    assert len(feed.entries) == 30
    assert feed.entries[0].title == "Тема номер 31"
    assert feed.entries[-1].title == "Тема номер 02"


def test_hidden_and_deleted_threads_never_appear(client, people, association):
    shown = make_thread(people[0], association, title="Открытая тема")
    hidden = make_thread(people[0], association, title="Скрытая модератором тема", body="тайный текст один")
    deleted = make_thread(people[0], association, title="Удалённая автором тема", body="тайный текст два")
    hidden.hidden_at = deleted.deleted_at = utcnow()
    db.session.flush()
    response = client.get(_association_url(association))
    assert "тайный" not in response.get_data(as_text=True)
    assert [e.title for e in feedparser.parse(response.data).entries] == [shown.title]


def test_thread_whose_opening_post_is_hidden_is_left_out(client, people, association):
    thread = make_thread(people[0], association, title="Тема с удалённым началом", body="нельзя показывать")
    opening = _opening_post(thread)
    opening.deleted_at = utcnow()
    db.session.flush()
    body = client.get(_association_url(association)).get_data(as_text=True)
    assert "нельзя показывать" not in body
    assert "Тема с удалённым началом" not in body


def test_empty_association_feed_is_valid(client, association):
    feed = _get_feed(client, _association_url(association))
    assert feed.entries == []
    assert feed.feed.updated_parsed == _date(association.created_at)


def test_members_only_association_has_no_feed_even_for_members(client, login, people):
    private = make_association(visibility=Visibility.MEMBERS, members=people)
    thread = make_thread(people[0], private, title="Внутренний протокол заседания ШМО")
    assert client.get(_association_url(private)).status_code == 404
    assert client.get(f"/threads/{thread.id}/feed.atom").status_code == 404
    login(people[0])
    assert client.get(_association_url(private)).status_code == 404
    assert client.get(f"/threads/{thread.id}/feed.atom").status_code == 404


def test_archived_association_has_no_feed(client, people, association):
    make_thread(people[0], association)
    association.archived_at = utcnow()
    db.session.flush()
    assert client.get(_association_url(association)).status_code == 404


def test_unknown_feeds_are_404(client):
    assert client.get("/associations/no-such-association/feed.atom").status_code == 404
    assert client.get("/threads/999999/feed.atom").status_code == 404


def test_user_text_is_escaped_not_injected(client, people, association):
    make_user(full_name='Смирнова <b>"Анна"</b> & Co')
    author = make_user(full_name="Иванова <i>Мария</i> & Ко")
    association_member = make_association("РМО <script>alert(1)</script> & друзья", members=[author])
    make_thread(author, association_member, title="Дроби <b>&</b> проценты ]]>",
                body="<script>alert('x')</script> и [ссылка](javascript:alert(1))")  # fmt: skip
    response = client.get(_association_url(association_member))
    raw = response.get_data(as_text=True)
    assert "<script>" not in raw and "<b>" not in raw and "<i>" not in raw
    feed = _get_feed(client, _association_url(association_member))
    assert feed.feed.title == "РМО <script>alert(1)</script> & друзья — новые темы"
    entry = feed.entries[0]
    assert entry.title == "Дроби <b>&</b> проценты ]]>"
    assert entry.author == "Иванова <i>Мария</i> & Ко"
    assert "<script" not in entry.content[0].value
    assert "href" not in entry.content[0].value
    assert "&lt;script&gt;" in entry.content[0].value  # shown as text, as on the site


def test_feed_answers_conditional_requests(client, people, association):
    make_thread(people[0], association)
    first = client.get(_association_url(association))
    assert first.headers["ETag"]
    again = client.get(_association_url(association), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_association_feed_query_count_does_not_grow(client, people, association, count_queries):
    make_thread(people[0], association, tags="ВПР, ОГЭ")
    with count_queries() as one:
        client.get(_association_url(association))
    for n in range(29):
        author = make_user()
        make_thread(author, association, title=f"Тема {n} для подсчёта", tags=f"метка {n}, ФГОС")
    with count_queries() as many:
        assert len(feedparser.parse(client.get(_association_url(association)).data).entries) == 30
    assert one.count == many.count <= 4


def test_association_page_announces_its_feed(client, people, association):
    html = client.get(f"/associations/{association.slug}/").get_data(as_text=True)
    assert (
        f'<link rel="alternate" type="application/atom+xml" href="/associations/{association.slug}/feed.atom"' in html
    )


def test_members_only_association_page_announces_no_feed(client, login, people):
    private = make_association(visibility=Visibility.MEMBERS, members=people)
    login(people[0])
    html = client.get(f"/associations/{private.slug}/").get_data(as_text=True)
    assert "application/atom+xml" not in html


# --- thread feed --------------------------------------------------------------------------------------------------


def test_thread_feed_lists_posts_newest_first(client, people, association):
    teacher, leader = people
    thread = make_thread(teacher, association, title="Итоговое собеседование", body="Как вы оцениваете?")
    opening = _created(thread, _at(0))
    reply = make_post(thread, leader, body="По критериям ФИПИ:\n\n- чтение\n- пересказ")
    reply.created_at = _at(5)
    reply.edited_at = _at(20)
    db.session.flush()

    feed = _get_feed(client, f"/threads/{thread.id}/feed.atom")

    assert feed.feed.title == "Итоговое собеседование"
    assert feed.feed.subtitle == association.name
    assert feed.feed.id == f"tag:localhost,2026-11-20:thread/{thread.id}/posts"  # not the id of its entry
    assert _links(feed.feed) == {
        "self": f"http://localhost/threads/{thread.id}/feed.atom",
        "alternate": f"http://localhost/threads/{thread.id}",
    }
    assert feed.feed.updated_parsed == _date(_at(20))
    newest, oldest = feed.entries
    assert newest.id == f"tag:localhost,2026-11-20:post/{reply.id}"
    assert oldest.id == f"tag:localhost,2026-11-20:post/{opening.id}"
    assert newest.title == "Кравченко Ольга Владимировна — ответ в теме «Итоговое собеседование»"
    assert oldest.title == "Итоговое собеседование"
    assert (newest.author, oldest.author) == ("Кравченко Ольга Владимировна", "Петрова Анна Сергеевна")
    assert newest.published_parsed == _date(_at(5))
    assert newest.updated_parsed == _date(_at(20))
    assert newest.link == f"http://localhost/threads/{thread.id}?page=1#post-2"
    assert "<li>пересказ</li>" in newest.content[0].value


def test_thread_feed_keeps_the_latest_thirty_posts_and_never_hidden_ones(client, people, association):
    thread = make_thread(people[0], association)
    replies = [make_post(thread, people[1], body=f"Ответ номер {n}") for n in range(33)]
    replies[-1].hidden_at = utcnow()
    replies[-2].deleted_at = utcnow()
    replies[-2].body_html = "<p>тайна удалённого</p>"
    db.session.flush()
    response = client.get(f"/threads/{thread.id}/feed.atom")
    assert "Ответ номер 32" not in response.get_data(as_text=True)
    assert "тайна" not in response.get_data(as_text=True)
    entries = feedparser.parse(response.data).entries
    assert len(entries) == 30
    assert "Ответ номер 30" in entries[0].content[0].value
    assert "Ответ номер 1<" in entries[-1].content[0].value


def test_hidden_or_deleted_thread_has_no_feed(client, people, association):
    hidden = make_thread(people[0], association)
    deleted = make_thread(people[0], association)
    hidden.hidden_at = deleted.deleted_at = utcnow()
    db.session.flush()
    assert client.get(f"/threads/{hidden.id}/feed.atom").status_code == 404
    assert client.get(f"/threads/{deleted.id}/feed.atom").status_code == 404


def test_author_who_left_is_named_neutrally(client, people, association):
    thread = make_thread(people[0], association, title="Тема ушедшего автора")
    db.session.delete(people[0])
    db.session.flush()
    db.session.expire_all()
    feed = _get_feed(client, f"/threads/{thread.id}/feed.atom")
    assert feed.entries[0].author == "Удалённый пользователь"


def test_thread_feed_query_count_does_not_grow(client, people, association, count_queries):
    thread = make_thread(people[0], association)
    with count_queries() as one:
        client.get(f"/threads/{thread.id}/feed.atom")
    for n in range(29):
        make_post(thread, make_user(), body=f"Ответ {n}")
    with count_queries() as many:
        assert len(feedparser.parse(client.get(f"/threads/{thread.id}/feed.atom").data).entries) == 30
    assert one.count == many.count <= 3


def test_entry_links_open_the_page_that_shows_the_post(client, people, association):
    thread = make_thread(people[0], association)
    for n in range(24):
        make_post(thread, people[1], body=f"Ответ {n}")
    newest = _get_feed(client, f"/threads/{thread.id}/feed.atom").entries[0]
    assert newest.link == f"http://localhost/threads/{thread.id}?page=2#post-25"


def test_thread_page_announces_its_feed(client, people, association):
    thread = make_thread(people[0], association)
    html = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert f'<link rel="alternate" type="application/atom+xml" href="/threads/{thread.id}/feed.atom"' in html


def test_members_only_thread_page_announces_no_feed(client, login, people):
    private = make_association(visibility=Visibility.MEMBERS, members=people)
    thread = make_thread(people[0], private)
    login(people[0])
    response = client.get(f"/threads/{thread.id}")
    assert response.status_code == 200
    assert "application/atom+xml" not in response.get_data(as_text=True)


def test_relative_links_in_posts_resolve_against_the_site(client, people, association):
    teacher, leader = people
    thread = make_thread(teacher, association)
    make_post(thread, teacher, body="Спасибо, @[Кравченко Ольга Владимировна]!")
    entry = _get_feed(client, f"/threads/{thread.id}/feed.atom").entries[0]
    assert f'href="http://localhost/users/{leader.id}"' in entry.content[0].value
