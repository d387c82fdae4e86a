"""Search in Chromium: a visitor types a query with another word form into the header's box and finds the thread,
the words highlighted; the results page passes axe-core."""

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, axe_violations, describe_violations


def test_search_from_the_header_finds_other_word_forms(new_context, live_server):
    page = new_context(viewport=DESKTOP).new_page()
    page.goto(live_server.url + "/associations/")
    box = page.get_by_role("search", name="Поиск по сайту")
    box.get_by_label("Поиск по обсуждениям").fill("подготовка пятиклассника к ВПР")
    box.get_by_role("button", name="Найти").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Поиск по обсуждениям")
    expect(page.get_by_role("main").get_by_label("Что найти")).to_have_value("подготовка пятиклассника к ВПР")
    result = page.locator(".search-result").filter(has_text="Как вы готовите пятиклассников к ВПР по математике?")
    expect(result).to_have_count(1)
    expect(result.locator("h2 mark")).to_have_text(["пятиклассников", "ВПР"])
    result.get_by_role("link", name="Как вы готовите пятиклассников к ВПР по математике?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Как вы готовите пятиклассников к ВПР по математике?")

    page.go_back()
    violations = axe_violations(page, "search results")
    assert not violations, describe_violations(violations)
