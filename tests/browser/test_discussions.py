"""Discussions in Chromium: a teacher starts a thread with Markdown and answers a post; thread pages pass axe-core on
a desktop and on a 360 px phone without scrolling sideways."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, TEACHER_EMAIL, axe_violations, describe_violations
from tests.browser.test_accessibility import wide_elements

ASSOCIATION = "/associations/rmo-matematika/"


def test_teacher_starts_a_thread_with_markdown_and_answers_a_post(new_context, live_server):
    page = new_context(user=TEACHER_EMAIL).new_page()
    page.goto(live_server.url + ASSOCIATION)
    page.get_by_role("main").get_by_role("link", name="Новая тема").click()

    title = f"Учебники алгебры для 7 класса ({uuid.uuid4().hex[:6]})"  # the live server is shared by the session
    page.get_by_label("Заголовок", exact=True).fill(title)
    page.get_by_label("Текст", exact=True).fill(
        "Коллеги, по каким учебникам вы работаете? Сравниваю **две линии**:\n\n- Макарычев\n- Мордкович\n"
    )
    page.get_by_label("Метки", exact=True).fill("алгебра, 7 класс")
    page.get_by_role("button", name="Опубликовать").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    opening = page.locator("#post-1")
    expect(opening.locator(".disc-text strong")).to_have_text("две линии")
    expect(opening.locator(".disc-text li")).to_have_text(["Макарычев", "Мордкович"])

    opening.get_by_role("link", name="Ответить на сообщение № 1").click()
    reply_form = page.locator("#reply")
    expect(reply_form).to_contain_text("Ответ на сообщение № 1")
    reply_form.get_by_label("Текст", exact=True).fill("Отвечу сама себе: выбираю **Мордковича**, потому что\n\n"
                                                      "1. много задач;\n2. понятная теория.")  # fmt: skip
    reply_form.get_by_role("button", name="Отправить").click()

    reply = page.locator("#post-2")
    expect(reply).to_be_visible()
    expect(reply.locator(".disc-text strong")).to_have_text("Мордковича")
    expect(reply.locator(".disc-text li")).to_have_count(2)
    expect(reply.locator(".disc-in-reply")).to_contain_text("в ответ на")
    # Nothing of the Markdown source is left showing in the posts.
    for text in page.locator(".disc-post .disc-text").all():
        expect(text).not_to_contain_text("**")


def _demo_thread_path(live_server, title: str) -> str:
    from app.discussions.models import Thread
    from app.extensions import db

    with live_server.app.app_context():
        thread_id = db.session.scalar(db.select(Thread.id).where(Thread.title == title))
    assert thread_id is not None, title
    return f"/threads/{thread_id}"


# Demo threads with what makes a page hard to fit: a wide table, a quote, nested answers, an image, a code block.
THREADS = [
    ("plan-with-table", "План работы РМО на второе полугодие и график открытых уроков", ""),
    ("question-tree", "Как вы готовите пятиклассников к ВПР по математике?", "?view=tree"),
    ("code", "Python или Паскаль в 8 классе: на чём вы начинаете программирование?", ""),
]
VIEWPORTS = [("desktop", DESKTOP, False), ("phone", PHONE, True)]


@pytest.mark.parametrize(("viewport", "size", "phone"), VIEWPORTS, ids=[v[0] for v in VIEWPORTS])
@pytest.mark.parametrize(("name", "title", "query"), THREADS, ids=[t[0] for t in THREADS])
def test_thread_page_is_accessible(new_context, live_server, axe_source, name, title, query, viewport, size, phone):
    page = new_context(viewport=size, user=TEACHER_EMAIL, phone=phone).new_page()
    url = live_server.url + _demo_thread_path(live_server, title) + query
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    expect(page.locator(".disc-post").first).to_be_visible()

    violations = axe_violations(page, axe_source)
    assert not violations, f"axe found WCAG 2.1 A/AA problems on {url} ({viewport}):\n" + describe_violations(
        violations
    )
    if phone:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= PHONE["width"], (
            f"{url} scrolls sideways on a phone: {scroll_width}px wide; too wide:\n" + "\n".join(wide_elements(page))
        )
