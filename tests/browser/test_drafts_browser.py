"""Drafts in a real browser: the reply box autosaves while the teacher types, a reloaded page gets the text back,
and posting the reply consumes the draft. Also: the edit page, its «изменено» marker and the history."""

import uuid

from playwright.sync_api import expect

from app.associations.models import Association
from app.auth.models import User
from app.discussions import services
from app.extensions import db
from tests.browser.conftest import PHONE, TEACHER_EMAIL, axe_violations, describe_violations


def _thread_for_teacher(live_server) -> int:
    with live_server.app.app_context():
        teacher = db.session.scalar(db.select(User).where(User.email == TEACHER_EMAIL))
        association = db.session.scalar(db.select(Association).where(Association.slug == "rmo-matematika"))
        thread = services.create_thread(
            teacher, association, title=f"Черновики в браузере {uuid.uuid4().hex[:6]}", body="Проверяем черновики."
        )
        db.session.commit()
        thread_id = thread.id
        db.session.remove()
    return thread_id


def _opening_post(live_server, thread_id: int) -> int:
    from app.discussions.models import Post

    with live_server.app.app_context():
        return db.session.scalar(db.select(Post.id).where(Post.thread_id == thread_id, Post.number == 1))


def test_reply_draft_is_autosaved_restored_and_consumed(new_context, live_server):
    thread_id = _thread_for_teacher(live_server)
    errors: list[str] = []
    context = new_context(user=TEACHER_EMAIL)
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    url = f"{live_server.url}/threads/{thread_id}"
    page.goto(url)

    box = page.locator("#reply textarea[name='body']")
    with page.expect_response(lambda r: f"/drafts/reply:{thread_id}" in r.url and r.request.method == "POST") as saved:
        box.fill("Ответ, который пишется долго и не должен пропасть.")
    assert saved.value.status == 200

    # A new tab (or the same page after a lost connection) gets the text back from the server.
    again = context.new_page()
    again.goto(url)
    expect(again.locator("#reply textarea[name='body']")).to_have_value(
        "Ответ, который пишется долго и не должен пропасть."
    )
    again.locator("#reply").get_by_role("button", name="Отправить").click()
    again.wait_for_load_state()
    expect(again.locator(".disc-text", has_text="не должен пропасть")).to_have_count(1)

    with page.expect_response(lambda r: f"/drafts/reply:{thread_id}" in r.url and r.request.method == "GET") as asked:
        page.goto(url)
    assert asked.value.json()["body"] is None  # consumed by the reply
    expect(page.locator("#reply textarea[name='body']")).to_have_value("")
    assert errors == []


def test_edit_and_history_in_the_browser(new_context, live_server, axe_source):
    thread_id = _thread_for_teacher(live_server)
    page = new_context(user=TEACHER_EMAIL).new_page()
    page.goto(f"{live_server.url}/threads/{thread_id}")
    page.locator("#post-1").get_by_role("link", name="Изменить").click()
    assert (violations := axe_violations(page, axe_source)) == [], describe_violations(violations)
    page.get_by_label("Текст сообщения").fill("Проверяем черновики и правки.")
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/threads/{thread_id}#post-1")
    expect(page.get_by_role("status")).to_contain_text("Сообщение изменено.")
    page.locator("#post-1").get_by_role("link", name="История").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("История правок")
    expect(page.locator("ins")).to_contain_text("и правки")
    assert (violations := axe_violations(page, axe_source)) == [], describe_violations(violations)


def test_edit_page_and_actions_fit_a_phone(new_context, live_server):
    thread_id = _thread_for_teacher(live_server)
    page = new_context(user=TEACHER_EMAIL, viewport=PHONE, phone=True).new_page()
    page.goto(f"{live_server.url}/threads/{thread_id}")
    delete = page.locator("#post-1 .post-delete summary")
    delete.click()
    expect(page.locator("#post-1").get_by_role("button", name="Да, удалить тему")).to_be_visible()
    for url in (f"/threads/{thread_id}", f"/posts/{_opening_post(live_server, thread_id)}/edit"):
        page.goto(live_server.url + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
