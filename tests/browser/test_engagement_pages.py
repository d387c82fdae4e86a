"""The engagement pages in a real browser: axe-core (WCAG 2.1 A/AA) on desktop and a 360 px phone, and the «Полезно»
button pressed and released without JavaScript helpers."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app import policy
from app.auth.models import User
from app.discussions import engagement
from app.discussions.models import Post, Thread
from app.extensions import db
from tests.browser.conftest import DESKTOP, PHONE, TEACHER_EMAIL, axe_violations, describe_violations


def _a_post_by_someone_else(live_server) -> tuple[int, int]:
    """(thread id, post id) of a visible post the demo teacher may mark «Полезно»."""
    with live_server.app.test_request_context("/"):
        teacher = db.session.get(User, live_server.user_id(TEACHER_EMAIL))
        posts = db.session.scalars(
            sa.select(Post).join(Post.thread).where(
                Post.author_id != teacher.id, Post.deleted_at.is_(None), Post.hidden_at.is_(None),
                Thread.deleted_at.is_(None), Thread.hidden_at.is_(None),
            ).order_by(Post.id)
        )  # fmt: skip
        post = next(p for p in posts if policy.can_react(teacher, p))
        return post.thread_id, post.id


@pytest.mark.parametrize(("viewport", "size", "phone"), [("desktop", DESKTOP, False), ("phone", PHONE, True)])
@pytest.mark.parametrize("path", ["/unread", "/bookmarks", "thread", "useful"])
def test_engagement_pages_are_accessible(new_context, live_server, axe_source, path, viewport, size, phone):
    thread_id, post_id = _a_post_by_someone_else(live_server)
    path = {"thread": f"/threads/{thread_id}", "useful": f"/posts/{post_id}/useful"}.get(path, path)
    page = new_context(viewport=size, user=TEACHER_EMAIL, phone=phone).new_page()
    response = page.goto(live_server.url + path)
    assert response.status == 200, path
    violations = axe_violations(page, axe_source)
    assert not violations, f"axe on {path} ({viewport}):\n" + describe_violations(violations)
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path


def test_useful_button_presses_and_releases(new_context, live_server):
    thread_id, post_id = _a_post_by_someone_else(live_server)
    page = new_context(user=TEACHER_EMAIL).new_page()
    page.goto(f"{live_server.url}/threads/{thread_id}?page={_page(live_server, post_id)}")
    button = page.locator(f'form[action="/posts/{post_id}/useful"] button')
    before = button.get_attribute("aria-pressed")
    button.click()
    button = page.locator(f'form[action="/posts/{post_id}/useful"] button')
    expect(button).to_have_attribute("aria-pressed", "false" if before == "true" else "true")
    button.click()
    expect(page.locator(f'form[action="/posts/{post_id}/useful"] button')).to_have_attribute("aria-pressed", before)


def _page(live_server, post_id: int) -> int:
    with live_server.app.app_context():
        return engagement.page_of(db.session.get(Post, post_id).number)
