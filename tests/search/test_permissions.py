"""What a user may not read never shows: not in results, totals, snippets or similar questions. Members-only
associations (outsiders, visitors, pending members), hidden and deleted posts and threads."""

import pytest

from app.associations.models import MembershipStatus, Visibility
from app.auth.models import Role
from app.db import utcnow
from app.discussions.models import ThreadKind
from app.extensions import db
from app.search.queries import search, similar_questions
from tests.factories import make_association, make_membership, make_post, make_thread, make_user

SECRET = "Секретная тема про медиацию"


@pytest.fixture
def closed():
    leader = make_user()
    association = make_association(visibility=Visibility.MEMBERS, members=[leader])
    thread = make_thread(leader, association, title=SECRET, body="Медиация в школе.", kind=ThreadKind.QUESTION)
    make_post(thread, leader, body="Ответ про медиацию.")
    return association, leader, thread


def _everything(user, query="медиация"):
    results = search(user, query)
    return results.total, [str(hit.snippet) + str(hit.title) for hit in results.hits]


@pytest.mark.parametrize("who", ["visitor", "outsider", "pending member"])
def test_members_only_associations_are_not_searched_by_others(closed, who):
    association, _leader, _thread = closed
    user = make_user()
    if who == "visitor":
        from flask_login import AnonymousUserMixin

        user = AnonymousUserMixin()
    elif who == "pending member":
        make_membership(user, association, status=MembershipStatus.PENDING)
    assert _everything(user) == (0, [])
    assert similar_questions(user, "медиация в школе") == []


@pytest.mark.parametrize("who", ["member", "admin"])
def test_members_and_admins_find_them(client, login, closed, who):
    _association, leader, thread = closed
    user = leader if who == "member" else make_user(role=Role.ADMIN)
    total, texts = _everything(user)
    assert total == 1 and "медиаци" in texts[0].lower()
    assert [hit.thread_id for hit in similar_questions(user, "Медиация конфликтов")] == [thread.id]
    login(user)
    db.session.commit()
    assert "Секретная тема" in client.get("/search?q=медиация").get_data(as_text=True)


def test_the_page_shows_an_outsider_nothing(client, login, closed):
    login(make_user())
    db.session.commit()
    body = client.get("/search?q=медиация").get_data(as_text=True)
    assert "Секретная" not in body
    assert 'class="search-result"' not in body
    assert "Ничего не найдено" in body


def test_hidden_and_deleted_posts_show_nowhere():
    writer = make_user()
    association = make_association(members=[writer])
    thread = make_thread(writer, association, title="Открытая тема про ассесмент", body="Ассесмент: начало.",
                         kind=ThreadKind.QUESTION)  # fmt: skip
    hidden = make_post(thread, writer, body="Ассесмент и тайное слово кракозябра.")
    deleted = make_post(thread, writer, body="Ассесмент и удалённое слово бармаглот.")
    hidden.hidden_at = utcnow()
    deleted.deleted_at = utcnow()
    db.session.flush()
    reader = make_user()
    assert search(reader, "кракозябра").total == 0
    assert search(reader, "бармаглот").total == 0
    results = search(reader, "ассесмент")
    assert results.total == 1
    assert "кракозябр" not in str(results.hits[0].snippet) and "бармаглот" not in str(results.hits[0].snippet)
    assert search(make_user(role=Role.ADMIN), "кракозябра").total == 0  # hidden is hidden for everyone here


def test_similar_questions_leave_out_hidden_deleted_and_unanswered_questions():
    writer = make_user()
    association = make_association(members=[writer])
    answered = make_thread(writer, association, title="Как вести портфолио ученика", kind=ThreadKind.QUESTION)
    make_post(answered, writer, body="Ответ.")
    unanswered = make_thread(writer, association, title="Портфолио ученика: шаблон", kind=ThreadKind.QUESTION)
    hidden = make_thread(writer, association, title="Портфолио ученика: скрытое", kind=ThreadKind.QUESTION)
    make_post(hidden, writer, body="Ответ.")
    hidden.hidden_at = utcnow()
    discussion = make_thread(writer, association, title="Портфолио ученика: обсуждение")
    make_post(discussion, writer, body="Ответ.")
    db.session.flush()
    found = [hit.thread_id for hit in similar_questions(make_user(), "Портфолио ученика 7 класса")]
    assert found == [answered.id]
    assert unanswered.id not in found


def test_posts_held_for_pre_moderation_show_nowhere_until_approved():
    """A held post (discussions.services.HOLD_CHECKS) is hidden: out of results, totals, snippets and similar
    questions for everyone but nothing else changes when it is approved (hidden_at and held_at cleared)."""
    from app.discussions import services

    newcomer, colleague = make_user(), make_user()
    association = make_association(members=[newcomer, colleague])
    saved = list(services.HOLD_CHECKS)
    services.HOLD_CHECKS.append(lambda user, where: user.id == newcomer.id)
    try:
        thread = make_thread(newcomer, association, title="Медиация: вопрос новичка", kind=ThreadKind.QUESTION)
        other = make_thread(colleague, association, title="Школьная служба примирения", body="Текст.")
        make_post(other, newcomer, body="Медиация помогает, проверено.")
    finally:
        services.HOLD_CHECKS[:] = saved
    make_post(thread, colleague, body="Ответ коллеги.")
    for user in (colleague, make_user(Role.ADMIN)):
        assert _everything(user) == (0, [])
        assert similar_questions(user, "Медиация: вопрос новичка") == []
    for post in db.session.scalars(db.select(services.Post).where(services.Post.held_at.is_not(None))):
        post.held_at = post.hidden_at = None
    thread.held_at = thread.hidden_at = None
    db.session.flush()
    assert _everything(colleague)[0] == 2
