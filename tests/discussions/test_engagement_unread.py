"""Unread: tracked threads with new posts and new threads in one's associations; marking all read; the nav count."""

from datetime import timedelta

import sqlalchemy as sa

from app.associations import services as association_services
from app.associations.models import Membership, Visibility
from app.db import utcnow
from app.discussions import engagement, unread
from app.discussions.models import ThreadReader, WatchLevel
from app.extensions import db
from tests.discussions.engagement_helpers import reader_of, set_read, text
from tests.factories import make_association, make_post, make_thread, make_user


def _titles(user) -> list[str]:
    return [row.thread.title for row in unread.unread_threads(user).rows]


def _membership(user, association) -> Membership:
    return db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user.id, Membership.association_id == association.id)
    )


def _people():
    author, user = make_user(), make_user()
    association = make_association(members=[author, user])
    return author, user, association


def test_anonymous_is_sent_to_login(client):
    for response in (client.get("/unread"), client.post("/unread/mark-read")):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_tracked_thread_with_new_posts_links_to_the_first_unread(client, login):
    author, user, association = _people()
    thread = make_thread(author, association, title="Подготовка к ВПР")
    make_post(thread, user)  # the replier tracks the thread, read up to post 2
    for _ in range(21):
        make_post(thread, author)  # posts 3…23
    set_read(user, thread, 20)
    login(user)
    html = text(client.get("/unread"))
    assert "Подготовка к ВПР" in html
    assert f'href="/threads/{thread.id}?page=2#post-21"' in html
    assert "3 новых сообщений" in html or "3 новых сообщения" in html
    assert association.name in html


def test_new_thread_in_my_association_counts_until_opened(client, login):
    author, user, association = _people()
    thread = make_thread(author, association, title="Новая тема коллеги")
    assert _titles(user) == ["Новая тема коллеги"]
    login(user)
    html = text(client.get("/unread"))
    assert f'href="/threads/{thread.id}?page=1#post-1"' in html and "новая тема" in html
    set_read(user, thread, 1)  # opened: a reader row at level «normal»
    make_post(thread, author)
    assert _titles(user) == []  # normal threads are not followed for unread


def test_what_does_not_count(app):
    author, user, association = _people()
    own = make_thread(user, association, title="Своя тема")
    make_post(own, user)
    older = make_thread(author, association, title="Тема до вступления")
    older.created_at = _membership(user, association).joined_at - timedelta(days=1)
    muted = make_thread(author, association, title="Заглушённая тема")
    engagement.set_thread_watch(user, muted, WatchLevel.MUTED)
    hidden = make_thread(author, association, title="Скрытая тема")
    hidden.hidden_at = utcnow()
    deleted = make_thread(author, association, title="Удалённая тема")
    deleted.deleted_at = utcnow()
    elsewhere = make_thread(title="Тема в чужом объединении")
    engagement.set_thread_watch(user, elsewhere, WatchLevel.TRACKING)  # tracked, but read to the end
    set_read(user, elsewhere, 1)
    db.session.flush()
    assert _titles(user) == []
    assert unread.unread_count(user) == 0


def test_muted_association_hides_its_new_threads_but_not_tracked_ones(app):
    author, user, association = _people()
    engagement.set_association_watch(user, association, WatchLevel.MUTED)
    make_thread(author, association, title="Новая тема")
    tracked = make_thread(author, association, title="Отслеживаемая тема")
    set_read(user, tracked, 1, level=WatchLevel.TRACKING)
    make_post(tracked, author)
    assert _titles(user) == ["Отслеживаемая тема"]


def test_tracked_thread_of_a_members_only_association_left_is_gone(app):
    author, user = make_user(), make_user()
    association = make_association(visibility=Visibility.MEMBERS, members=[author, user])
    thread = make_thread(author, association)
    set_read(user, thread, 1, level=WatchLevel.WATCHING)
    make_post(thread, author)
    assert len(_titles(user)) == 1
    association_services.remove_member(_membership(user, association))
    assert _titles(user) == []


def test_watched_public_thread_counts_without_membership(app):
    author = make_user()
    thread = make_thread(author, title="Открытая тема")
    outsider = make_user()
    set_read(outsider, thread, 1, level=WatchLevel.WATCHING)
    make_post(thread, author)
    assert _titles(outsider) == ["Открытая тема"]


def test_newest_activity_first(app):
    author, user, association = _people()
    first = make_thread(author, association, title="Первая")
    second = make_thread(author, association, title="Вторая")
    first.last_posted_at = utcnow() + timedelta(minutes=5)
    db.session.flush()
    assert _titles(user) == ["Первая", "Вторая"]
    assert second.id


def test_mark_all_read_is_one_update_and_one_insert(client, login, count_queries):
    author, user, association = _people()
    tracked = make_thread(author, association, title="Отслеживаемая")
    make_post(tracked, user)
    make_post(tracked, author)
    make_post(tracked, author)
    fresh = make_thread(author, association, title="Свежая")
    make_post(fresh, author)
    login(user)
    assert unread.unread_count(user) == 2
    with count_queries() as q:
        response = client.post("/unread/mark-read")
    assert response.status_code == 302 and response.headers["Location"] == "/unread"
    writes = [s for s in q.statements if "thread_readers" in s and s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert len(writes) == 2, writes
    assert reader_of(user, tracked).last_read_number == 4
    assert reader_of(user, tracked).level == WatchLevel.TRACKING
    fresh_reader = reader_of(user, fresh)
    assert (fresh_reader.last_read_number, fresh_reader.level) == (2, WatchLevel.NORMAL)
    assert unread.unread_count(user) == 0
    assert "Всё прочитано" in text(client.get("/unread"))


def test_mark_all_read_leaves_others_alone(client, login):
    author, user, association = _people()
    thread = make_thread(author, association)
    other = make_user()
    association_services.add_member(other, association)
    login(user)
    client.post("/unread/mark-read")
    assert reader_of(other, thread) is None
    assert reader_of(author, thread).last_read_number == 1


def test_unread_page_query_count_is_fixed(client, login, count_queries):
    author, user, association = _people()
    tracked = make_thread(author, association)
    set_read(user, tracked, 1, level=WatchLevel.TRACKING)
    make_post(tracked, author)
    login(user)
    with count_queries() as one:
        assert client.get("/unread").status_code == 200
    for _ in range(29):
        other_author = make_user()
        association_services.add_member(other_author, association)
        thread = make_thread(other_author, association)
        if _ % 2:
            set_read(user, thread, 1, level=WatchLevel.WATCHING)
            make_post(thread, other_author)
    with count_queries() as thirty:
        response = client.get("/unread")
    assert text(response).count('class="engage-item"') == 20
    assert 'href="/unread?page=2"' in text(response)
    assert thirty.count == one.count, thirty.statements


def test_nav_shows_the_unread_count(client, login):
    author, user, association = _people()
    make_thread(author, association)
    make_thread(author, association)
    login(user)
    html = text(client.get("/privacy"))
    assert 'href="/unread"' in html and "Непрочитанное" in html
    assert '<span class="nav-count" aria-hidden="true">2</span>' in html
    client.post("/unread/mark-read")
    assert 'class="nav-count"' not in text(client.get("/privacy"))


def test_nav_count_is_one_query_and_capped(app, count_queries):
    author, user, association = _people()
    for _ in range(5):
        make_thread(author, association)
    with count_queries() as q:
        assert unread.unread_count(user, cap=3) == 4  # «3+»: counting stops after cap + 1
    assert q.count == 1
    assert unread.unread_count(user) == 5


def test_visitor_nav_has_no_unread(client):
    assert 'href="/unread"' not in text(client.get("/privacy"))


def test_reader_rows_written_by_mark_all_read_are_unique(client, login):
    author, user, association = _people()
    make_thread(author, association)
    login(user)
    client.post("/unread/mark-read")
    client.post("/unread/mark-read")
    rows = sa.select(sa.func.count()).select_from(ThreadReader).where(ThreadReader.user_id == user.id)
    count = db.session.scalar(rows)
    assert count == 1


def test_a_new_thread_stops_being_new_after_two_weeks(app):
    author, user, association = _people()
    old = make_thread(author, association, title="Давняя тема")
    old.created_at = old.last_posted_at = utcnow() - timedelta(days=unread.NEW_THREAD_DAYS + 1)
    _membership(user, association).joined_at = utcnow() - timedelta(days=60)
    make_thread(author, association, title="Недавняя тема")
    db.session.flush()
    assert _titles(user) == ["Недавняя тема"]


def test_pages_follow_the_activity_order_across_both_kinds(client, login):
    author, user, association = _people()
    now = utcnow()
    expected = []
    for n in range(26):
        thread = make_thread(author, association, title=f"Тема {n:02d}")
        if n % 3 == 0:  # some tracked with new posts, the rest never opened
            set_read(user, thread, 1, level=WatchLevel.TRACKING)
            make_post(thread, author)
        thread.last_posted_at = now - timedelta(minutes=(n * 7) % 26)
        expected.append((thread.last_posted_at, thread.id, thread.title))
    db.session.flush()
    expected = [title for _at, _id, title in sorted(expected, reverse=True)]
    first, second = unread.unread_threads(user, 1), unread.unread_threads(user, 2)
    assert first.total == 26 and first.pages == 2
    assert [r.thread.title for r in first.rows] + [r.thread.title for r in second.rows] == expected
    assert [r.thread.title for r in unread.top_unread(user)] == expected[:5]
