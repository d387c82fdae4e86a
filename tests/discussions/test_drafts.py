"""Server-side drafts: saved as the user writes, only where they may post, prefilled into empty forms, consumed by
the post they became."""

import re

import sqlalchemy as sa

from app.associations.models import Visibility
from app.discussions import drafts
from app.discussions.models import Draft, Post
from app.extensions import db
from tests.discussions.editing_helpers import make_world
from tests.factories import make_user


def _drafts_of(user):
    db.session.expire_all()
    return db.session.scalars(sa.select(Draft).where(Draft.user_id == user.id).order_by(Draft.key)).all()


def test_json_autosave_keeps_one_draft_per_key(client, login):
    w = make_world()
    login(w.other)
    key = f"reply:{w.thread.id}"
    response = client.post(f"/drafts/{key}", json={"body": "Начало ответа"})
    assert response.status_code == 200 and response.json["saved"] is True
    response = client.post(f"/drafts/{key}", json={"body": "Начало ответа, продолжение"})
    assert response.status_code == 200
    [draft] = _drafts_of(w.other)
    assert (draft.key, draft.body) == (key, "Начало ответа, продолжение")


def test_form_body_is_accepted_too(client, login):
    w = make_world()
    login(w.other)
    key = f"thread:{w.association.id}"
    data = {"title": "Тема о дробях", "body": "Черновик темы"}
    assert client.post(f"/drafts/{key}", data=data).status_code == 200
    [draft] = _drafts_of(w.other)
    assert (draft.title, draft.body) == ("Тема о дробях", "Черновик темы")


def test_an_empty_text_drops_the_draft(client, login):
    w = make_world()
    login(w.other)
    key = f"reply:{w.thread.id}"
    client.post(f"/drafts/{key}", json={"body": "Что-то"})
    response = client.post(f"/drafts/{key}", json={"body": "  "})
    assert response.status_code == 200 and response.json["saved"] is False
    assert _drafts_of(w.other) == []


def test_an_oversized_draft_is_refused(client, login):
    w = make_world()
    login(w.other)
    response = client.post(f"/drafts/reply:{w.thread.id}", json={"body": "я" * 50_001})
    assert response.status_code == 400 and "50000" in response.json["error"]
    response = client.post(f"/drafts/thread:{w.association.id}", json={"title": "т" * 201, "body": "текст"})
    assert response.status_code == 400
    assert _drafts_of(w.other) == []


def test_malformed_bodies_are_400(client, login):
    w = make_world()
    login(w.other)
    assert client.post(f"/drafts/reply:{w.thread.id}", json=["список"]).status_code == 400
    assert client.post(f"/drafts/reply:{w.thread.id}", json={"body": 5}).status_code == 400


def test_only_where_the_user_may_post(client, login):
    w = make_world()
    outsider = make_user()
    login(outsider)
    assert client.post(f"/drafts/reply:{w.thread.id}", json={"body": "x"}).status_code == 403
    assert client.post(f"/drafts/thread:{w.association.id}", json={"body": "x"}).status_code == 403
    assert client.post(f"/drafts/edit:{w.reply.id}", json={"body": "x"}).status_code == 403
    assert _drafts_of(outsider) == []


def test_edit_drafts_follow_the_edit_rule(client, login):
    w = make_world()
    login(w.other)
    assert client.post(f"/drafts/edit:{w.reply.id}", json={"body": "x"}).status_code == 403
    client.post("/logout")
    login(w.author)
    assert client.post(f"/drafts/edit:{w.reply.id}", json={"body": "Правка в работе"}).status_code == 200


def test_unknown_or_malformed_keys_are_404(client, login):
    login(make_user())
    for key in ("reply:999999", "thread:999999", "edit:999999", "reply:abc", "nonsense:1", "reply", "reply:-1"):
        assert client.post(f"/drafts/{key}", json={"body": "x"}).status_code == 404, key


def test_anonymous_is_sent_to_login(client):
    w = make_world()
    response = client.post(f"/drafts/reply:{w.thread.id}", json={"body": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_private_association_outsider_cannot_save(client, login):
    w = make_world(visibility=Visibility.MEMBERS)
    login(make_user())
    assert client.post(f"/drafts/thread:{w.association.id}", json={"body": "x"}).status_code == 403


def test_drafts_need_a_csrf_token(client, login, csrf):
    w = make_world()
    client.application.config["WTF_CSRF_ENABLED"] = False
    login(w.other)
    client.application.config["WTF_CSRF_ENABLED"] = True
    url = f"/drafts/reply:{w.thread.id}"
    assert client.post(url, json={"body": "без токена"}).status_code == 400
    form_page = client.get(f"/threads/{w.thread.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form_page)[1]
    assert client.post(url, json={"body": "с токеном"}, headers={"X-CSRFToken": token}).status_code == 200
    assert client.post(url, data={"body": "из формы", "csrf_token": token}).status_code == 200
    [draft] = _drafts_of(w.other)
    assert draft.body == "из формы"


# --- the functions the forms use ------------------------------------------------------------------------------------


def test_save_load_prefill_consume(app):
    w = make_world()
    key = drafts.thread_key(w.association)
    drafts.save(w.other, key, title="  Заголовок  ", body="Текст черновика")
    draft = drafts.load(w.other, key)
    assert (draft.title, draft.body) == ("Заголовок", "Текст черновика")
    assert drafts.load(w.author, key) is None

    class Field:
        def __init__(self, data):
            self.data = data

    class Form:
        title = Field("")
        body = Field("")

    form = Form()
    assert drafts.prefill(form, w.other, key) is not None
    assert (form.title.data, form.body.data) == ("Заголовок", "Текст черновика")
    typed = Form()
    typed.body = Field("Уже набранный текст")
    assert drafts.prefill(typed, w.other, key) is None and typed.body.data == "Уже набранный текст"
    drafts.consume(w.other, key)
    assert drafts.load(w.other, key) is None


def test_edit_form_prefills_from_its_draft_and_the_save_consumes_it(client, login):
    w = make_world()
    drafts.save(w.author, drafts.edit_key(w.reply), body="Правка, не дописанная вчера")
    login(w.author)
    page = client.get(f"/posts/{w.reply.id}/edit").get_data(as_text=True)
    assert "Правка, не дописанная вчера" in page and "черновик" in page
    response = client.post(f"/posts/{w.reply.id}/edit", data={"body": "Правка, дописанная сегодня"})
    assert response.status_code == 302
    assert _drafts_of(w.author) == []
    assert db.session.get(Post, w.reply.id).body == "Правка, дописанная сегодня"


def test_the_script_is_served_and_no_page_has_inline_script(client, login):
    w = make_world()
    script = client.get("/static/js/drafts.js")
    assert script.status_code == 200 and "data-draft-key" in script.get_data(as_text=True)
    login(w.author)
    page = client.get(f"/posts/{w.reply.id}/edit").get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []


# --- wired into the new-thread and reply forms --------------------------------------------------------------------


def test_new_thread_form_prefills_from_the_draft_and_posting_consumes_it(client, login):
    w = make_world()
    drafts.save(w.other, drafts.thread_key(w.association), title="Тема из черновика", body="Текст из черновика")
    login(w.other)
    url = f"/associations/{w.association.slug}/threads/new"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Тема из черновика"' in page and "Текст из черновика" in page
    assert f'data-draft-key="thread:{w.association.id}"' in page and "js/drafts.js" in page
    data = {"title": "Тема из черновика", "body": "Текст из черновика", "kind": "discussion"}
    assert client.post(url, data=data).status_code == 302
    assert _drafts_of(w.other) == []


def test_a_reply_consumes_its_draft_and_the_page_offers_it_to_the_script(client, login):
    w = make_world()
    key = drafts.reply_key(w.thread)
    drafts.save(w.other, key, body="Ответ, набранный до обрыва связи")
    login(w.other)
    page = client.get(f"/threads/{w.thread.id}").get_data(as_text=True)
    assert f'data-draft-key="{key}"' in page and "js/drafts.js" in page
    response = client.get(f"/drafts/{key}")
    assert response.status_code == 200 and response.json["body"] == "Ответ, набранный до обрыва связи"
    assert (
        client.post(f"/threads/{w.thread.id}/reply", data={"body": "Ответ, набранный до обрыва связи"}).status_code
        == 302
    )
    assert _drafts_of(w.other) == []
    response = client.get(f"/drafts/{key}")
    assert response.status_code == 200 and response.json["body"] is None


def test_reading_a_draft_is_for_its_owner_only(client, login):
    w = make_world()
    key = drafts.reply_key(w.thread)
    drafts.save(w.other, key, body="Мой черновик")
    login(w.author)
    assert client.get(f"/drafts/{key}").json["body"] is None
    assert client.get("/drafts/reply:999999").status_code == 404
    client.post("/logout")
    login(make_user())  # may not reply there at all
    assert client.get(f"/drafts/{key}").status_code == 404
    client.post("/logout")
    response = client.get(f"/drafts/{key}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_visitors_get_no_draft_script(client):
    w = make_world()
    page = client.get(f"/threads/{w.thread.id}").get_data(as_text=True)
    assert "js/drafts.js" not in page


def test_an_opening_post_edit_draft_brings_back_its_title_too(client, login):
    w = make_world()
    drafts.save(w.author, drafts.edit_key(w.opening), title="Заголовок из черновика", body=w.opening.body)
    login(w.author)
    page = client.get(f"/posts/{w.opening.id}/edit").get_data(as_text=True)
    assert 'value="Заголовок из черновика"' in page


def test_autosave_is_rate_limited_per_user_not_per_address(app, client, login):
    w = make_world()
    login(w.other)
    url = f"/drafts/reply:{w.thread.id}"
    statuses = [client.post(url, json={"body": f"Версия {n}"}).status_code for n in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429
    colleague = app.test_client()  # same address, another teacher
    colleague.post("/login", data={"email": w.author.email, "password": "correct-horse-battery-42"})
    assert colleague.post(url, json={"body": "Мой ответ"}).status_code == 200
