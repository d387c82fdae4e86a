"""What authors, colleagues, visitors and moderators see of hidden and held posts and threads; the moderators'
«Скрыть» / «Показать снова» buttons and routes; a moderator's edit of someone else's post (log, notice, revision)."""

import re

import pytest
import sqlalchemy as sa

from app.associations.models import Visibility
from app.db import utcnow
from app.discussions import editing
from app.discussions.models import Post, PostRevision, Thread
from app.extensions import db
from app.moderation.models import ModerationAction, ModerationKind
from app.moderation.posts import hide_post
from app.notifications.models import Notification
from tests.consultations.conftest import text
from tests.factories import make_association, make_post, make_thread, make_user

_PER_REQUEST = re.compile(r'name="(csrf_token|submission_token)"( type="hidden")? value="[^"]*"')

BODY = "Присылайте задания, разберём на заседании."  # the world's reply, by its author


def _page(client, url: str) -> str:
    """The page as served from a warm fragment cache, after checking it is the same rendered without the cache."""
    store = client.application.extensions["vmk_fragments"]
    size = store.max_bytes
    try:
        client.get(url)  # fills the cache
        cached = client.get(url)
        store.max_bytes = 0  # off: everything rendered and computed afresh
        fresh = client.get(url)
    finally:
        store.max_bytes = size
    assert cached.status_code == fresh.status_code == 200
    cached_html, fresh_html = (_PER_REQUEST.sub("-", r.get_data(as_text=True)) for r in (cached, fresh))
    assert cached_html == fresh_html
    return cached_html


def _readers(world, signed_in, client) -> dict:
    return {"author": signed_in(world["author"]), "colleague": signed_in(world["members"][1]), "visitor": client,
            "leader": signed_in(world["leader"]), "admin": signed_in(world["admin"])}  # fmt: skip


def test_a_hidden_post_shows_its_text_and_reason_to_its_author_and_moderators_only(world, signed_in, client):
    readers = _readers(world, signed_in, client)
    url = f"/threads/{world['thread'].id}"
    for reader in readers.values():  # everyone's page is cached before the change, so a stale cache would show
        _page(reader, url)
    hide_post(world["leader"], world["reply"], "Реклама стороннего сайта")
    db.session.commit()
    pages = {name: _page(reader, url) for name, reader in readers.items()}

    author = pages["author"]
    assert BODY in author and "Скрыто модератором: Реклама стороннего сайта" in author
    assert "Текст видите только вы и модераторы." in author
    assert "Скрыл(а)" not in author  # the moderator's name is for moderators
    for other in ("colleague", "visitor"):
        assert BODY not in pages[other] and "Реклама стороннего сайта" not in pages[other]
        assert "сообщение скрыто модератором" in pages[other]
    for moderator in ("leader", "admin"):
        page = pages[moderator]
        assert BODY in page and "Скрыто модератором: Реклама стороннего сайта" in page
        assert "Скрыл(а): Руководитель Объединения." in page and "Текст видят только модераторы и автор." in page
        assert f'action="/posts/{world["reply"].id}/unhide"' in page  # «Показать снова»


def test_a_post_held_for_approval_is_shown_to_its_author_as_waiting(world, signed_in, client):
    held = make_post(world["thread"], world["author"], body="Мой первый ответ в объединении")
    held.hidden_at = held.held_at = utcnow()  # as pre-moderation holds a new member's reply
    db.session.commit()
    readers = _readers(world, signed_in, client)
    url = f"/threads/{world['thread'].id}"
    author = _page(readers["author"], url)
    assert "Мой первый ответ в объединении" in author
    assert "На проверке у руководителя объединения: сообщение увидят после одобрения." in author
    colleague = _page(readers["colleague"], url)
    assert "Мой первый ответ в объединении" not in colleague and "сообщение на проверке" in colleague
    leader = _page(readers["leader"], url)
    assert "Мой первый ответ в объединении" in leader and "На проверке у руководителя объединения" in leader
    # held posts are approved or rejected in the queue, not hidden or shown here
    assert f'action="/posts/{held.id}/hide"' not in leader and f'action="/posts/{held.id}/unhide"' not in leader


def test_a_post_hidden_by_reports_says_so_to_its_author(world, signed_in):
    hide_post(None, world["reply"], "Жалобы участников")  # the automatic hide: nobody's hand
    db.session.commit()
    page = _page(signed_in(world["author"]), f"/threads/{world['thread'].id}")
    assert BODY in page and "Скрыто по жалобам участников до проверки." in page


def test_a_deleted_post_stays_removed_for_its_author(world, signed_in):
    editing.delete_post(world["author"], world["reply"])
    db.session.commit()
    page = _page(signed_in(world["author"]), f"/threads/{world['thread'].id}")
    assert BODY not in page and "сообщение удалено" in page


@pytest.mark.parametrize("held", [False, True], ids=["hidden", "held"])
def test_a_hidden_or_held_thread_opens_for_its_author_only_by_its_address(world, signed_in, client, held):
    thread = make_thread(world["author"], world["association"], title="Тема, которую увидят не все",
                         body="Текст скрытой темы")  # fmt: skip
    thread.hidden_at, thread.hidden_by_id, thread.hidden_reason = utcnow(), world["leader"].id, "Не по теме"
    if held:
        thread.hidden_by_id, thread.hidden_reason, thread.held_at = None, "", thread.hidden_at
    db.session.commit()
    url = f"/threads/{thread.id}"
    author = _page(signed_in(world["author"]), url)
    assert "Текст скрытой темы" in author and "Её видите только вы и модераторы." in author
    if held:
        assert "На проверке у руководителя объединения: тему увидят после одобрения." in author
    else:
        assert "Тема скрыта модератором: Не по теме" in author and "Скрыл(а)" not in author
    leader = _page(signed_in(world["leader"]), url)
    assert "Её видят только модераторы и автор." in leader
    assert held or "Скрыл(а): Руководитель Объединения." in leader
    assert signed_in(world["members"][1]).get(url).status_code == 404
    assert client.get(url).status_code == 404
    # lists keep leaving it out for everyone but moderators, its author included
    listing = text(signed_in(world["author"]).get(f"/associations/{world['association'].slug}/"))
    assert "Тема, которую увидят не все" not in listing


def test_a_deleted_thread_stays_closed_to_its_author(world, signed_in):
    thread = make_thread(world["author"], world["association"], title="Удалённая автором тема")
    thread.deleted_at = utcnow()
    db.session.commit()
    assert signed_in(world["author"]).get(f"/threads/{thread.id}").status_code == 404


# --- the buttons and their routes -------------------------------------------------------------------------------


def test_moderators_hide_a_post_with_a_reason_and_show_it_again(world, signed_in):
    reply, leader = world["reply"], signed_in(world["leader"])
    page = text(leader.get(f"/threads/{world['thread'].id}"))
    assert f'action="/posts/{reply.id}/hide"' in page and 'name="reason"' in page
    response = leader.post(f"/posts/{reply.id}/hide", data={"reason": "  Оскорбление\nучастника "})
    assert response.status_code == 302 and response.headers["Location"].endswith("#post-2")
    db.session.expire_all()  # the request wrote through its own session
    post = db.session.get(Post, reply.id)
    assert post.hidden_at is not None and post.hidden_by_id == world["leader"].id
    assert post.hidden_reason == "Оскорбление участника"
    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == world["author"].id)).all()
    assert kinds == ["post_hidden"]  # told once (by hide_post)

    response = leader.post(f"/posts/{reply.id}/unhide")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, reply.id).hidden_at is None
    logged = db.session.scalars(sa.select(ModerationAction.kind).where(ModerationAction.post_id == reply.id)
                              .order_by(ModerationAction.id)).all()  # fmt: skip
    assert logged == [ModerationKind.POST_HIDDEN, ModerationKind.POST_UNHIDDEN]


def test_hiding_needs_a_reason_and_the_form_says_so(world, signed_in):
    leader = signed_in(world["leader"])
    page = leader.get(f"/posts/{world['reply'].id}/hide")  # the form on a page of its own
    assert page.status_code == 200 and 'name="reason"' in text(page) and BODY in text(page)
    response = leader.post(f"/posts/{world['reply'].id}/hide", data={"reason": "   "})
    assert response.status_code == 400 and "Укажите причину: её увидит автор сообщения." in text(response)
    response = leader.post(f"/posts/{world['reply'].id}/hide", data={"reason": "х" * 501})
    assert response.status_code == 400 and "не длиннее 500 символов" in text(response)
    db.session.expire_all()
    assert db.session.get(Post, world["reply"].id).hidden_at is None


def test_only_the_associations_moderators_may_hide(world, signed_in, client):
    reply = world["reply"]
    for who in ("author", "other_leader"):
        assert signed_in(world[who]).post(f"/posts/{reply.id}/hide", data={"reason": "Спам"}).status_code == 403
        assert signed_in(world[who]).post(f"/posts/{reply.id}/unhide").status_code == 403
    assert f'action="/posts/{reply.id}/hide"' not in text(signed_in(world["author"]).get(f"/threads/{reply.thread_id}"))
    assert client.post(f"/posts/{reply.id}/hide", data={"reason": "Спам"}).status_code == 302  # to the login page
    assert signed_in(world["admin"]).post(f"/posts/{reply.id}/hide", data={"reason": "Спам"}).status_code == 302
    assert signed_in(world["leader"]).post("/posts/2147483647/hide", data={"reason": "Спам"}).status_code == 404


def test_a_post_of_an_association_one_may_not_see_is_not_found(signed_in):
    leader, outsider = make_user(), make_user()
    closed = make_association("Закрытая творческая группа", visibility=Visibility.MEMBERS, leader=leader)
    thread = make_thread(leader, closed)
    reply = make_post(thread, leader)
    db.session.commit()
    assert signed_in(outsider).post(f"/posts/{reply.id}/hide", data={"reason": "Спам"}).status_code == 404
    assert signed_in(outsider).get(f"/posts/{reply.id}/hide").status_code == 404


def test_hiding_needs_the_csrf_token(world, signed_in, request):
    leader = signed_in(world["leader"])
    request.getfixturevalue("csrf")  # on from here: the sign-in above did without a token
    response = leader.post(f"/posts/{world['reply'].id}/hide", data={"reason": "Спам"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Post, world["reply"].id).hidden_at is None


def test_a_moderators_thread_page_runs_as_many_queries_with_one_hidden_post_as_with_many(
    world, signed_in, count_queries
):
    leader = signed_in(world["leader"])
    hide_post(world["leader"], world["reply"], "Спам")
    db.session.commit()
    url = f"/threads/{world['thread'].id}"
    with count_queries() as one:
        leader.get(url)
    for n in range(6):
        hide_post(world["admin"], make_post(world["thread"], world["members"][n % 4], body=f"Ответ {n}"), "Спам")
    db.session.commit()
    with count_queries() as many:
        page = text(leader.get(url))
    assert many.count == one.count, many.statements
    assert "Скрыл(а): Администратор Сайта." in page and "Скрыл(а): Руководитель Объединения." in page


# --- a moderator's edit --------------------------------------------------------------------------------------------


def test_a_moderators_edit_is_theirs_in_the_history_logged_and_told_to_the_author(world, signed_in):
    reply, leader = world["reply"], world["leader"]
    response = signed_in(leader).post(f"/posts/{reply.id}/edit", data={"body": "Текст, исправленный модератором"})
    assert response.status_code == 302
    db.session.expire_all()
    post = db.session.get(Post, reply.id)
    assert post.edited_by_id == leader.id and post.body == "Текст, исправленный модератором"
    revision = db.session.scalar(sa.select(PostRevision).where(PostRevision.post_id == reply.id))
    assert (revision.body, revision.author_id) == (BODY, world["author"].id)  # the earlier text stays the author's
    action = db.session.scalar(sa.select(ModerationAction).where(ModerationAction.post_id == reply.id))
    assert (action.kind, action.actor_id, action.user_id) == (ModerationKind.POST_EDITED, leader.id, world["author"].id)
    notice = db.session.scalar(sa.select(Notification).where(Notification.user_id == world["author"].id))
    assert (notice.kind, notice.actor_id, notice.post_id) == ("post_edited", leader.id, reply.id)
    history = text(signed_in(world["author"]).get(f"/posts/{reply.id}/history"))
    assert "Руководитель Объединения" in history


def test_an_authors_own_edit_is_not_moderation(world):
    editing.edit_post(world["author"], world["reply"], body="Сам исправил")
    db.session.commit()
    # counted for this post only: the suite's other tests may leave committed rows in a shared database
    post_id = world["reply"].id
    assert db.session.scalar(sa.select(sa.func.count()).where(ModerationAction.post_id == post_id)) == 0
    edited = sa.and_(Notification.post_id == post_id, Notification.kind == "post_edited")
    assert db.session.scalar(sa.select(sa.func.count()).where(edited)) == 0


def test_hidden_threads_stay_out_of_the_policy_for_suspended_authors(world):
    """The author's right to see their hidden thread is an active user's: a suspended account sees nothing."""
    from app import policy
    from app.auth.models import UserStatus

    thread = db.session.get(Thread, world["thread"].id)
    thread.hidden_at = utcnow()
    author = world["members"][0]  # the thread's author
    assert policy.can_view_thread(author, thread)
    author.status = UserStatus.SUSPENDED
    assert not policy.can_view_thread(author, thread)
