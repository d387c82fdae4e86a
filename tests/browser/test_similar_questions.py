"""Similar answered questions on the new-thread form in a real browser: with JavaScript they appear under the title
while a question's title is typed (and can be followed, by mouse or keyboard, on a phone too); without it the
«Проверить похожие вопросы» button lists them and creates nothing."""

import uuid

from playwright.sync_api import expect

from app.associations.models import Association
from app.auth.models import User
from app.discussions import services
from app.discussions.models import Thread, ThreadKind
from app.extensions import db
from tests.browser.conftest import PHONE, TEACHER_EMAIL, axe_violations, describe_violations

FORM = "/associations/rmo-matematika/threads/new"


def _answered_question(live_server) -> tuple[int, str, str]:
    """A question in the teacher's association, answered by the methodist; its title carries a word of its own."""
    word = "z" + uuid.uuid4().hex[:8]
    title = f"Квест по обыкновенным дробям {word}"
    with live_server.app.app_context():
        users = {u.email: u for u in db.session.scalars(db.select(User).where(User.email.like("%@example.org")))}
        association = db.session.scalar(db.select(Association).where(Association.slug == "rmo-matematika"))
        thread = services.create_thread(
            users["t.morozova@example.org"], association, title=title, body="Как провести?", kind=ThreadKind.QUESTION
        )
        services.create_reply(users["methodist@example.org"], thread, body="Начните с карточек-заданий.")
        db.session.commit()
        thread_id = thread.id
        db.session.remove()
    return thread_id, title, word


def _threads_titled(live_server, title: str) -> int:
    with live_server.app.app_context():
        count = db.session.scalar(db.select(db.func.count()).select_from(Thread).where(Thread.title == title))
        db.session.remove()
    return count


def test_suggestions_appear_while_a_question_title_is_typed_and_can_be_followed(new_context, live_server, axe_source):
    thread_id, title, word = _answered_question(live_server)
    errors: list[str] = []
    page = new_context(user=TEACHER_EMAIL).new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + FORM)
    region = page.locator("#similar-questions")
    expect(region).to_have_attribute("aria-live", "polite")

    # A discussion gets no suggestions; choosing «вопрос» asks for the title already typed.
    page.get_by_label("Заголовок").press_sequentially(f"квест {word}", delay=20)
    page.wait_for_timeout(800)
    expect(region.get_by_role("link")).to_have_count(0)
    page.get_by_label("вопрос", exact=True).check()
    suggestion = region.get_by_role("link", name=title)
    expect(suggestion).to_be_visible()
    expect(region.get_by_role("heading", name="Похожие вопросы, на которые уже ответили")).to_be_visible()
    expect(region).to_contain_text("1 ответ")
    assert (violations := axe_violations(page, axe_source)) == [], describe_violations(violations)

    # Fewer than three characters: the list goes.
    page.get_by_label("Заголовок").fill("кв")
    expect(region.get_by_role("link")).to_have_count(0)
    page.get_by_label("Заголовок").press_sequentially(f"ест {word}", delay=20)
    expect(suggestion).to_be_visible()
    suggestion.click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/threads/{thread_id}"
    assert errors == []


def test_on_a_phone_the_suggestions_fit_and_work_from_the_keyboard(new_context, live_server):
    thread_id, title, word = _answered_question(live_server)
    page = new_context(user=TEACHER_EMAIL, viewport=PHONE, phone=True).new_page()
    page.goto(live_server.url + FORM)
    page.get_by_label("вопрос", exact=True).check()
    box = page.get_by_label("Заголовок")
    box.press_sequentially(f"Как провести квест по дробям {word}", delay=10)
    region = page.locator("#similar-questions")
    expect(region.get_by_role("link", name=title)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Tab from the title reaches the suggestions (they come right after it); Enter follows one.
    box.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#similar-questions') !== null")
    while page.evaluate("document.activeElement.textContent") != title:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('#similar-questions') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/threads/{thread_id}")


def test_without_javascript_the_check_button_lists_them_and_creates_nothing(new_context, live_server):
    thread_id, title, word = _answered_question(live_server)
    asked = f"Квест по дробям в пятом классе {word}"
    page = new_context(user=TEACHER_EMAIL, java_script_enabled=False).new_page()
    page.goto(live_server.url + FORM)
    page.get_by_label("Заголовок").fill(asked)
    page.get_by_label("вопрос", exact=True).check()
    page.get_by_label("Скрыть вопрос от участников объединения").check()
    page.get_by_role("button", name="Проверить похожие вопросы").click()
    page.wait_for_load_state()

    region = page.locator("#similar-questions")
    expect(region.get_by_role("heading", name="Похожие вопросы, на которые уже ответили")).to_be_visible()
    expect(region.get_by_role("link", name=title)).to_have_attribute("href", f"/threads/{thread_id}")
    expect(page.get_by_label("Заголовок")).to_have_value(asked)
    expect(page.get_by_label("вопрос", exact=True)).to_be_checked()
    expect(page.get_by_label("Скрыть вопрос от участников объединения")).to_be_checked()
    assert _threads_titled(live_server, asked) == 0

    page.get_by_label("Заголовок").fill("Экскурсия в планетарий")
    page.get_by_role("button", name="Проверить похожие вопросы").click()
    page.wait_for_load_state()
    expect(region).to_contain_text("Похожих вопросов не нашлось.")
