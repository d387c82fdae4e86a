"""«Полезно»: toggling with exact counters in SQL, permissions, the list of who, the partial's state."""

import sqlalchemy as sa
from flask import render_template_string

from app.associations.models import Visibility
from app.auth.models import UserStatus
from app.db import utcnow
from app.discussions import engagement
from app.discussions.models import Reaction
from app.extensions import db
from tests.discussions.engagement_helpers import opening_post, text, useful_counts
from tests.factories import make_association, make_post, make_thread, make_user


def _setup(visibility=Visibility.PUBLIC):
    author, reader = make_user(), make_user()
    association = make_association(visibility=visibility, members=[author, reader])
    thread = make_thread(author, association)
    return author, reader, thread, opening_post(thread)


def test_anonymous_is_sent_to_login(client):
    _, _, _, post = _setup()
    response = client.post(f"/posts/{post.id}/useful")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert useful_counts(post) == (0, 0)


def test_toggle_on_and_off_changes_counters_in_sql(client, login):
    _, reader, thread, post = _setup()
    login(reader)
    response = client.post(f"/posts/{post.id}/useful")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/threads/{thread.id}?page=1#post-1"
    assert useful_counts(post) == (1, 1)
    assert db.session.get(Reaction, (post.id, reader.id)) is not None
    client.post(f"/posts/{post.id}/useful")
    assert useful_counts(post) == (0, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reaction)) == 0


def test_counts_stay_exact_with_several_colleagues_and_posts(client, login):
    author, first, thread, opening = _setup()
    reply = make_post(thread, author)
    second = make_user()
    for user, post in [(first, opening), (second, opening), (first, reply)]:
        engagement.set_useful(user, post)
    assert useful_counts(opening) == (2, 3)
    assert useful_counts(reply) == (1, 3)
    engagement.set_useful(first, opening)  # toggles off
    assert useful_counts(opening) == (1, 2)
    engagement.set_useful(second, opening, on=False)
    engagement.set_useful(second, opening, on=False)  # already off: no change
    assert useful_counts(opening) == (0, 1)
    assert useful_counts(reply) == (1, 1)


def test_a_double_submitted_button_does_not_undo_itself(client, login):
    _, reader, _, post = _setup()
    login(reader)
    client.post(f"/posts/{post.id}/useful", data={"state": "on"})
    client.post(f"/posts/{post.id}/useful", data={"state": "on"})
    assert useful_counts(post) == (1, 1)
    client.post(f"/posts/{post.id}/useful", data={"state": "off"})
    client.post(f"/posts/{post.id}/useful", data={"state": "off"})
    assert useful_counts(post) == (0, 0)


def test_own_post_is_forbidden(client, login):
    author, _, _, post = _setup()
    login(author)
    assert client.post(f"/posts/{post.id}/useful").status_code == 403
    assert useful_counts(post) == (0, 0)


def test_invisible_and_unknown_posts_answer_404(client, login):
    _, _, _, private_post = _setup(Visibility.MEMBERS)
    _, _, _, deleted_post = _setup()
    deleted_post.deleted_at = utcnow()
    db.session.flush()
    login(make_user())
    for post_id in (private_post.id, deleted_post.id, 999999):
        assert client.post(f"/posts/{post_id}/useful").status_code == 404
        assert client.get(f"/posts/{post_id}/useful").status_code == 404


def test_moderator_may_see_a_hidden_post_but_not_mark_it(client, login):
    leader = make_user()
    author = make_user()
    association = make_association(leader=leader, members=[author])
    post = opening_post(make_thread(author, association))
    post.hidden_at = utcnow()
    db.session.flush()
    login(leader)
    assert client.post(f"/posts/{post.id}/useful").status_code == 403


def test_redirect_goes_back_to_a_safe_next_only(client, login):
    author, reader, thread, _ = _setup()
    for _ in range(24):
        make_post(thread, author)
    late = make_post(thread, author)  # number 26: page 2
    login(reader)
    response = client.post(f"/posts/{late.id}/useful")
    assert response.headers["Location"] == f"/threads/{thread.id}?page=2#post-26"
    response = client.post(f"/posts/{late.id}/useful", data={"next": f"/threads/{thread.id}?view=tree#post-26"})
    assert response.headers["Location"] == f"/threads/{thread.id}?view=tree#post-26"
    response = client.post(f"/posts/{late.id}/useful", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == f"/threads/{thread.id}?page=2#post-26"


def test_csrf_token_is_required(app, client, login):
    _, reader, _, post = _setup()
    login(reader)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/posts/{post.id}/useful")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert useful_counts(post) == (0, 0)


def test_who_found_it_useful_lists_names_linking_to_profiles(client, login):
    _, reader, _, post = _setup()
    colleague = make_user(full_name="Петрова Анна Сергеевна")
    engagement.set_useful(reader, post)
    engagement.set_useful(colleague, post)
    login(reader)
    html = text(client.get(f"/posts/{post.id}/useful"))
    assert "2 коллег считают полезным" in html or "2 коллеги считают полезным" in html
    assert f'href="/users/{colleague.id}"' in html and "Петрова Анна Сергеевна" in html
    assert f'href="/users/{reader.id}"' in html


def test_visitor_sees_names_without_profile_links(client):
    _, reader, _, post = _setup()
    engagement.set_useful(reader, post)
    html = text(client.get(f"/posts/{post.id}/useful"))
    assert reader.full_name in html
    assert f'href="/users/{reader.id}"' not in html


def test_suspended_colleague_is_listed_without_a_link(client, login):
    _, reader, _, post = _setup()
    gone = make_user()
    engagement.set_useful(gone, post)
    gone.status = UserStatus.SUSPENDED
    db.session.flush()
    login(reader)
    html = text(client.get(f"/posts/{post.id}/useful"))
    assert gone.full_name in html and f'href="/users/{gone.id}"' not in html


def test_reader_marks_are_one_query_for_a_page(app, count_queries):
    author, reader, thread, _ = _setup()
    posts = [make_post(thread, author) for _ in range(30)]
    engagement.set_useful(reader, posts[3])
    engagement.set_bookmark(reader, posts[3], on=True)
    engagement.set_bookmark(reader, posts[7], on=True)
    engagement.set_useful(make_user(), posts[5])  # someone else's
    ids = [p.id for p in posts]
    with count_queries() as q:
        useful, bookmarks = engagement.reader_marks(reader, ids)
    assert q.count == 1
    assert useful[posts[3].id] is True and sum(useful.values()) == 1 and set(useful) == set(ids)
    assert bookmarks == {posts[3].id, posts[7].id}


def test_reader_marks_ask_nothing_for_visitors(app, count_queries):
    from flask_login import AnonymousUserMixin

    with count_queries() as q:
        assert engagement.reader_marks(AnonymousUserMixin(), [1, 2]) == ({1: False, 2: False}, set())
    assert q.count == 0


_PARTIAL = '{% include "discussions/_post_reactions.html" %}'


def _render(user, post, view):
    from flask_login import login_user

    login_user(user)
    thread = post.thread
    return render_template_string(_PARTIAL, post=post, thread=thread, association=thread.association, view=view)


def test_partial_shows_pressed_state_and_count(app, count_queries):
    _, reader, _, post = _setup()
    engagement.set_useful(reader, post)
    with app.test_request_context(f"/threads/{post.thread_id}"):
        with count_queries() as q:
            html = _render(reader, post, {"reactions": {post.id: True}, "bookmarks": {post.id}})
        assert q.count <= 1  # the memberships, read once per request; nothing per post
    assert 'aria-pressed="true"' in html and "Полезно · 1" in html
    assert 'name="state" value="off"' in html
    assert "1 коллега считает полезным" in html
    assert "В закладках" in html


def test_partial_for_the_author_shows_the_count_but_no_button(app):
    author, reader, _, post = _setup()
    engagement.set_useful(reader, post)
    with app.test_request_context(f"/threads/{post.thread_id}"):
        html = _render(author, post, {"reactions": {post.id: False}, "bookmarks": set()})
    assert "/useful" in html and "1 коллега считает полезным" in html
    assert "aria-pressed" not in html.split("bookmark")[0]


def test_partial_not_pressed_when_not_mine(app):
    _, reader, _, post = _setup()
    with app.test_request_context(f"/threads/{post.thread_id}"):
        html = _render(reader, post, {"reactions": {post.id: False}, "bookmarks": set()})
    assert 'aria-pressed="false"' in html and "Полезно · 0" in html
    assert "коллег" not in html  # no count line while nobody marked it


def test_thread_page_shows_my_reaction_bookmark_and_watch_level(client, login):
    _author, reader, thread, post = _setup()
    engagement.set_useful(reader, post)
    engagement.set_bookmark(reader, post, on=True)
    login(reader)
    html = text(client.get(f"/threads/{thread.id}"))
    assert f'action="/posts/{post.id}/useful"' in html and 'aria-pressed="true"' in html
    assert "Полезно · 1" in html and "В закладках" in html
    assert f'action="/threads/{thread.id}/watch"' in html


def test_deleted_post_shows_no_reaction_count(client, login):
    _, reader, thread, post = _setup()
    engagement.set_useful(reader, post)
    post.deleted_at = utcnow()
    db.session.flush()
    login(make_user())
    assert f"/posts/{post.id}/useful" not in text(client.get(f"/threads/{thread.id}"))
