"""The history of an edited post, the word diff, and the actions shown on the thread page."""

import re

from app.associations.models import Visibility
from app.auth.models import Role
from app.discussions import editing
from app.discussions.editing import diff_html
from tests.discussions.editing_helpers import make_world
from tests.factories import make_post, make_user


def test_diff_marks_removed_and_added_words():
    html = str(diff_html("Решаем задачи на дроби.", "Решаем задачи на проценты и дроби."))
    assert "Решаем задачи на " in html
    assert re.search(r"<ins><span class=\"visually-hidden\">\[добавленный текст: \]</span>проценты и </ins>", html)
    assert "<del>" not in html
    html = str(diff_html("старый текст", "новый текст"))
    assert "<del>" in html and "старый</del>" in html and "новый</ins>" in html


def test_diff_escapes_user_html():
    html = str(diff_html("<b>жирный</b>", '<script>alert("x")</script> & <img src=x onerror=alert(1)>'))
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&amp;" in html
    html = str(diff_html("текст", "<script>alert(1)</script> текст"))
    assert "<ins>" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_author_sees_every_version_newest_first(client, login):
    w = make_world()
    editing.edit_post(w.author, w.reply, body="Второй вариант ответа про дроби.")
    editing.edit_post(w.leader, w.reply, body="Третий вариант ответа про проценты.")
    login(w.author)
    response = client.get(f"/posts/{w.reply.id}/history")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    positions = [page.index(f'id="version-{n}"') for n in (3, 2, 1)]
    assert positions == sorted(positions)
    assert "Версия 3 (текущая)" in page and "Версия 1 (исходный текст)" in page
    assert w.leader.full_name in page and w.author.full_name in page
    assert "Первый</del>" in page and "Второй</ins>" in page
    assert "дроби</del>" in page and "проценты</ins>" in page


def test_opening_post_history_shows_the_title_change(client, login):
    w = make_world()
    editing.edit_post(w.author, w.opening, body=w.opening.body, title="Как готовить к ВПР по русскому")
    login(w.author)
    page = client.get(f"/posts/{w.opening.id}/history").get_data(as_text=True)
    assert "Заголовок:" in page and "по русскому</ins>" in page


def test_user_html_in_history_stays_inert(client, login):
    w = make_world()
    editing.edit_post(w.author, w.reply, body="<script>alert(1)</script> текст")
    login(w.author)
    page = client.get(f"/posts/{w.reply.id}/history").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page


def test_moderators_see_the_history(client, login):
    w = make_world()
    editing.edit_post(w.author, w.reply, body="Правка.")
    login(w.leader)
    assert client.get(f"/posts/{w.reply.id}/history").status_code == 200
    client.post("/logout")
    login(make_user(Role.ADMIN))
    assert client.get(f"/posts/{w.reply.id}/history").status_code == 200


def test_other_members_may_not_see_the_history(client, login):
    w = make_world()
    editing.edit_post(w.author, w.reply, body="Правка.")
    login(w.other)
    assert client.get(f"/posts/{w.reply.id}/history").status_code == 403


def test_outsiders_of_a_private_association_get_404(client, login):
    w = make_world(visibility=Visibility.MEMBERS)
    editing.edit_post(w.author, w.reply, body="Правка.")
    login(make_user())
    assert client.get(f"/posts/{w.reply.id}/history").status_code == 404


def test_history_anonymous_and_unknown(client, login):
    w = make_world()
    response = client.get(f"/posts/{w.reply.id}/history")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(w.author)
    assert client.get("/posts/999999/history").status_code == 404


def test_history_of_a_post_never_edited_shows_its_one_version(client, login):
    w = make_world()
    login(w.author)
    page = client.get(f"/posts/{w.reply.id}/history").get_data(as_text=True)
    assert "Версия 1 (текущая)" in page and "Первый вариант ответа про дроби." in page


# --- the actions on the thread page ----------------------------------------------------------------------------------


def _post_block(page: str, number: int) -> str:
    start = page.index(f'id="post-{number}"')
    end = page.find('class="disc-post ', start + 1)
    return page[start : end if end != -1 else len(page)]


def test_author_sees_edit_and_delete_on_own_posts_only(client, login):
    w = make_world()
    login(w.author)
    page = client.get(f"/threads/{w.thread.id}").get_data(as_text=True)
    mine = _post_block(page, 2)
    assert f"/posts/{w.reply.id}/edit" in mine and f"/posts/{w.reply.id}/delete" in mine
    theirs = _post_block(page, 3)
    assert "/edit" not in theirs and "/delete" not in theirs
    assert 'name="csrf_token"' in mine


def test_edited_marker_links_to_history_for_those_allowed(client, login):
    w = make_world()
    editing.edit_post(w.author, w.reply, body="Исправленный ответ.")
    login(w.author)
    block = _post_block(client.get(f"/threads/{w.thread.id}").get_data(as_text=True), 2)
    assert "изменено" in block and f"/posts/{w.reply.id}/history" in block
    client.post("/logout")
    login(w.other)
    block = _post_block(client.get(f"/threads/{w.thread.id}").get_data(as_text=True), 2)
    assert "изменено" in block and "/history" not in block
    client.post("/logout")
    block = _post_block(client.get(f"/threads/{w.thread.id}").get_data(as_text=True), 2)
    assert "изменено" in block and "/history" not in block and "/edit" not in block


def test_deleted_post_shows_as_deleted_to_members_and_restorable_to_moderators(client, login):
    w = make_world()
    editing.delete_post(w.author, w.reply)
    login(w.other)
    block = _post_block(client.get(f"/threads/{w.thread.id}").get_data(as_text=True), 2)
    assert "сообщение удалено" in block and "Первый вариант ответа" not in block
    assert "/restore" not in block
    client.post("/logout")
    login(w.leader)
    block = _post_block(client.get(f"/threads/{w.thread.id}").get_data(as_text=True), 2)
    assert "Первый вариант ответа" in block and f"/posts/{w.reply.id}/restore" in block
    assert "/delete" not in block and "/edit" not in block


def test_actions_run_no_queries_per_post(client, login, count_queries):
    w = make_world()
    editing.edit_post(w.author, w.reply, body="Исправленный ответ.")
    login(w.leader)
    url = f"/threads/{w.thread.id}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(17):
        post = make_post(w.thread, w.author if n % 2 else w.other, body=f"Ответ {n}")
        editing.edit_post(w.author, post, body=f"Ответ {n}, исправленный")
        if n % 5 == 0:
            editing.delete_post(w.author, post)
    client.get(url)
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert page.count("/history") >= 18 and page.count("/restore") >= 4
    assert many.count == few.count
