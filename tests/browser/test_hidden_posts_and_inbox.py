"""Hiding a post in Chromium on a 360 px phone: leader@example.org opens «Скрыть» under a colleague's reply in
«РМО учителей математики», gives a reason and hides it; the author still reads it with the reason, finds the notice in
«Уведомления» and marks it read; the moderation log shows the line. Every page passes axe-core and fits the phone."""

import uuid

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, axe_violations, describe_violations
from tests.browser.test_accessibility import wide_elements

LEADER_EMAIL = "leader@example.org"
AUTHOR_EMAIL = "t.morozova@example.org"  # a member of rmo-matematika


def _checked(page, axe_source) -> None:
    violations = axe_violations(page, axe_source)
    assert not violations, f"axe on {page.url}:\n" + describe_violations(violations)
    assert wide_elements(page) == [], page.url


def test_a_leader_hides_a_reply_and_its_author_reads_why(new_context, live_server, axe_source):
    body = f"Продаю готовые контрольные, пишите в личные сообщения ({uuid.uuid4().hex[:6]})."
    author = new_context(user=AUTHOR_EMAIL, viewport=PHONE, phone=True).new_page()
    author.goto(live_server.url + "/associations/rmo-matematika/")
    author.get_by_role("main").locator("a[href^='/threads/']").first.click()
    thread_url = author.url.split("#")[0].split("?")[0]
    author.get_by_label("Текст", exact=True).fill(body)
    author.get_by_role("button", name="Отправить").click()
    post = author.locator("li.disc-post", has_text=body)
    expect(post).to_be_visible()
    number = post.get_attribute("id")

    leader = new_context(user=LEADER_EMAIL, viewport=PHONE, phone=True).new_page()
    leader.goto(author.url)
    reply = leader.locator(f"#{number}")
    reply.locator("summary", has_text="Скрыть").click()
    _checked(leader, axe_source)
    reply.get_by_label("Причина (её увидит автор)").fill("Реклама платных материалов")
    reply.get_by_role("button", name="Скрыть").click()
    expect(leader.locator(".flash").first).to_contain_text("Сообщение скрыто.")
    reply = leader.locator(f"#{number}")
    expect(reply).to_contain_text("Скрыто модератором: Реклама платных материалов")
    expect(reply).to_contain_text(f"Скрыл(а): {live_server.user_name(LEADER_EMAIL)}.")
    expect(reply.get_by_role("button", name="Показать снова")).to_be_visible()
    _checked(leader, axe_source)

    # The author finds the notice first (opening the thread would read it: the thread's notices are read there).
    author.goto(live_server.url + "/")
    author.get_by_role("link", name="Уведомления").click()
    notice = author.locator("li.notice", has_text="Модератор скрыл ваше сообщение.").first
    expect(notice).to_contain_text("Причина: Реклама платных материалов")
    expect(notice).to_contain_text("новое")
    _checked(author, axe_source)
    notice.get_by_role("button", name="Отметить прочитанным").click()
    expect(author.locator("li.notice", has_text="Реклама платных материалов").first).not_to_contain_text("новое")
    author.locator("li.notice", has_text="Реклама платных материалов").first.get_by_role("link").click()
    assert author.url.split("#")[0].split("?")[0] == thread_url
    mine = author.locator(f"#{number}")
    expect(mine).to_contain_text(body)
    expect(mine).to_contain_text("Скрыто модератором: Реклама платных материалов")

    leader.goto(live_server.url + "/associations/rmo-matematika/moderation/log")
    line = leader.locator("ol.moderation-log li", has_text="Реклама платных материалов").first
    expect(line).to_contain_text("сообщение скрыто")
    expect(line).to_contain_text(live_server.user_name(AUTHOR_EMAIL))
    _checked(leader, axe_source)
