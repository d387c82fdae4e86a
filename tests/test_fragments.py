"""The fragment cache (app/fragments.py): bounded, keyed by language and time zone, its CSRF marker always replaced,
and, above all, pages rendered from it identical to pages rendered without it, whatever changed in between."""

import re

import pytest
from markupsafe import Markup

from app.associations import services as association_services
from app.associations.models import MemberRole
from app.discussions import editing, engagement, unread
from app.discussions.models import Attachment, Post, WatchLevel
from app.extensions import db
from app.fragments import CSRF_MARKER, FragmentCache, cost
from tests.factories import make_membership, make_post, make_subject, make_thread, make_user

# hidden fields that are fresh in every response
_PER_REQUEST = re.compile(r'name="(csrf_token|submission_token)"( type="hidden")? value="[^"]*"')


def test_the_least_recently_used_fragments_go_first_when_full():
    store = FragmentCache(max_bytes=3 * cost(Markup("x" * 100)))
    for n in range(3):
        store.put((n,), Markup("x" * 100))
    assert store.get((0,)) is not None  # 0 is now the most recently used
    store.put((3,), Markup("y" * 100))
    assert store.get((1,)) is None and store.get((0,)) is not None and store.get((3,)) is not None
    assert len(store) == 3


def test_a_fragment_larger_than_the_cache_is_not_kept():
    store = FragmentCache(max_bytes=100)
    store.put(("big",), Markup("z" * 500))
    assert store.get(("big",)) is None and len(store) == 0


@pytest.fixture
def fragments(app):
    store = app.extensions["vmk_fragments"]
    store.clear()
    yield store
    store.max_bytes = app.config["FRAGMENT_CACHE_BYTES"]
    store.clear()


def test_cyrillic_fragments_count_double():
    assert cost(Markup("я" * 1000)) > 2 * cost(Markup("z" * 1000)) - 400


def _page(client, url: str, fragments, *, cached: bool) -> str:
    fragments.max_bytes = 4 * 1024 * 1024 if cached else 0
    response = client.get(url)
    assert response.status_code == 200
    return _PER_REQUEST.sub("per-request", response.get_data(as_text=True))


def _same_with_and_without_cache(client, url: str, fragments) -> str:
    _page(client, url, fragments, cached=True)  # fill the cache with the state as it is now
    cached = _page(client, url, fragments, cached=True)
    assert cached == _page(client, url, fragments, cached=False)
    return cached


def _signed_in_client(app, user):
    from tests.factories import PASSWORD

    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_thread_and_association_pages_are_the_same_from_the_cache_after_every_change(app, client, fragments):
    author = make_user(full_name="Анна Автор")
    thread = make_thread(author, title="Кэш не должен врать", tags="проверка")
    association = thread.association
    reader = make_user(full_name="Пётр Читатель")
    make_membership(reader, association)
    reply = make_post(thread, reader, body="Первый ответ")
    db.session.commit()
    pages = [f"/threads/{thread.id}", f"/associations/{association.slug}/", "/associations/", "/"]

    leader = make_user(full_name="Лидия Руководитель")
    make_membership(leader, association, role=MemberRole.LEADER)
    db.session.commit()
    readers = {None: client, reader: _signed_in_client(app, reader), author: _signed_in_client(app, author),
               leader: _signed_in_client(app, leader)}  # fmt: skip

    def check(who=None) -> list[str]:
        return [_same_with_and_without_cache(readers[who], url, fragments) for url in pages]

    before = check()  # a visitor
    check(reader)
    check(author)
    changes = [
        lambda: editing.edit_post(author, db.session.get(Post, reply.id), body="Исправленный ответ"),
        lambda: engagement.set_useful(author, db.session.get(Post, reply.id), True),
        lambda: engagement.set_bookmark(reader, db.session.get(Post, reply.id), True),
        lambda: db.session.add(
            Attachment(
                post_id=reply.id,
                display_name="Конспект урока.pdf",
                stored_name="fragments-test.pdf",
                content_type="application/pdf",
                size=2048,
                sha256="0" * 64,
            )
        ),
        # the thread's author is neither the last poster nor anything else in its list row: only the name changes
        lambda: setattr(author, "full_name", "Анна Переименованная"),
        lambda: make_post(thread, author, body="Ещё ответ", reply_to=db.session.get(Post, reply.id)),
        lambda: editing.delete_post(reader, db.session.get(Post, reply.id)),
        # what only the reader's own lists show (the nav's unread count, the home page): kept under their stamp
        lambda: make_thread(author, association, title="Новая тема для читателя"),
        lambda: engagement.set_association_watch(reader, association, WatchLevel.MUTED),
        lambda: engagement.set_association_watch(reader, association, WatchLevel.WATCHING),
        lambda: unread.mark_all_read(reader),
        lambda: setattr(association, "name", "Объединение с новым именем"),
        lambda: association.subjects.append(make_subject(name="Астрономия")),
        lambda: association_services.leave_association(reader, association),
    ]
    for change in changes:
        change()
        db.session.commit()
        check()
        check(reader)
        check(author)
        check(leader)  # a moderator: sees removed posts and every action
    after = check()
    assert before != after
    assert "Анна Переименованная" in after[0] and "Анна Переименованная" in after[1]
    assert "Исправленный ответ" not in after[0]  # deleted since: the visitor sees «сообщение удалено»
    assert "Объединение с новым именем" in after[3] and "Астрономия" in after[1]


def test_the_cache_keeps_each_language_apart(client, fragments):
    thread = make_thread(title="Тема на двух языках")
    make_post(thread, body="Ответ")
    db.session.commit()
    url = f"/threads/{thread.id}"
    russian = _page(client, url, fragments, cached=True)
    client.post("/language", data={"locale": "en", "next": url})
    english = _page(client, url, fragments, cached=True)
    assert "удалённый пользователь" not in english and "Link to post" in english
    assert "Ссылка на сообщение" in russian
    assert english == _page(client, url, fragments, cached=False)


def test_the_csrf_marker_never_reaches_the_browser(client, login, fragments):
    thread = make_thread()
    reader = make_user()
    make_membership(reader, thread.association)
    make_post(thread, make_user())
    db.session.commit()
    login(reader)
    for _ in range(2):  # rendered, then from the cache
        html = client.get(f"/threads/{thread.id}").get_data(as_text=True)
        assert CSRF_MARKER not in html and "\x00" not in html
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
        assert len(tokens) >= 1 and all(len(token) > 20 for token in tokens)


def test_forms_in_fragments_come_back_to_the_page_they_are_on(client, login, fragments):
    thread = make_thread()
    reader = make_user()
    make_membership(reader, thread.association)
    make_post(thread, make_user())
    db.session.commit()
    login(reader)
    for query in ("", "?view=tree", "?view=tree&page=1"):  # the same posts, cached once, on three addresses
        html = client.get(f"/threads/{thread.id}{query}").get_data(as_text=True)
        here = f"/threads/{thread.id}{query}".replace("&", "&amp;")
        assert "\x00" not in html
        assert f'name="next" value="{here}#post-2"' in html  # «Полезно» and bookmarks
        assert f'name="next" value="{here}"' in html  # the watch form and the language switch
