"""Bookmarks: toggling, the «Закладки» page (newest first, only what the user may still see), its query count."""

from datetime import timedelta

import sqlalchemy as sa

from app.associations import services as association_services
from app.associations.models import Membership, Visibility
from app.db import utcnow
from app.discussions import engagement
from app.discussions.models import Bookmark
from app.extensions import db
from tests.discussions.engagement_helpers import opening_post, text
from tests.factories import make_association, make_post, make_thread, make_user


def _bookmarked(user, post) -> bool:
    return db.session.get(Bookmark, (user.id, post.id)) is not None


def _setup(visibility=Visibility.PUBLIC):
    author, reader = make_user(), make_user()
    association = make_association(visibility=visibility, members=[author, reader])
    thread = make_thread(author, association, body="Как готовить пятиклассников к ВПР по математике?")
    return author, reader, association, thread


def _bookmark_at(user, post, minutes_ago: int):
    engagement.set_bookmark(user, post, on=True)
    db.session.get(Bookmark, (user.id, post.id)).created_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.flush()


def test_anonymous_is_sent_to_login(client):
    _, _, _, thread = _setup()
    response = client.post(f"/posts/{opening_post(thread).id}/bookmark")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get("/bookmarks")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_toggle_on_and_off(client, login):
    _, reader, _, thread = _setup()
    post = opening_post(thread)
    login(reader)
    response = client.post(f"/posts/{post.id}/bookmark")
    assert response.headers["Location"] == f"/threads/{thread.id}?page=1#post-1"
    assert _bookmarked(reader, post)
    client.post(f"/posts/{post.id}/bookmark")
    assert not _bookmarked(reader, post)
    client.post(f"/posts/{post.id}/bookmark", data={"state": "on"})
    client.post(f"/posts/{post.id}/bookmark", data={"state": "on"})
    assert _bookmarked(reader, post)


def test_own_posts_may_be_bookmarked(client, login):
    author, _, _, thread = _setup()
    login(author)
    assert client.post(f"/posts/{opening_post(thread).id}/bookmark").status_code == 302
    assert _bookmarked(author, opening_post(thread))


def test_invisible_and_unknown_posts_answer_404(client, login):
    _, _, _, private = _setup(Visibility.MEMBERS)
    login(make_user())
    assert client.post(f"/posts/{opening_post(private).id}/bookmark").status_code == 404
    assert client.post("/posts/999999/bookmark").status_code == 404


def test_page_lists_bookmarks_newest_first_with_thread_association_and_excerpt(client, login):
    author, reader, association, thread = _setup()
    reply = make_post(thread, author, body="Начните с **устного счёта** каждый урок.")
    _bookmark_at(reader, opening_post(thread), 30)
    _bookmark_at(reader, reply, 5)
    login(reader)
    html = text(client.get("/bookmarks"))
    assert thread.title in html and association.name in html
    assert "Начните с устного счёта каждый урок." in html  # the excerpt is plain text
    assert "<strong>устного" not in html
    assert html.index("устного счёта") < html.index("пятиклассников")
    assert f'href="/threads/{thread.id}?page=1#post-2"' in html
    assert f'href="/associations/{association.slug}/"' in html


def test_page_leaves_out_what_the_user_may_no_longer_see(client, login):
    author, reader, private, private_thread = _setup(Visibility.MEMBERS)
    public = make_association(members=[author, reader])
    kept = make_thread(author, public, title="Тема, которая остаётся")
    deleted = make_post(kept, author, body="Удалённый ответ")
    hidden = make_post(kept, author, body="Скрытый ответ")
    hidden_thread = make_thread(author, public, title="Скрытая тема")
    for post in (opening_post(private_thread), opening_post(kept), deleted, hidden, opening_post(hidden_thread)):
        engagement.set_bookmark(reader, post, on=True)
    deleted.deleted_at = utcnow()
    hidden.hidden_at = utcnow()
    hidden_thread.hidden_at = utcnow()
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == reader.id, Membership.association_id == private.id)
    )
    association_services.remove_member(membership)
    db.session.flush()
    login(reader)
    html = text(client.get("/bookmarks"))
    assert "Тема, которая остаётся" in html
    for gone in (private_thread.title, "Удалённый ответ", "Скрытый ответ", "Скрытая тема"):
        assert gone not in html
    assert "1 сообщение в закладках" in html


def test_someone_elses_bookmarks_are_not_shown(client, login):
    _, reader, _, thread = _setup()
    engagement.set_bookmark(reader, opening_post(thread), on=True)
    login(make_user())
    html = text(client.get("/bookmarks"))
    assert thread.title not in html and "Закладок пока нет" in html


def test_page_is_paginated(client, login):
    author, reader, _association, thread = _setup()
    posts = [make_post(thread, author, body=f"Ответ номер {n}") for n in range(25)]
    for age, post in enumerate(posts):
        _bookmark_at(reader, post, 100 - age)
    login(reader)
    first = text(client.get("/bookmarks"))
    second = text(client.get("/bookmarks?page=2"))
    assert "Ответ номер 24" in first and "Ответ номер 5" in first and "Ответ номер 4" not in first
    assert "Ответ номер 4" in second and "Ответ номер 0" in second and "Ответ номер 24" not in second
    assert 'href="/bookmarks?page=2"' in first


def test_query_count_does_not_grow_with_bookmarks(client, login, count_queries):
    _author, reader, association, thread = _setup()
    engagement.set_bookmark(reader, opening_post(thread), on=True)
    login(reader)
    with count_queries() as one:
        assert client.get("/bookmarks").status_code == 200
    for _n in range(29):
        other_author = make_user()
        association_services.add_member(other_author, association)
        other = make_thread(other_author, association)
        engagement.set_bookmark(reader, make_post(other, other_author), on=True)
    with count_queries() as thirty:
        response = client.get("/bookmarks")
    assert text(response).count('class="engage-item"') == 20
    assert thirty.count == one.count, thirty.statements


def test_nav_shows_bookmarks_only_to_signed_in_users(client, login):
    assert 'href="/bookmarks"' not in text(client.get("/privacy"))
    login(make_user())
    html = text(client.get("/privacy"))
    assert 'href="/bookmarks"' in html and "Закладки" in html


def test_remove_from_the_bookmarks_page_returns_there(client, login):
    _, reader, _, thread = _setup()
    post = opening_post(thread)
    engagement.set_bookmark(reader, post, on=True)
    login(reader)
    response = client.post(f"/posts/{post.id}/bookmark", data={"state": "off", "next": "/bookmarks"})
    assert response.headers["Location"] == "/bookmarks"
    assert not _bookmarked(reader, post)
