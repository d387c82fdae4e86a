"""Watch levels of threads and associations, their forms, and who is told about new posts."""

import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user

from app.associations import services as association_services
from app.associations.models import Membership, Visibility
from app.auth.models import Role, UserStatus
from app.discussions import engagement
from app.discussions.models import AssociationWatch, WatchLevel
from app.extensions import db
from tests.discussions.engagement_helpers import reader_of, text
from tests.factories import make_association, make_post, make_thread, make_user


def test_anonymous_is_sent_to_login(client):
    thread = make_thread()
    for url in (f"/threads/{thread.id}/watch", f"/associations/{thread.association.slug}/watch"):
        response = client.post(url, data={"level": "watching"})
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_set_thread_level(client, login):
    thread = make_thread()
    user = make_user()
    login(user)
    response = client.post(f"/threads/{thread.id}/watch", data={"level": "muted"})
    assert response.status_code == 302 and response.headers["Location"] == f"/threads/{thread.id}"
    assert reader_of(user, thread).level == WatchLevel.MUTED
    client.post(f"/threads/{thread.id}/watch", data={"level": "watching", "next": f"/threads/{thread.id}?page=2"})
    assert reader_of(user, thread).level == WatchLevel.WATCHING


def test_changing_the_level_keeps_the_read_position(client, login):
    author = make_user()
    thread = make_thread(author)
    make_post(thread, author)
    login(author)
    before = reader_of(author, thread).last_read_number
    client.post(f"/threads/{thread.id}/watch", data={"level": "tracking"})
    reader = reader_of(author, thread)
    assert (reader.level, reader.last_read_number) == (WatchLevel.TRACKING, before)


def test_bad_level_is_a_400(client, login):
    thread = make_thread()
    user = make_user()
    login(user)
    assert client.post(f"/threads/{thread.id}/watch", data={"level": "loud"}).status_code == 400
    assert client.post(f"/threads/{thread.id}/watch").status_code == 400
    assert client.post(f"/associations/{thread.association.slug}/watch", data={"level": ""}).status_code == 400
    assert reader_of(user, thread) is None


def test_invisible_and_unknown_answer_404(client, login):
    private = make_association(visibility=Visibility.MEMBERS)
    thread = make_thread(association=private)
    login(make_user())
    assert client.post(f"/threads/{thread.id}/watch", data={"level": "watching"}).status_code == 404
    assert client.post("/threads/999999/watch", data={"level": "watching"}).status_code == 404
    assert client.post(f"/associations/{private.slug}/watch", data={"level": "watching"}).status_code == 404
    assert client.post("/associations/no-such-slug/watch", data={"level": "watching"}).status_code == 404


def test_set_association_level(client, login):
    association = make_association()
    user = make_user()
    login(user)
    response = client.post(f"/associations/{association.slug}/watch", data={"level": "watching"})
    assert response.headers["Location"] == f"/associations/{association.slug}/"
    assert db.session.get(AssociationWatch, (user.id, association.id)).level == WatchLevel.WATCHING
    client.post(f"/associations/{association.slug}/watch", data={"level": "muted"})
    db.session.expire_all()
    assert db.session.get(AssociationWatch, (user.id, association.id)).level == WatchLevel.MUTED
    assert engagement.association_watch_level(user, association) == WatchLevel.MUTED


def _render(template: str, user, **context):
    login_user(user)
    return render_template_string('{% include "discussions/' + template + '" %}', **context)


def test_thread_partial_selects_the_current_level(app):
    author = make_user()
    thread = make_thread(author)
    with app.test_request_context(f"/threads/{thread.id}"):
        html = _render("_thread_watch.html", author, thread=thread, view={})
    assert f'action="/threads/{thread.id}/watch"' in html
    assert '<option value="watching" selected>' in html
    assert f'<label for="thread-watch-{thread.id}">' in html and 'name="csrf_token"' in html


def test_thread_partial_uses_the_level_the_page_loaded(app, count_queries):
    author = make_user()
    thread = make_thread(author)
    with app.test_request_context(f"/threads/{thread.id}"):
        login_user(author)
        with count_queries() as q:
            html = render_template_string(
                '{% include "discussions/_thread_watch.html" %}', thread=thread, view={"watch_level": WatchLevel.MUTED}
            )
    assert '<option value="muted" selected>' in html
    assert all("thread_readers" not in s for s in q.statements)


def test_association_partial_selects_the_current_level(app):
    association = make_association()
    user = make_user()
    engagement.set_association_watch(user, association, WatchLevel.TRACKING)
    with app.test_request_context(f"/associations/{association.slug}/"):
        html = _render("_association_watch.html", user, association=association, view={})
    assert f'action="/associations/{association.slug}/watch"' in html
    assert '<option value="tracking" selected>' in html


def test_partials_are_empty_for_visitors(app):
    thread = make_thread()
    with app.test_request_context("/"):
        html = render_template_string(
            '{% include "discussions/_thread_watch.html" %}{% include "discussions/_association_watch.html" %}',
            thread=thread,
            association=thread.association,
        )
    assert "<form" not in html


def test_watchers_of_a_thread(app):
    author, replier, fan, quiet, gone = make_user(), make_user(), make_user(), make_user(), make_user()
    association = make_association(members=[author, replier, fan, quiet, gone])
    thread = make_thread(author, association)
    make_post(thread, replier)  # repliers track, they are not told of every post
    for user in (fan, quiet, gone):
        engagement.set_association_watch(user, association, WatchLevel.WATCHING)
    engagement.set_thread_watch(quiet, thread, WatchLevel.MUTED)
    gone.status = UserStatus.SUSPENDED
    db.session.flush()
    assert engagement.watchers_of(thread) == {author.id, fan.id}


def test_watchers_of_a_members_only_thread_are_members_or_admins(app):
    author, leaver, admin = make_user(), make_user(), make_user(role=Role.ADMIN)
    association = make_association(visibility=Visibility.MEMBERS, members=[author, leaver])
    thread = make_thread(author, association)
    for user in (leaver, admin):
        engagement.set_thread_watch(user, thread, WatchLevel.WATCHING)
    assert engagement.watchers_of(thread) == {author.id, leaver.id, admin.id}
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == leaver.id, Membership.association_id == association.id)
    )
    association_services.remove_member(membership)
    assert engagement.watchers_of(thread) == {author.id, admin.id}


def test_saving_a_level_says_so(client, login):
    thread = make_thread()
    login(make_user())
    response = client.post(f"/threads/{thread.id}/watch", data={"level": "tracking"}, follow_redirects=False)
    assert response.status_code == 302
    page = client.get("/privacy")
    assert "отслеживать" in text(page)


def test_association_page_shows_the_watch_level_loaded_with_its_threads(client, login, count_queries):
    association = make_association()
    user = make_user()
    association_services.add_member(user, association)
    make_thread(make_user(), association)
    engagement.set_association_watch(user, association, WatchLevel.MUTED)
    db.session.commit()
    login(user)
    with count_queries() as q:
        html = text(client.get(f"/associations/{association.slug}/"))
    assert '<option value="muted" selected>' in html
    alone = [s for s in q.statements if s.lstrip().startswith("SELECT association_watches.level")]
    assert alone == []  # read with the thread list's read state, not by a query of its own
    engagement.set_association_watch(user, association, WatchLevel.NORMAL)
    db.session.commit()
    assert '<option value="normal" selected>' in text(client.get(f"/associations/{association.slug}/"))
