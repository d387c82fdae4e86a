"""Private questions: only the asker, methodists, the association's leaders and admins see them; every page, list,
count, search result, feed and attachment shows nothing of them to anyone else (404 where a page is asked for)."""

import pytest

from app.consultations import services
from app.db import utcnow
from app.discussions import engagement, unread
from app.discussions.attachments import attach_uploads
from app.discussions.models import ThreadKind
from app.extensions import db
from app.search.queries import search, similar_questions
from tests.consultations.conftest import text
from tests.discussions.attachment_files import pdf_bytes, upload
from tests.factories import make_post, make_thread, make_user

SECRET = "Квазистационарность"  # a word only the private question holds
TITLE = f"{SECRET}: как объяснить родителям оценку за полугодие?"


@pytest.fixture
def private(world, uploads):
    """A private question by the asker with a methodist's answer carrying a file, beside the public one."""
    association = world["association"]
    before = (association.thread_count, association.post_count)
    thread = make_thread(world["asker"], association, kind=ThreadKind.QUESTION, title=TITLE,
                         body=f"{SECRET} — подробности моего вопроса.", private=True)  # fmt: skip
    answer = make_post(thread, world["methodist"], body=f"Ответ про {SECRET}.")
    (attachment,) = attach_uploads(world["methodist"], answer, [upload(pdf_bytes(), "Памятка.pdf")])
    db.session.commit()
    return {"thread": thread, "answer": answer, "attachment": attachment, "counts_before": before}


SEERS = ("asker", "methodist", "leader", "admin")
OUTSIDERS = ("colleague", "stranger")


def _client(role, world, signed_in, client):
    if role == "visitor":
        return client
    if role == "stranger":
        world.setdefault("stranger", make_user())
        db.session.commit()
    return signed_in(world[role])


@pytest.mark.parametrize("role", [*SEERS, *OUTSIDERS, "visitor"])
def test_its_page_post_links_and_files_are_only_for_those_who_may_see_it(role, world, private, signed_in, client):
    browser = _client(role, world, signed_in, client)
    thread, answer, attachment = private["thread"], private["answer"], private["attachment"]
    urls = [f"/threads/{thread.id}", f"/attachments/{attachment.id}/Памятка.pdf", f"/posts/{answer.id}/useful",
            f"/threads/{thread.id}?view=tree"]  # fmt: skip
    expected = 200 if role in SEERS else 404
    for url in urls:
        response = browser.get(url, follow_redirects=True)
        assert response.status_code == expected, url
        if expected == 404:
            assert SECRET not in text(response)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_cannot_reply_watch_or_act_on_it(role, world, private, signed_in):
    browser = _client(role, world, signed_in, None)
    thread = private["thread"]
    for url, data in ((f"/threads/{thread.id}/reply", {"body": "Можно и мне?"}),
                      (f"/threads/{thread.id}/watch", {"level": "watching"}),
                      (f"/posts/{private['answer'].id}/bookmark", {}),
                      (f"/threads/{thread.id}/question/accept", {"post_number": 2})):  # fmt: skip
        assert browser.post(url, data=data).status_code == 404, url
    assert thread.reply_count == 1


def test_the_association_page_lists_it_for_seers_and_for_its_asker_apart(world, private, signed_in, client):
    slug = world["association"].slug
    for role in ("methodist", "leader", "admin"):
        page = text(signed_in(world[role]).get(f"/associations/{slug}/"))
        assert TITLE in page and "личный" in page, role
    asker_page = text(signed_in(world["asker"]).get(f"/associations/{slug}/"))
    assert "Ваши личные вопросы" in asker_page and TITLE in asker_page
    for browser in (signed_in(world["colleague"]), client):
        page = text(browser.get(f"/associations/{slug}/"))
        assert TITLE not in page and "Ваши личные вопросы" not in page
        assert world["thread"].title in page  # the public question is listed


def test_it_stays_out_of_the_association_counters(world, private):
    association = world["association"]
    db.session.refresh(association)
    assert (association.thread_count, association.post_count) == private["counts_before"]


def test_search_and_similar_questions_show_it_only_to_seers(app, world, private):
    with app.test_request_context("/"):
        for role in SEERS:
            assert search(world[role], SECRET).total == 1, role
            assert [hit.thread_id for hit in similar_questions(world[role], TITLE)] == [private["thread"].id]
        for user in (world["colleague"], make_user()):
            assert search(user, SECRET).total == 0
            assert similar_questions(user, TITLE) == []
        from flask_login import AnonymousUserMixin

        assert search(AnonymousUserMixin(), SECRET).total == 0


def test_the_search_page_shows_no_trace_to_outsiders(world, private, signed_in, client):
    for browser in (signed_in(world["colleague"]), client):
        page = text(browser.get(f"/search?q={SECRET}"))
        assert "объяснить родителям" not in page and "подробности моего вопроса" not in page
    assert "объяснить родителям" in text(signed_in(world["methodist"]).get(f"/search?q={SECRET}"))


def test_feeds_never_carry_it(world, private, client):
    slug = world["association"].slug
    feed = client.get(f"/associations/{slug}/feed.atom")
    assert feed.status_code == 200 and SECRET not in text(feed)
    assert client.get(f"/threads/{private['thread'].id}/feed.atom").status_code == 404


def test_unread_and_home_lists_leave_it_out_for_colleagues(app, world, private, signed_in, client):
    colleague = world["colleague"]
    with app.test_request_context("/"):
        listed = [row.thread.id for row in unread.unread_threads(colleague).items]
        assert private["thread"].id not in listed and world["thread"].id in listed
        assert private["thread"].id not in [row.id for row in unread.activity_in_my_associations(colleague)]
        assert private["thread"].id not in [row.id for row in unread.public_activity()]
        leader = world["leader"]
        assert private["thread"].id in [row.id for row in unread.activity_in_my_associations(leader)]
    assert TITLE not in text(signed_in(colleague).get("/"))
    assert TITLE not in text(signed_in(colleague).get("/unread"))
    assert TITLE not in text(client.get("/"))


def test_a_bookmark_does_not_outlive_the_right_to_see_it(app, world, private):
    """A methodist bookmarks the answer, then is no longer a methodist: the bookmark is no longer listed."""
    from app.auth.models import Role

    methodist = world["methodist"]
    engagement.set_bookmark(methodist, private["answer"], True)
    db.session.commit()
    with app.test_request_context("/"):
        assert [b.post_id for b in engagement.bookmarks_of(methodist).items] == [private["answer"].id]
        methodist.role = Role.TEACHER
        db.session.commit()
        assert engagement.bookmarks_of(methodist).items == []


def test_the_consultation_queue_shows_it_to_methodists_and_to_its_asker_only(world, private, signed_in):
    assert TITLE in text(signed_in(world["methodist"]).get("/consultations/?scope=all&status=all"))
    assert TITLE in text(signed_in(world["asker"]).get("/consultations/"))
    assert TITLE not in text(signed_in(world["colleague"]).get("/consultations/"))


def test_only_a_question_can_be_private(world):
    from app.discussions.services import DiscussionError

    with pytest.raises(DiscussionError):
        make_thread(world["asker"], world["association"], kind=ThreadKind.DISCUSSION, private=True)


def test_a_private_question_is_still_a_consultation(world, private):
    question = services.question_of(private["thread"])
    assert question.first_answer_at is not None and question.first_answer_at <= utcnow()
