"""WCAG 2.1 A/AA by axe-core on the main pages, desktop and a 360 × 740 phone (which must not scroll sideways)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    ADMIN_EMAIL,
    DESKTOP,
    PHONE,
    TEACHER_EMAIL,
    axe_violations,
    describe_violations,
)

# (name, path, who is signed in); "{teacher_id}" is filled in with the demo teacher's id.
PAGES = [
    ("home", "/", None),
    ("home-signed-in", "/", TEACHER_EMAIL),
    ("associations", "/associations/", TEACHER_EMAIL),
    ("association", "/associations/rmo-matematika/", TEACHER_EMAIL),
    ("login", "/login", None),
    ("register", "/register", None),
    ("profile", "/users/{teacher_id}", TEACHER_EMAIL),
    ("settings", "/settings", TEACHER_EMAIL),
    ("admin", "/admin/", ADMIN_EMAIL),
    ("admin-users", "/admin/users", ADMIN_EMAIL),
    ("admin-associations", "/admin/associations", ADMIN_EMAIL),
    ("admin-audit", "/admin/audit", ADMIN_EMAIL),
    ("not-found", "/no-such-page", None),
]
VIEWPORTS = [("desktop", DESKTOP, False), ("phone", PHONE, True)]


@pytest.mark.parametrize(("viewport", "size", "phone"), VIEWPORTS, ids=[v[0] for v in VIEWPORTS])
@pytest.mark.parametrize(("name", "path", "user"), PAGES, ids=[p[0] for p in PAGES])
def test_page_is_accessible(new_context, live_server, axe_source, name, path, user, viewport, size, phone):
    page = new_context(viewport=size, user=user, phone=phone).new_page()
    url = live_server.url + path.format(teacher_id=live_server.user_id(TEACHER_EMAIL))
    response = page.goto(url)
    expected_status = 404 if name == "not-found" else 200
    assert response.status == expected_status, f"{url} answered {response.status}"
    assert page.url == url, f"{url} redirected to {page.url}"

    violations = axe_violations(page, axe_source)
    assert not violations, f"axe found WCAG 2.1 A/AA problems on {url} ({viewport}):\n" + describe_violations(
        violations
    )
    if phone:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= PHONE["width"], (
            f"{url} scrolls sideways on a phone: {scroll_width}px wide; too wide:\n" + "\n".join(wide_elements(page))
        )


def wide_elements(page) -> list[str]:
    """The innermost elements sticking out past the right edge of the screen, to say what to fix."""
    return page.evaluate(
        """() => {
            const limit = document.documentElement.clientWidth;
            const wide = [...document.body.querySelectorAll('*')]
                .filter(el => el.getBoundingClientRect().right > limit + 0.5);
            return wide.filter(el => !wide.some(other => other !== el && el.contains(other)))
                .slice(0, 10)
                .map(el => `${el.outerHTML.slice(0, 160)} → ${Math.round(el.getBoundingClientRect().right)}px`);
        }"""
    )


# Forms sent back with errors: the messages must be tied to their fields and the page must stay accessible.
FORMS_WITH_ERRORS = [
    ("login", "/login", {"Электронная почта": "teacher@example.org", "Пароль": "not-the-password"}),
    ("register", "/register", {"Электронная почта": "not-an-address"}),
]


@pytest.mark.parametrize(("name", "path", "values"), FORMS_WITH_ERRORS, ids=[f[0] for f in FORMS_WITH_ERRORS])
def test_form_with_errors_is_accessible(new_context, live_server, axe_source, name, path, values):
    page = new_context().new_page()
    page.goto(live_server.url + path)
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("main form button[type=submit]").click()
    assert posted.value.status == 400
    expect(page.locator("main .error").first).to_be_visible()
    invalid = page.locator("[aria-invalid=true]").all()
    assert invalid, "no field is marked aria-invalid"
    for field in invalid:
        described_by = field.get_attribute("aria-describedby") or ""
        errors = [i for i in described_by.split() if page.locator(f"#{i}.error").count()]
        assert errors, f"{field.get_attribute('id')} is invalid but no error message describes it"

    violations = axe_violations(page, axe_source)
    assert not violations, f"axe found WCAG 2.1 A/AA problems on {path} with errors:\n" + describe_violations(
        violations
    )
