"""Editing a post: revisions kept, the thread title for an opening post, bad input, permissions, redirects."""

import re

import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app.associations.models import Visibility
from app.auth.models import Role
from app.discussions import editing
from app.discussions.models import Mention, Post, PostRevision, Thread
from app.extensions import db
from tests.discussions.editing_helpers import make_world
from tests.factories import make_post, make_user


def _revisions(post):
    return db.session.scalars(
        sa.select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.number)
    ).all()


def test_author_edits_a_reply_and_the_original_is_kept(client, login):
    w = make_world()
    original_at = w.reply.created_at
    login(w.author)
    response = client.post(f"/posts/{w.reply.id}/edit", data={"body": "Второй вариант: **дроби** и проценты."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/threads/{w.thread.id}#post-{w.reply.number}")
    db.session.expire_all()
    post = db.session.get(Post, w.reply.id)
    assert post.body == "Второй вариант: **дроби** и проценты."
    assert "<strong>дроби</strong>" in post.body_html
    assert (post.revision_count, post.edited_by_id) == (1, w.author.id)
    assert post.edited_at is not None
    [first] = _revisions(post)
    assert (first.number, first.body, first.author_id, first.title) == (
        1,
        "Первый вариант ответа про дроби.",
        w.author.id,
        None,
    )
    assert first.created_at == original_at


def test_second_edit_keeps_the_first_edit_with_its_editor(client, login):
    w = make_world()
    editing.edit_post(w.author, w.reply, body="Правка автора.")
    login(w.leader)
    assert client.post(f"/posts/{w.reply.id}/edit", data={"body": "Правка руководителя."}).status_code == 302
    db.session.expire_all()
    post = db.session.get(Post, w.reply.id)
    revisions = _revisions(post)
    assert [(r.number, r.body, r.author_id) for r in revisions] == [
        (1, "Первый вариант ответа про дроби.", w.author.id),
        (2, "Правка автора.", w.author.id),
    ]
    assert (post.body, post.edited_by_id, post.revision_count) == ("Правка руководителя.", w.leader.id, 2)


def test_unchanged_text_makes_no_revision(client, login):
    w = make_world()
    login(w.author)
    # The browser sends CRLF and maybe a trailing newline: still the same text.
    response = client.post(f"/posts/{w.reply.id}/edit", data={"body": "Первый вариант ответа про дроби.\r\n"})
    assert response.status_code == 302
    db.session.expire_all()
    post = db.session.get(Post, w.reply.id)
    assert (post.revision_count, post.edited_at) == (0, None)
    assert _revisions(post) == []


def test_opening_post_edit_changes_the_thread_title_and_keeps_the_old_one(client, login):
    w = make_world()
    login(w.author)
    page = client.get(f"/posts/{w.opening.id}/edit").get_data(as_text=True)
    assert 'name="title"' in page and "Как готовить к ВПР" in page
    response = client.post(
        f"/posts/{w.opening.id}/edit", data={"title": "Как готовить к ВПР по математике", "body": "Делимся опытом."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    thread = db.session.get(Thread, w.thread.id)
    assert thread.title == "Как готовить к ВПР по математике"
    assert thread.search_title == "как готовить к впр по математике"
    [first] = _revisions(w.opening)
    assert (first.title, first.body) == ("Как готовить к ВПР", "Делимся опытом подготовки.")


def test_only_the_title_changed_is_a_revision_too(app):
    w = make_world()
    assert editing.edit_post(w.author, w.opening, body=w.opening.body, title="Новый заголовок темы")
    assert w.opening.revision_count == 1


def test_a_reply_form_has_no_title_field(client, login):
    w = make_world()
    login(w.author)
    page = client.get(f"/posts/{w.reply.id}/edit").get_data(as_text=True)
    assert 'name="title"' not in page
    assert "Первый вариант ответа про дроби." in page
    assert 'data-draft-key="edit:' in page and "js/drafts.js" in page


def test_empty_body_is_refused_and_nothing_changes(client, login):
    w = make_world()
    login(w.author)
    response = client.post(f"/posts/{w.reply.id}/edit", data={"body": "   \r\n  "})
    assert response.status_code == 400
    assert "Напишите текст сообщения." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Post, w.reply.id).revision_count == 0


def test_oversized_body_is_refused_with_the_text_kept(client, login):
    w = make_world()
    login(w.author)
    long_text = "Очень длинный текст урока. " * 2000  # 54 000 characters
    response = client.post(f"/posts/{w.reply.id}/edit", data={"body": long_text})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Сообщение длиннее 50000 символов." in page
    assert long_text.strip() in page
    db.session.expire_all()
    assert db.session.get(Post, w.reply.id).body == "Первый вариант ответа про дроби."


def test_bad_title_is_refused_with_both_texts_kept(client, login):
    w = make_world()
    login(w.author)
    response = client.post(f"/posts/{w.opening.id}/edit", data={"title": "ВПР", "body": "Мой новый длинный текст."})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Заголовок — от 5 до 200 символов." in page
    assert "Мой новый длинный текст." in page and 'value="ВПР"' in page
    db.session.expire_all()
    assert db.session.get(Thread, w.thread.id).title == "Как готовить к ВПР"


def test_script_in_an_edit_comes_out_inert(client, login):
    w = make_world()
    login(w.author)
    client.post(f"/posts/{w.reply.id}/edit", data={"body": "<script>alert(1)</script> [x](javascript:alert(1))"})
    db.session.expire_all()
    html = db.session.get(Post, w.reply.id).body_html
    assert "<script" not in html and 'href="javascript' not in html


def test_redirect_goes_to_the_page_of_the_post(client, login):
    w = make_world()
    for n in range(22):
        make_post(w.thread, w.other, body=f"Ответ {n}")
    late = make_post(w.thread, w.author, body="Поздний ответ.")
    assert late.number == 26
    login(w.author)
    response = client.post(f"/posts/{late.id}/edit", data={"body": "Поздний ответ, исправленный."})
    assert response.headers["Location"].endswith(f"/threads/{w.thread.id}?page=2#post-26")


def test_mentions_added_by_an_edit_are_recorded(client, login):
    w = make_world()
    login(w.author)
    body = f"Коллеги, @[{w.other.full_name}] подскажет."
    assert client.post(f"/posts/{w.reply.id}/edit", data={"body": body}).status_code == 302
    mentioned = db.session.scalars(sa.select(Mention.user_id).where(Mention.post_id == w.reply.id)).all()
    assert mentioned == [w.other.id]
    # Editing again with the same mention does not record it twice.
    assert client.post(f"/posts/{w.reply.id}/edit", data={"body": body + " Ещё."}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).where(Mention.post_id == w.reply.id)) == 1


# --- who may edit --------------------------------------------------------------------------------------------------


def test_another_member_may_not_edit(client, login):
    w = make_world()
    login(w.other)
    assert client.get(f"/posts/{w.reply.id}/edit").status_code == 403
    assert client.post(f"/posts/{w.reply.id}/edit", data={"body": "Чужая правка."}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Post, w.reply.id).revision_count == 0


def test_leader_and_admin_may_edit_any_post(client, login):
    w = make_world()
    login(w.leader)
    assert client.get(f"/posts/{w.reply.id}/edit").status_code == 200
    client.post("/logout")
    login(make_user(Role.ADMIN))
    assert client.post(f"/posts/{w.reply.id}/edit", data={"body": "Правка администратора."}).status_code == 302


def test_anonymous_is_sent_to_login(client):
    w = make_world()
    for method in (client.get, client.post):
        response = method(f"/posts/{w.reply.id}/edit")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_post_is_404(client, login):
    login(make_user())
    assert client.get("/posts/999999/edit").status_code == 404
    assert client.post("/posts/999999/edit", data={"body": "Текст"}).status_code == 404


def test_post_in_a_private_association_is_404_for_outsiders(client, login):
    w = make_world(visibility=Visibility.MEMBERS)
    login(make_user())
    assert client.get(f"/posts/{w.reply.id}/edit").status_code == 404


def test_a_deleted_post_cannot_be_edited(client, login):
    w = make_world()
    editing.delete_post(w.author, w.reply)
    login(w.author)
    assert client.get(f"/posts/{w.reply.id}/edit").status_code == 403


# --- a form left open for hours still posts -------------------------------------------------------------------------


class _DaysOldSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return super().get_timestamp() - 3 * 24 * 3600


def test_a_form_left_open_for_days_still_submits(app, client, login, csrf):
    w = make_world()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page) or re.search(
        r'name="csrf_token" value="([^"]+)"', login_page
    )
    response = client.post(
        "/login", data={"email": w.author.email, "password": "correct-horse-battery-42", "csrf_token": token[1]}
    )
    assert response.status_code == 302
    client.get(f"/posts/{w.reply.id}/edit")
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    # The token the edit form would have carried had the page been opened three days ago.
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token", signer=_DaysOldSigner)
    old_token = serializer.dumps(raw)
    data = {"body": "Текст, который писали три дня.", "csrf_token": old_token}
    assert client.post(f"/posts/{w.reply.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, w.reply.id).body == "Текст, который писали три дня."
    # The same token is refused where a time limit is set: the test above would notice one being switched on.
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    try:
        data["body"] = "Ещё одна правка."
        assert client.post(f"/posts/{w.reply.id}/edit", data=data).status_code == 400
    finally:
        app.config["WTF_CSRF_TIME_LIMIT"] = None


def test_a_refused_token_re_shows_the_form_with_the_text_and_a_fresh_token(client, login, csrf):
    w = make_world()
    client.application.config["WTF_CSRF_ENABLED"] = False
    login(w.author)
    client.application.config["WTF_CSRF_ENABLED"] = True
    data = {"body": "Длинный текст, который нельзя потерять.", "csrf_token": "stale-or-forged"}
    response = client.post(f"/posts/{w.reply.id}/edit", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Длинный текст, который нельзя потерять." in page and "Форма устарела" in page
    db.session.expire_all()
    assert db.session.get(Post, w.reply.id).revision_count == 0
    data["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    assert client.post(f"/posts/{w.reply.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, w.reply.id).body == "Длинный текст, который нельзя потерять."


def test_delete_without_a_csrf_token_is_refused(client, login, csrf):
    w = make_world()
    client.application.config["WTF_CSRF_ENABLED"] = False
    login(w.author)
    client.application.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/posts/{w.reply.id}/delete").status_code == 400
    db.session.expire_all()
    assert db.session.get(Post, w.reply.id).deleted_at is None
