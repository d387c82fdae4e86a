"""Signing in and out through the real login page, in Chromium, with CSRF on."""

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, TEACHER_EMAIL, sign_in


def test_teacher_signs_in_and_out(page, live_server, sessions):
    sign_in(page, live_server.url, TEACHER_EMAIL, DEMO_PASSWORD)
    assert page.url == f"{live_server.url}/"
    expect(page.get_by_role("heading", name="Мои объединения")).to_be_visible()
    logout = page.get_by_role("banner").get_by_role("button", name="Выйти")
    expect(logout).to_be_visible()
    page.get_by_role("banner").get_by_role("link", name="Мой профиль").click()
    assert page.url == f"{live_server.url}/users/{live_server.user_id(TEACHER_EMAIL)}"
    expect(page.get_by_role("heading", level=1)).to_contain_text(live_server.user_name(TEACHER_EMAIL))

    logout.click()
    sessions.forget(TEACHER_EMAIL)  # logging out voids every session of the user, the cached one too
    expect(page.get_by_role("status")).to_have_text("Вы вышли из системы.")
    expect(page.get_by_role("banner").get_by_role("link", name="Войти")).to_be_visible()
    expect(page.get_by_role("button", name="Выйти")).to_have_count(0)
    page.goto(f"{live_server.url}/settings")
    assert page.url.startswith(f"{live_server.url}/login")


def test_wrong_password_shows_the_error_beside_the_field_and_keeps_the_email(page, live_server):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Электронная почта", exact=True).fill(TEACHER_EMAIL)
    page.get_by_label("Пароль", exact=True).fill("not-the-password")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("main form").get_by_role("button", name="Войти").click()
    assert posted.value.status == 400

    password = page.get_by_label("Пароль", exact=True)
    error = page.locator("#password-error")
    expect(error).to_have_text("Неверный адрес электронной почты или пароль.")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", "password-error")
    expect(password).to_have_value("")
    expect(page.get_by_label("Электронная почта", exact=True)).to_have_value(TEACHER_EMAIL)
    expect(page.get_by_role("alert")).to_contain_text("Проверьте поля формы")
    expect(page.get_by_role("button", name="Выйти")).to_have_count(0)


def test_skip_link_is_the_first_tab_stop_and_moves_to_the_content(page, live_server):
    page.goto(f"{live_server.url}/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Перейти к содержимому")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("document.activeElement.id") == "main"
