"""Threads: the association's thread list and starting a new thread."""

import html

import pytest

from app.associations.models import JoinPolicy, MemberRole, Visibility
from app.auth.models import Role
from app.db import utcnow
from app.discussions.models import Post, Thread, ThreadKind
from app.extensions import db
from tests.factories import make_association, make_membership, make_post, make_thread, make_user


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def thread_count(association) -> int:
    return db.session.scalar(db.select(db.func.count(Thread.id)).where(Thread.association_id == association.id))


def new_url(association) -> str:
    return f"/associations/{association.slug}/threads/new"


def form(**overrides) -> dict:
    data = {"title": "Как готовить к ВПР по математике", "body": "Делимся **опытом**.", "kind": "discussion"}
    return {**data, **overrides}


@pytest.fixture
def member():
    return make_user()


@pytest.fixture
def association(member):
    return make_association(members=[member])


# --- the list on the association page -----------------------------------------------------------------------------


def test_threads_are_listed_pinned_first_then_by_activity(client, association, member):
    old = make_thread(member, association, title="Старая тема")
    pinned = make_thread(member, association, title="Закреплённая тема")
    fresh = make_thread(member, association, title="Свежая тема")
    make_post(old, member)  # old is now the most recently active
    pinned.pinned_at = utcnow()
    db.session.flush()
    page = text(client.get(f"/associations/{association.slug}/"))
    positions = [page.index(t.title) for t in (pinned, old, fresh)]
    assert positions == sorted(positions)
    assert "закреплена" in page


def test_a_row_shows_kind_author_replies_last_poster_and_tags(client, association, member):
    other = make_user(full_name="Петрова Анна Сергеевна")
    make_membership(other, association)
    thread = make_thread(member, association, title="Проектная работа", tags="ФГОС, 5 класс")
    make_post(thread, other)
    page = text(client.get(f"/associations/{association.slug}/"))
    assert "Проектная работа" in page and "обсуждение" in page
    assert member.full_name in page and "Петрова Анна Сергеевна" in page
    assert "1 ответ" in page and "#фгос" in page and "#5 класс" in page


def test_reply_count_uses_plural_forms(client, association, member):
    thread = make_thread(member, association)
    for _ in range(5):
        make_post(thread, member)
    assert "5 ответов" in text(client.get(f"/associations/{association.slug}/"))


def test_filter_by_kind_and_tag(client, association, member):
    make_thread(member, association, title="Вопрос про ОГЭ", kind=ThreadKind.QUESTION, tags="огэ")
    make_thread(member, association, title="Обсуждение учебников", tags="учебники")
    page = text(client.get(f"/associations/{association.slug}/?kind=question"))
    assert "Вопрос про ОГЭ" in page and "Обсуждение учебников" not in page
    page = text(client.get(f"/associations/{association.slug}/?tag=Учебники"))
    assert "Обсуждение учебников" in page and "Вопрос про ОГЭ" not in page
    page = text(client.get(f"/associations/{association.slug}/?kind=nonsense&sort=nonsense"))
    assert "Вопрос про ОГЭ" in page and "Обсуждение учебников" in page


def test_sort_newest_and_useful(client, association, member):
    first = make_thread(member, association, title="Первая по времени")
    second = make_thread(member, association, title="Вторая по времени")
    make_post(first, member)
    first.useful_count = 0
    second.useful_count = 0
    useful = make_thread(member, association, title="Самая полезная")
    useful.created_at = first.created_at
    useful.useful_count = 7
    db.session.flush()
    page = text(client.get(f"/associations/{association.slug}/?sort=newest"))
    assert page.index("Вторая по времени") < page.index("Первая по времени")
    page = text(client.get(f"/associations/{association.slug}/?sort=useful"))
    assert page.index("Самая полезная") < page.index("Первая по времени")


def test_list_is_paginated(client, association, member):
    for n in range(21):
        make_thread(member, association, title=f"Тема номер {n:02d}")
    first, second = (text(client.get(f"/associations/{association.slug}/?page={n}")) for n in (1, 2))
    assert "Тема номер 20" in first and "Тема номер 00" not in first
    assert "Тема номер 00" in second
    assert client.get(f"/associations/{association.slug}/?page=abc").status_code == 200


def test_pinned_threads_lead_page_one_and_the_rest_continue_on_page_two(client, association, member):
    for n in range(21):
        make_thread(member, association, title=f"Тема номер {n:02d}")
    pinned = make_thread(member, association, title="Закреплённая тема")
    pinned.last_posted_at = db.session.scalar(db.select(db.func.min(Thread.last_posted_at)))
    pinned.pinned_at = utcnow()
    db.session.commit()
    first, second = (text(client.get(f"/associations/{association.slug}/?page={n}")) for n in (1, 2))
    assert first.index("Закреплённая тема") < first.index("Тема номер 20")
    assert "Тема номер 02" in first and "Тема номер 01" not in first and "Закреплённая тема" not in second
    assert "Тема номер 01" in second and "Тема номер 00" in second and "Тема номер 02" not in second


def test_pager_counts_the_filtered_or_moderated_list(client, login, association, member):
    def has_next(url):
        return 'rel="next"' in client.get(url).get_data(as_text=True)

    for n in range(20):
        make_thread(member, association, title=f"Вопрос {n:02d}", kind=ThreadKind.QUESTION)
    hidden = make_thread(member, association, title="Скрытая тема")
    hidden.hidden_at = utcnow()
    association.thread_count -= 1  # as hiding does: the counter holds visible threads
    other = make_association(members=[member])
    for n in range(20):
        make_thread(member, other, title=f"Вопрос {n:02d}", kind=ThreadKind.QUESTION)
    make_thread(member, other, title="Обсуждение")
    db.session.commit()
    url, other_url = f"/associations/{association.slug}/", f"/associations/{other.slug}/"
    leader = make_user()
    make_membership(leader, association, role=MemberRole.LEADER)
    assert has_next(other_url) and not has_next(other_url + "?kind=question") and not has_next(url)
    login(leader)
    assert has_next(url) and "Вопрос 00" in text(client.get(url + "?page=2"))


def test_hidden_and_deleted_threads_only_for_moderators(client, login, association, member):
    leader = make_user()
    make_membership(leader, association, role=MemberRole.LEADER)
    hidden = make_thread(member, association, title="Скрытая тема")
    hidden.hidden_at = utcnow()
    deleted = make_thread(member, association, title="Удалённая тема")
    deleted.deleted_at = utcnow()
    db.session.flush()
    url = f"/associations/{association.slug}/"
    assert "Скрытая тема" not in text(client.get(url))
    login(member)
    assert "Удалённая тема" not in text(client.get(url))
    client.post("/logout")
    login(leader)
    page = text(client.get(url))
    assert "Скрытая тема" in page and "Удалённая тема" in page and "скрыта" in page


def test_new_thread_button_only_for_those_who_may_post(client, login, association, member):
    url = f"/associations/{association.slug}/"
    assert "Новая тема" not in text(client.get(url))
    login(make_user())
    assert "Новая тема" not in text(client.get(url))
    client.post("/logout")
    login(member)
    assert new_url(association) in text(client.get(url))


def test_unread_marker_for_a_signed_in_member(client, login, association, member):
    other = make_user()
    make_membership(other, association)
    thread = make_thread(other, association, title="Тема с новыми ответами")
    make_post(thread, other)
    login(member)
    assert "2 непрочитанных" in text(client.get(f"/associations/{association.slug}/"))
    client.get(f"/threads/{thread.id}")
    assert "непрочитан" not in text(client.get(f"/associations/{association.slug}/"))


def test_association_page_query_count_is_fixed(client, login, association, member, count_queries):
    url = f"/associations/{association.slug}/"

    def measure():
        with count_queries() as q:
            assert client.get(url).status_code == 200
        return q.count

    pinned = make_thread(member, association, tags="один, два")
    pinned.pinned_at = utcnow()
    db.session.commit()
    login(member)
    one = measure()
    for n in range(29):
        thread = make_thread(make_user(), association, tags=f"метка {n}, общая")
        make_post(thread, member)
    assert measure() == one


# --- creating a thread --------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, association):
    response = client.get(new_url(association))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_member_creates_a_thread(client, login, association, member):
    login(member)
    assert client.get(new_url(association)).status_code == 200
    response = client.post(new_url(association), data=form(tags="ФГОС, впр"))
    thread = db.session.scalar(db.select(Thread).where(Thread.association_id == association.id))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/threads/{thread.id}")
    assert thread.title == "Как готовить к ВПР по математике" and thread.author_id == member.id
    assert sorted(t.name for t in thread.tags) == ["впр", "фгос"]
    post = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))
    assert post.number == 1 and "<strong>опытом</strong>" in post.body_html


def test_non_member_gets_403(client, login, association):
    login(make_user())
    assert client.get(new_url(association)).status_code == 403
    assert client.post(new_url(association), data=form()).status_code == 403
    assert thread_count(association) == 0


def test_members_only_association_is_404_for_a_non_member(client, login):
    hidden = make_association(visibility=Visibility.MEMBERS, join_policy=JoinPolicy.REQUEST)
    login(make_user())
    assert client.get(new_url(hidden)).status_code == 404


def test_unknown_association_is_404(client, login, member):
    login(member)
    assert client.get("/associations/no-such-thing/threads/new").status_code == 404


def test_archived_association_is_403(client, login, association, member):
    from app.admin.services import archive_association

    archive_association(make_user(Role.ADMIN), association, reason="Работа завершена")
    login(member)
    assert client.post(new_url(association), data=form()).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Укажите заголовок темы."),
        ({"title": "Ой"}, "Заголовок — от 5 до 200 символов."),
        ({"title": "Я" * 201}, "Заголовок — от 5 до 200 символов."),
        ({"body": "   "}, "Напишите текст сообщения."),
        ({"body": "а" * 50_001}, "Не больше 50000 символов."),
        ({"kind": "link"}, "Для темы-ссылки укажите адрес."),
        ({"kind": "link", "url": "javascript:alert(1)"}, "http:// или https://"),
        ({"kind": "link", "url": "ftp://example.org/file"}, "http:// или https://"),
        ({"kind": "link", "url": "https://"}, "http:// или https://"),
        ({"tags": "один, два, три, четыре, пять, шесть"}, "Не больше 5 меток."),
        ({"kind": "experience"}, "Укажите класс или уровень"),
        ({"kind": "nonsense"}, "Выберите вид темы из списка."),
    ],
    ids=["no-title", "short-title", "long-title", "blank-body", "long-body", "link-no-url", "link-js",
         "link-ftp", "link-no-host", "six-tags", "experience-no-grade", "bad-kind"],
)  # fmt: skip
def test_bad_input_is_400_with_the_text_kept(client, login, association, member, overrides, message):
    login(member)
    data = form(**overrides)
    response = client.post(new_url(association), data=data)
    page = text(response)
    assert response.status_code == 400
    assert message in page
    if data["body"].strip() and len(data["body"]) < 1000:
        assert data["body"] in page
    assert thread_count(association) == 0


def test_announcement_only_for_leaders_methodists_and_admins(client, login, association, member):
    login(member)
    assert 'value="announcement"' not in text(client.get(new_url(association)))
    response = client.post(new_url(association), data=form(kind="announcement"))
    assert response.status_code == 400 and thread_count(association) == 0
    client.post("/logout")
    leader = make_user()
    make_membership(leader, association, role=MemberRole.LEADER)
    login(leader)
    assert 'value="announcement"' in text(client.get(new_url(association)))
    assert client.post(new_url(association), data=form(kind="announcement")).status_code == 302
    assert db.session.scalar(db.select(Thread.kind).where(Thread.association_id == association.id)) == "announcement"


def test_link_thread_keeps_url_and_shows_its_domain(client, login, association, member):
    login(member)
    client.post(new_url(association), data=form(kind="link", url="https://www.edsoo.ru/rabochie-programmy/"))
    thread = db.session.scalar(db.select(Thread).where(Thread.association_id == association.id))
    assert (thread.url, thread.url_domain) == ("https://www.edsoo.ru/rabochie-programmy/", "edsoo.ru")
    page = text(client.get(f"/threads/{thread.id}"))
    assert 'href="https://www.edsoo.ru/rabochie-programmy/" rel="nofollow ugc noopener"' in page
    assert "(edsoo.ru)" in text(client.get(f"/associations/{association.slug}/"))


def test_experience_thread_keeps_grade_and_method(client, login, association, member):
    login(member)
    data = form(kind="experience", experience_grade="7 класс", experience_method="перевёрнутый класс")
    assert client.post(new_url(association), data=data).status_code == 302
    thread = db.session.scalar(db.select(Thread).where(Thread.association_id == association.id))
    assert (thread.experience_grade, thread.experience_method) == ("7 класс", "перевёрнутый класс")
    assert "перевёрнутый класс" in text(client.get(f"/threads/{thread.id}"))


def test_preview_renders_markdown_and_saves_nothing(client, login, association, member):
    login(member)
    response = client.post(new_url(association), data=form(body="Список:\n\n- *первый*\n- второй", preview="1"))
    page = text(response)
    assert response.status_code == 200
    assert "Предпросмотр" in page and "<em>первый</em>" in page
    assert "- *первый*" in page  # the source is kept in the textarea
    assert thread_count(association) == 0


def test_double_submit_creates_one_thread(client, login, association, member):
    login(member)
    data = form(submission_token="a" * 32)
    first = client.post(new_url(association), data=data)
    second = client.post(new_url(association), data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert thread_count(association) == 1


def test_form_carries_a_fresh_submission_token(client, login, association, member):
    login(member)
    page = text(client.get(new_url(association)))
    assert 'name="submission_token"' in page


def test_raw_html_and_script_are_inert(client, login, association, member):
    login(member)
    body = "<script>alert(1)</script> <img src=x onerror=alert(2)> [клик](javascript:alert(3))"
    client.post(new_url(association), data=form(body=body))
    thread = db.session.scalar(db.select(Thread).where(Thread.association_id == association.id))
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "onerror=" not in page.replace("onerror=alert(2)&gt;", "")
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;" in page


def test_csrf_failure_keeps_the_text(client, login, association, member, request):
    login(member)
    request.getfixturevalue("csrf")  # switched on after signing in: the form below is sent without its token
    response = client.post(new_url(association), data=form(body="Очень длинный и ценный текст"))
    assert response.status_code == 400
    assert "Очень длинный и ценный текст" in text(response)
    assert thread_count(association) == 0
