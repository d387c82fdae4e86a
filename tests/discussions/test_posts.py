"""The thread page and replies: pages, tree view, «в ответ на», quotes, deleted posts, mentions, bad input."""

import html
import re

import pytest

from app.associations.models import JoinPolicy, MemberRole, Visibility
from app.db import utcnow
from app.discussions.models import Mention, Post
from app.extensions import db
from tests.factories import make_association, make_membership, make_post, make_thread, make_user


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def posts_of(thread) -> list[Post]:
    return list(db.session.scalars(db.select(Post).where(Post.thread_id == thread.id).order_by(Post.number)))


@pytest.fixture
def member():
    return make_user(full_name="Смирнова Ольга Викторовна")


@pytest.fixture
def association(member):
    return make_association(members=[member])


@pytest.fixture
def thread(member, association):
    return make_thread(member, association, title="Подготовка к олимпиаде", body="Начнём с **плана**.")


# --- reading ------------------------------------------------------------------------------------------------------


def test_visitor_reads_a_public_thread(client, thread):
    make_post(thread, thread.author, body="Второе сообщение")
    page = text(client.get(f"/threads/{thread.id}"))
    assert "Подготовка к олимпиаде" in page and "<strong>плана</strong>" in page and "Второе сообщение" in page
    assert 'id="post-1"' in page and 'id="post-2"' in page
    assert "Войдите" in page and 'action="/threads/' not in page


def test_unknown_thread_is_404(client):
    assert client.get("/threads/999999").status_code == 404
    assert client.post("/threads/999999/reply", data={"body": "Текст"}).status_code in (302, 404)


def test_members_only_thread_is_404_for_outsiders(client, login):
    author = make_user()
    private = make_association(visibility=Visibility.MEMBERS, join_policy=JoinPolicy.REQUEST, members=[author])
    thread = make_thread(author, private)
    assert client.get(f"/threads/{thread.id}").status_code == 404
    login(make_user())
    assert client.get(f"/threads/{thread.id}").status_code == 404
    client.post("/logout")
    login(author)
    assert client.get(f"/threads/{thread.id}").status_code == 200


def test_hidden_thread_is_404_except_for_moderators(client, login, thread, association):
    thread.hidden_at = utcnow()
    db.session.flush()
    assert client.get(f"/threads/{thread.id}").status_code == 404
    leader = make_user()
    make_membership(leader, association, role=MemberRole.LEADER)
    login(leader)
    response = client.get(f"/threads/{thread.id}")
    assert response.status_code == 200 and "видят только модераторы" in text(response)


def test_twenty_posts_a_page(client, thread, member):
    for n in range(2, 23):
        make_post(thread, member, body=f"Сообщение номер {n}")
    first, second = text(client.get(f"/threads/{thread.id}")), text(client.get(f"/threads/{thread.id}?page=2"))
    assert "Сообщение номер 20" in first and "Сообщение номер 21" not in first
    assert "Сообщение номер 21" in second and "Сообщение номер 22" in second and "Сообщение номер 20" not in second
    assert f"/threads/{thread.id}?page=2" in first
    assert client.get(f"/threads/{thread.id}?page=3").status_code == 404


def test_reply_to_a_post_shows_whom_it_answers_with_a_quote(client, thread, member):
    other = make_user(full_name="Кузнецов Игорь Андреевич")
    question = make_post(thread, other, body="Какие задачи брать для *разминки*? " + "Очень подробно. " * 20)
    make_post(thread, member, body="Берите старые олимпиады.", reply_to=question)
    page = text(client.get(f"/threads/{thread.id}"))
    assert "в ответ на Кузнецов Игорь Андреевич" in page
    assert "Какие задачи брать для разминки?" in page  # the plain text, no Markdown or tags
    quote = re.search(r'<q class="disc-quote">(.*?)</q>', page, re.S).group(1)
    assert len(quote) <= 101 and quote.endswith("…")
    assert f'#post-{question.number}"' in page


def test_tree_view_puts_each_answer_after_what_it_answers(client, thread, member):
    a = make_post(thread, member, body="Ответ А")
    b = make_post(thread, member, body="Ответ Б")
    make_post(thread, member, body="Ответ на А", reply_to=a)
    make_post(thread, member, body="Ответ на ответ на А", reply_to=posts_of(thread)[-1])
    make_post(thread, member, body="Ответ на Б", reply_to=b)
    flat = text(client.get(f"/threads/{thread.id}"))
    order = ["Ответ А", "Ответ Б", "Ответ на А", "Ответ на ответ на А", "Ответ на Б"]
    assert [flat.index(f"<p>{t}</p>") for t in order] == sorted(flat.index(f"<p>{t}</p>") for t in order)
    tree = text(client.get(f"/threads/{thread.id}?view=tree"))
    order = ["Ответ А", "Ответ на А", "Ответ на ответ на А", "Ответ Б", "Ответ на Б"]
    assert [tree.index(f"<p>{t}</p>") for t in order] == sorted(tree.index(f"<p>{t}</p>") for t in order)
    assert "disc-depth-2" in tree and "disc-depth-2" not in flat


def test_deleted_post_shows_a_notice_to_others_and_the_text_to_moderators(client, login, thread, association):
    post = make_post(thread, thread.author, body="Текст, который удалят")
    post.deleted_at = utcnow()
    db.session.flush()
    page = text(client.get(f"/threads/{thread.id}"))
    assert "сообщение удалено" in page and "Текст, который удалят" not in page
    leader = make_user()
    make_membership(leader, association, role=MemberRole.LEADER)
    login(leader)
    page = text(client.get(f"/threads/{thread.id}"))
    assert "Текст, который удалят" in page and "текст видят только модераторы" in page


def test_edited_post_is_marked(client, thread):
    post = posts_of(thread)[0]
    post.edited_at = utcnow()
    db.session.flush()
    assert "изменено" in text(client.get(f"/threads/{thread.id}"))


# --- replying -----------------------------------------------------------------------------------------------------


def test_member_replies_and_lands_on_the_new_post(client, login, thread, member):
    login(member)
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "Согласна, ~~нет~~ да."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/threads/{thread.id}?page=1#post-2")
    reply = posts_of(thread)[-1]
    assert reply.number == 2 and reply.author_id == member.id and "<s>нет</s>" in reply.body_html


def test_reply_on_a_later_page_redirects_there(client, login, thread, member):
    for _ in range(20):
        make_post(thread, member)
    login(member)
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "Двадцать второе"})
    assert response.headers["Location"].endswith("?page=2#post-22")


def test_reply_links_prefill_reply_to_and_quote(client, login, thread, member):
    other = make_user()
    make_membership(other, thread.association)
    post = make_post(thread, other, body="Первая строка\nвторая строка")
    login(member)
    page = text(client.get(f"/threads/{thread.id}"))
    assert f"reply_to={post.id}#reply" in page and f"quote={post.id}#reply" in page
    page = text(client.get(f"/threads/{thread.id}?reply_to={post.id}"))
    assert f'name="reply_to" type="hidden" value="{post.id}"' in page
    page = text(client.get(f"/threads/{thread.id}?quote={post.id}"))
    assert "> Первая строка\n> вторая строка" in page
    assert f'name="reply_to" type="hidden" value="{post.id}"' in page


def test_reply_to_a_post_saves_reply_to(client, login, thread, member):
    target = make_post(thread, member, body="Вопрос")
    login(member)
    client.post(f"/threads/{thread.id}/reply", data={"body": "Ответ", "reply_to": str(target.id)})
    assert posts_of(thread)[-1].reply_to_id == target.id


def test_reply_to_a_post_of_another_thread_is_refused(client, login, thread, member, association):
    elsewhere = make_post(make_thread(member, association), member)
    login(member)
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "Мой текст", "reply_to": str(elsewhere.id)})
    page = text(response)
    assert response.status_code == 400
    assert "Можно отвечать только на сообщения этой темы." in page and "Мой текст" in page
    assert len(posts_of(thread)) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Напишите текст сообщения."), ("   \n ", "Напишите текст сообщения."),
     ("я" * 50_001, "Не больше 50000 символов.")],
    ids=["empty", "blank", "too-long"],
)  # fmt: skip
def test_bad_reply_is_400_and_saves_nothing(client, login, thread, member, body, message):
    login(member)
    response = client.post(f"/threads/{thread.id}/reply", data={"body": body})
    assert response.status_code == 400 and message in text(response)
    assert len(posts_of(thread)) == 1


def test_reply_to_a_deleted_thread_is_refused(client, login, thread, association):
    leader = make_user()
    make_membership(leader, association, role=MemberRole.LEADER)
    thread.deleted_at = utcnow()
    db.session.flush()
    login(leader)
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "Ещё одно слово"})
    assert response.status_code == 400
    assert "ответить в ней нельзя" in text(response) and "Ещё одно слово" in text(response)
    assert len(posts_of(thread)) == 1


def test_reply_to_a_deleted_thread_is_404_for_members(client, login, thread, member):
    thread.deleted_at = utcnow()
    db.session.flush()
    login(member)
    assert client.post(f"/threads/{thread.id}/reply", data={"body": "Текст"}).status_code == 404


def test_non_member_reply_is_403(client, login, thread):
    login(make_user())
    assert client.post(f"/threads/{thread.id}/reply", data={"body": "Можно мне?"}).status_code == 403
    assert len(posts_of(thread)) == 1


def test_anonymous_reply_goes_to_login(client, thread):
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "Текст"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_double_submitted_reply_makes_one_post(client, login, thread, member):
    login(member)
    data = {"body": "Один раз", "submission_token": "b" * 32}
    first = client.post(f"/threads/{thread.id}/reply", data=data)
    second = client.post(f"/threads/{thread.id}/reply", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(posts_of(thread)) == 2


def test_reply_with_csrf_token_works_and_without_keeps_the_text(client, login, thread, member, request):
    login(member)
    request.getfixturevalue("csrf")
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "Без токена"})
    assert response.status_code == 400 and "Без токена" in text(response) and len(posts_of(thread)) == 1
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text(response)).group(1)
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "С токеном", "csrf_token": token})
    assert response.status_code == 302 and len(posts_of(thread)) == 2


def test_script_in_a_reply_is_inert(client, login, thread, member):
    login(member)
    client.post(f"/threads/{thread.id}/reply", data={"body": "<script>alert(1)</script>\n\n[x](javascript:alert(1))"})
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "<script>alert" not in page and 'href="javascript:' not in page


# --- mentions -----------------------------------------------------------------------------------------------------


def test_mentions_of_members_link_to_profiles_and_are_recorded(client, login, thread, member, association):
    colleague = make_user(full_name="Иванова Мария Петровна")
    make_membership(colleague, association)
    stranger = make_user(full_name="Сидоров Пётр Ильич")
    login(member)
    body = "@[иванова мария петровна], посмотрите. @[Сидоров Петр Ильич] не участник. `@[Иванова Мария Петровна]`"
    client.post(f"/threads/{thread.id}/reply", data={"body": body})
    reply = posts_of(thread)[-1]
    assert f'<a href="/users/{colleague.id}" rel="nofollow ugc noopener">@иванова мария петровна</a>' in reply.body_html
    assert "@[Сидоров Петр Ильич]" in reply.body_html and f"/users/{stranger.id}" not in reply.body_html
    assert "<code>@[Иванова Мария Петровна]</code>" in reply.body_html
    mentioned = db.session.scalars(db.select(Mention.user_id).where(Mention.post_id == reply.id)).all()
    assert mentioned == [colleague.id]


def test_mentions_in_a_new_thread_are_recorded(client, login, association, member):
    colleague = make_user(full_name="Орлова Ёлка Ивановна")
    make_membership(colleague, association)
    login(member)
    data = {"title": "Нужна помощь", "body": "Коллега @[Орлова Елка Ивановна], подскажите.", "kind": "discussion"}
    assert client.post(f"/associations/{association.slug}/threads/new", data=data).status_code == 302
    assert db.session.scalar(db.select(Mention.user_id)) == colleague.id


def test_the_form_hint_explains_mentions(client, login, thread, member):
    login(member)
    assert "@[Фамилия Имя Отчество]" in text(client.get(f"/threads/{thread.id}"))


def test_without_a_csrf_token_an_unknown_or_forbidden_target_gets_the_plain_refusal(client, login, thread, request):
    login(make_user())  # not a member: the reply would be 403
    request.getfixturevalue("csrf")
    for url in (f"/threads/{thread.id}/reply", "/threads/999999/reply", "/associations/nothing/threads/new"):
        response = client.post(url, data={"body": "Текст"})
        assert response.status_code == 400 and "Форма устарела или отправлена не с этого сайта" in text(response)
    assert len(posts_of(thread)) == 1


def test_reply_to_a_locked_thread_is_refused_with_the_text_kept(client, login, thread, member):
    thread.locked_at = utcnow()
    db.session.flush()
    login(member)
    assert "Тема закрыта: ответить в ней нельзя." in text(client.get(f"/threads/{thread.id}"))
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "Поздний ответ"})
    assert response.status_code == 400 and "Поздний ответ" in text(response)
    assert len(posts_of(thread)) == 1
