"""A consultation in Chromium, start to finish: a teacher asks a question, methodist@example.org finds it in the
queue, takes it and answers; the teacher marks the answer as the solution and rates the consultation. The queue and
the question's page pass axe-core on a desktop and fit a 360 px phone."""

import uuid

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TEACHER_EMAIL, axe_violations, describe_violations
from tests.browser.test_accessibility import wide_elements

METHODIST_EMAIL = "methodist@example.org"


def _ask(page, base_url: str, title: str) -> str:
    page.goto(base_url + "/associations/rmo-matematika/")
    page.get_by_role("main").get_by_role("link", name="Новая тема").click()
    page.get_by_label("Заголовок", exact=True).fill(title)
    page.get_by_label("вопрос", exact=True).check()
    page.get_by_label("Текст", exact=True).fill(
        "Коллеги, как организовать проектную работу по теме «Проценты», чтобы успели все группы?"
    )
    page.get_by_label("Предмет", exact=True).select_option(label="Математика")
    page.get_by_label("Уровень образования", exact=True).select_option(value="basic")
    page.get_by_label("Класс", exact=True).fill("6 класс")
    page.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".question-panel .question-status")).to_contain_text("новый")
    return page.url.split("#")[0]


def test_a_teacher_asks_a_methodist_answers_from_the_queue_and_the_teacher_accepts_and_rates(
    new_context, live_server, axe_source
):
    title = f"Проектная работа по теме «Проценты» в 6 классе ({uuid.uuid4().hex[:6]})"
    teacher = new_context(user=TEACHER_EMAIL).new_page()
    question_url = _ask(teacher, live_server.url, title)

    methodist = new_context(user=METHODIST_EMAIL).new_page()
    methodist.goto(live_server.url + "/consultations/")
    assert axe_violations(methodist, axe_source) == [], describe_violations(axe_violations(methodist, axe_source))
    queue = methodist.locator("main")
    queue.get_by_role("link", name=title).click()
    methodist.get_by_role("button", name="Взять в работу").click()
    expect(methodist.locator(".flash").first).to_contain_text("Вопрос взят в работу")
    expect(methodist.locator(".question-panel .question-status")).to_contain_text("в работе")
    reply = methodist.locator("#reply")
    reply.get_by_label("Текст", exact=True).fill(
        "Разбейте класс на группы по 4 человека и дайте каждой свой магазин: скидки, наценки, налог. "
        "Защита — на следующем уроке, по 3 минуты."
    )
    reply.get_by_role("button", name="Отправить").click()
    answer = methodist.locator("#post-2")
    expect(answer).to_contain_text("Консультация методиста")
    expect(methodist.locator(".question-panel .question-status")).to_contain_text("отвечен")

    teacher.goto(question_url)
    teacher.locator("#post-2").get_by_role("button", name="Отметить как решение").click()
    expect(teacher.locator(".question-panel .question-status")).to_contain_text("решён")
    expect(teacher.locator(".question-solution")).to_contain_text("группы по 4 человека")
    teacher.get_by_label("Да, помогла").check()
    teacher.get_by_label("Комментарий (необязательно)").fill("Спасибо, попробую на следующей неделе.")
    teacher.get_by_role("button", name="Сохранить оценку").click()
    expect(teacher.get_by_label("Да, помогла")).to_be_checked()
    assert axe_violations(teacher, axe_source) == [], describe_violations(axe_violations(teacher, axe_source))

    # the methodist sees the rating; the queue no longer lists the question as waiting
    methodist.goto(question_url)
    expect(methodist.locator(".question-panel")).to_contain_text("Спасибо, попробую на следующей неделе.")
    methodist.goto(live_server.url + "/consultations/")
    expect(methodist.locator("main").get_by_role("link", name=title)).to_have_count(0)


def test_the_queue_and_a_question_fit_a_phone(new_context, live_server):
    page = new_context(user=METHODIST_EMAIL, viewport=PHONE, phone=True).new_page()
    page.goto(live_server.url + "/consultations/")
    assert wide_elements(page) == []
    page.locator("main").get_by_role("link", name="Как вы готовите пятиклассников к ВПР по математике?").click()
    expect(page.locator(".question-panel")).to_be_visible()
    assert wide_elements(page) == []
