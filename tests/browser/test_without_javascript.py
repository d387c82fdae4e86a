"""The site works with JavaScript switched off: forms are plain HTML forms."""

from playwright.sync_api import expect

from tests.browser.conftest import TEACHER_EMAIL, sign_in


def test_login_form_works_without_javascript(new_context, live_server):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server.url, TEACHER_EMAIL)
    assert page.url == f"{live_server.url}/"
    expect(page.get_by_role("banner").get_by_role("button", name="Выйти")).to_be_visible()


def test_language_switch_works_without_javascript(new_context, live_server):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/login")
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    page.get_by_label("Язык").select_option("en")
    page.get_by_role("contentinfo").get_by_role("button").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/login"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#language-select")).to_have_value("en")

    page.goto(f"{live_server.url}/")  # the choice is remembered
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#language-select").select_option("ru")
    page.get_by_role("contentinfo").get_by_role("button").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
