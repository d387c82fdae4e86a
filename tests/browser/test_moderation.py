"""A report in Chromium, start to finish: a colleague starts a thread in «РМО учителей математики», teacher@example.org
reports its opening post, leader@example.org finds it in the association's moderation queue (which passes axe-core and
fits a 360 px phone) and hides the post; other readers then see that it was hidden, not its text."""

import uuid

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TEACHER_EMAIL, axe_violations, describe_violations
from tests.browser.test_accessibility import wide_elements

LEADER_EMAIL = "leader@example.org"
COLLEAGUE_EMAIL = "t.morozova@example.org"  # a member of rmo-matematika
QUEUE = "/associations/rmo-matematika/moderation"


def _start_thread(page, base_url: str, title: str, body: str) -> str:
    page.goto(base_url + "/associations/rmo-matematika/")
    page.get_by_role("main").get_by_role("link", name="Новая тема").click()
    page.get_by_label("Заголовок", exact=True).fill(title)
    page.get_by_label("Текст", exact=True).fill(body)
    page.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return page.url.split("#")[0]


def test_a_teacher_reports_a_post_and_the_leader_hides_it_from_the_queue(new_context, live_server, axe_source):
    title = f"Продаю готовые рабочие программы ({uuid.uuid4().hex[:6]})"
    body = "Готовые рабочие программы по математике недорого, пишите в личные сообщения."
    colleague = new_context(user=COLLEAGUE_EMAIL).new_page()
    thread_url = _start_thread(colleague, live_server.url, title, body)

    teacher = new_context(user=TEACHER_EMAIL).new_page()
    teacher.goto(thread_url)
    teacher.locator("#post-1").get_by_role("link", name="Пожаловаться на сообщение № 1").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Пожаловаться на сообщение")
    teacher.get_by_role("button", name="Отправить жалобу").click()  # no reason chosen: the form says so
    expect(teacher.locator("#reason-error")).to_contain_text("Выберите причину жалобы.")
    assert axe_violations(teacher, axe_source) == [], describe_violations(axe_violations(teacher, axe_source))
    teacher.get_by_label("спам", exact=True).check()
    teacher.get_by_label("Комментарий для модераторов").fill("Реклама платных программ.")
    teacher.get_by_role("button", name="Отправить жалобу").click()
    expect(teacher.locator(".flash").first).to_contain_text("жалоба отправлена модераторам")
    expect(teacher.locator("#post-1 .disc-text")).to_contain_text(
        "Готовые рабочие программы"
    )  # one report hides nothing

    leader = new_context(user=LEADER_EMAIL).new_page()
    leader.goto(live_server.url + QUEUE)
    assert axe_violations(leader, axe_source) == [], describe_violations(axe_violations(leader, axe_source))
    item = leader.locator("li.report-item", has_text=title)
    expect(item).to_contain_text("спам · 1")
    expect(item).to_contain_text("Реклама платных программ.")
    expect(item).to_contain_text(live_server.user_name(TEACHER_EMAIL))
    expect(item.get_by_label("Причина (её увидит автор)")).to_have_value("Жалобы участников: спам")
    phone = new_context(user=LEADER_EMAIL, viewport=PHONE, phone=True).new_page()
    phone.goto(live_server.url + QUEUE)
    expect(phone.locator("li.report-item", has_text=title)).to_be_visible()
    assert wide_elements(phone) == []

    item.get_by_role("button", name="Скрыть сообщение").click()
    expect(leader.locator(".flash").first).to_contain_text("Сообщение скрыто.")
    expect(leader.locator("li.report-item", has_text=title)).to_have_count(0)
    resolved = leader.locator("#resolved-title + ul li", has_text=title)
    expect(resolved).to_contain_text("сообщение скрыто")
    assert axe_violations(leader, axe_source) == [], describe_violations(axe_violations(leader, axe_source))

    # other readers (the reporter, a visitor) see that it was hidden, not its text
    teacher.goto(thread_url)
    expect(teacher.locator("#post-1")).to_contain_text("сообщение скрыто модератором")
    expect(teacher.locator("#post-1")).not_to_contain_text("Готовые рабочие программы")
    expect(teacher.locator("#post-1").get_by_role("link", name="Пожаловаться на сообщение № 1")).to_have_count(0)
    visitor = new_context().new_page()
    visitor.goto(thread_url)
    expect(visitor.locator("#post-1")).not_to_contain_text("Готовые рабочие программы")
