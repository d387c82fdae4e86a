"""Notifications in Chromium on a 360 px phone: a colleague replies in the teacher's thread; the teacher's bell counts
it, the inbox links to the exact post, and opening it quiets the bell; the teacher then chooses the daily digest for
replies at /settings/notifications. Every page passes axe-core and fits the phone."""

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TEACHER_EMAIL, axe_violations, describe_violations
from tests.browser.test_accessibility import wide_elements

COLLEAGUE_EMAIL = "t.morozova@example.org"  # a member of rmo-matematika, like the teacher


def _checked(page, axe_source) -> None:
    violations = axe_violations(page, axe_source)
    assert not violations, f"axe on {page.url}:\n" + describe_violations(violations)
    assert wide_elements(page) == [], page.url


def _bell(page) -> int:
    badge = page.locator(".nav-count-notices")
    return int(re.sub(r"\D", "", badge.inner_text()) or 0) if badge.count() else 0


def test_the_bell_counts_a_reply_leads_to_it_and_settings_choose_the_digest(new_context, live_server, axe_source):
    title = f"Устный счёт на каждом уроке ({uuid.uuid4().hex[:6]})"
    teacher = new_context(user=TEACHER_EMAIL, viewport=PHONE, phone=True).new_page()
    teacher.goto(live_server.url + "/associations/rmo-matematika/")
    teacher.get_by_role("main").get_by_role("link", name="Новая тема").click()
    teacher.get_by_label("Заголовок", exact=True).fill(title)
    teacher.get_by_label("Текст", exact=True).fill("Коллеги, сколько минут урока вы отдаёте устному счёту?")
    teacher.get_by_role("button", name="Опубликовать").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text(title)
    thread_url = teacher.url.split("#")[0].split("?")[0]
    before = _bell(teacher)

    colleague = new_context(user=COLLEAGUE_EMAIL, viewport=PHONE, phone=True).new_page()
    colleague.goto(thread_url)
    colleague.get_by_label("Текст", exact=True).fill("Пять минут в начале, с карточками.")
    colleague.get_by_role("button", name="Отправить").click()
    expect(colleague.locator("li.disc-post", has_text="Пять минут в начале")).to_be_visible()

    teacher.goto(live_server.url + "/")
    assert _bell(teacher) == before + 1
    teacher.get_by_role("link", name=re.compile("Уведомления")).first.click()
    notice = teacher.locator("li.notice", has_text="Новый ответ в теме, за которой вы следите.").first
    expect(notice).to_contain_text(title)
    expect(notice).to_contain_text("Пять минут в начале")  # the post's excerpt
    _checked(teacher, axe_source)
    notice.get_by_role("link", name=re.compile(re.escape(title))).click()
    assert teacher.url.split("#")[0].split("?")[0] == thread_url and "#post-2" in teacher.url
    assert _bell(teacher) == before  # opening the thread read its notice

    teacher.goto(live_server.url + "/settings/notifications")
    _checked(teacher, axe_source)
    replies = teacher.get_by_role("group", name="Темы, за которыми вы следите")
    replies.get_by_label("в ежедневной сводке").check()
    teacher.get_by_label("Когда присылать ежедневную сводку").select_option(label="19:00")
    teacher.get_by_role("button", name="Сохранить").click()
    expect(teacher.locator(".flash").first).to_contain_text("Настройки уведомлений сохранены.")
    expect(
        teacher.get_by_role("group", name="Темы, за которыми вы следите").get_by_label("в ежедневной сводке")
    ).to_be_checked()
    expect(teacher.get_by_label("Когда присылать ежедневную сводку")).to_have_value("19")
