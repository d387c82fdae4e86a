"""Search in Chromium: a visitor types a query with other word forms into the header's box and finds the thread with
the words highlighted; the search page passes axe-core on a desktop and on a 360 px phone without scrolling sideways."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, TEACHER_EMAIL, axe_violations, describe_violations
from tests.browser.test_accessibility import wide_elements

TITLE = "Как вы готовите пятиклассников к ВПР по математике?"


def test_search_from_the_header_finds_other_word_forms(new_context, live_server):
    page = new_context(viewport=DESKTOP).new_page()
    page.goto(live_server.url + "/associations/")
    box = page.get_by_role("search", name="Поиск по сайту")
    box.get_by_label("Поиск по обсуждениям").fill("подготовка пятиклассника к ВПР")
    box.get_by_role("button", name="Найти").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Поиск по обсуждениям")
    expect(page.get_by_role("main").get_by_label("Что найти")).to_have_value("подготовка пятиклассника к ВПР")
    result = page.locator(".search-result").filter(has_text=TITLE)
    expect(result).to_have_count(1)
    expect(result.locator("h2 mark")).to_have_text(["пятиклассников", "ВПР"])
    result.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


VIEWPORTS = [("desktop", DESKTOP, False), ("phone", PHONE, True)]
QUERIES = {"tips": "", "results": "?q=ВПР", "stop-words": "?q=и+в+на", "bad-date": "?q=урок&date_from=вчера"}


@pytest.mark.parametrize(("viewport", "size", "phone"), VIEWPORTS, ids=[v[0] for v in VIEWPORTS])
@pytest.mark.parametrize("query", list(QUERIES.values()), ids=list(QUERIES))
def test_search_page_is_accessible(new_context, live_server, axe_source, query, viewport, size, phone):
    page = new_context(viewport=size, user=TEACHER_EMAIL, phone=phone).new_page()
    response = page.goto(live_server.url + "/search" + query)
    assert response.status == 200
    violations = axe_violations(page, axe_source)
    assert not violations, describe_violations(violations)
    if phone:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "\n".join(wide_elements(page))
