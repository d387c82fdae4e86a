"""Change stamps (app/stamps.py): every write that changes what an association's lists or a user's lists show raises
the right stamp, on both databases, whichever way it is written; and results kept under them are never stale."""

import pytest
import sqlalchemy as sa

from app.associations import services as association_services
from app.associations.models import Association, MemberRole
from app.auth.models import User
from app.directory.models import EducationLevel, School, Subject
from app.discussions import editing, engagement, services, unread
from app.discussions.models import Attachment, Post, Thread, WatchLevel
from app.extensions import db
from app.stamps import written_in_this_transaction
from tests.factories import (
    make_association,
    make_membership,
    make_post,
    make_school,
    make_subject,
    make_thread,
    make_user,
)


def _version(model, row_id: int) -> int:
    column = model.view_version if model is User else model.content_version
    db.session.flush()
    return db.session.connection().execute(sa.select(column).where(model.id == row_id)).scalar_one()


@pytest.fixture
def world():
    school = make_school(name="Школа № 1")
    subject = make_subject(name="Физика")
    association = make_association(school=school)
    other = make_association()
    author, reader = make_user(), make_user()
    make_membership(author, association)
    make_membership(reader, association)
    thread = make_thread(author, association, title="Тема для штампов")
    db.session.commit()
    return {"school": school, "subject": subject, "association": association, "other": other, "author": author,
            "reader": reader, "thread": thread}  # fmt: skip


ASSOCIATION_CHANGES = {
    "a reply (the thread's counters)": lambda w: make_post(w["thread"], w["reader"]),
    "a new thread": lambda w: make_thread(w["reader"], w["association"]),
    "a thread retitled (ORM)": lambda w: setattr(w["thread"], "title", "Новое название темы"),
    "a thread pinned (Core UPDATE)": lambda w: db.session.execute(
        sa.update(Thread).where(Thread.id == w["thread"].id).values(pinned_at=sa.func.now())
    ),
    "a tag added": lambda w: w["thread"].tags.extend(services.get_or_create_tags(["новый-тег"])),
    "a member joins": lambda w: make_membership(make_user(), w["association"]),
    "a member becomes leader": lambda w: setattr(
        association_services._membership_of(w["reader"], w["association"]), "role", MemberRole.LEADER
    ),
    "a member leaves": lambda w: association_services.leave_association(w["reader"], w["association"]),
    "the association renamed": lambda w: setattr(w["association"], "name", "Переименованное объединение"),
    "a subject added": lambda w: w["association"].subjects.append(w["subject"]),
    "a level added": lambda w: w["association"].set_levels([EducationLevel.PRIMARY]),
    "its school renamed": lambda w: setattr(db.session.get(School, w["school"].id), "short_name", "Школа 1"),
    "a member renamed": lambda w: setattr(w["reader"], "full_name", "Другое Имя Участника"),
    "a thread deleted": lambda w: db.session.delete(w["thread"]),
}


def test_a_subject_renamed_raises_the_stamp_of_its_associations_only(world):
    world["association"].subjects.append(world["subject"])
    db.session.commit()
    mine, other = _version(Association, world["association"].id), _version(Association, world["other"].id)
    db.session.get(Subject, world["subject"].id).name = "Физика и астрономия"
    assert _version(Association, world["association"].id) > mine
    assert _version(Association, world["other"].id) == other


def test_what_lists_do_not_show_leaves_the_stamps_alone(world):
    association, reader = world["association"], world["reader"]
    before = _version(Association, association.id), _version(Association, world["other"].id)
    reader.last_seen_at = sa.func.now()  # written on many requests
    reader.position = "Учитель физики"
    make_post(make_thread(association=world["other"]), reader)  # another association's thread
    assert _version(Association, association.id) == before[0]
    assert _version(Association, world["other"].id) > before[1]


USER_CHANGES = {
    "reads a thread (Core INSERT … ON CONFLICT)": lambda w: services.mark_read(
        w["reader"], w["thread"], number=1, reader=None
    ),
    "follows a thread": lambda w: engagement.set_thread_watch(w["reader"], w["thread"], WatchLevel.WATCHING),
    "mutes the association": lambda w: engagement.set_association_watch(
        w["reader"], w["association"], WatchLevel.MUTED
    ),
    "marks everything read (INSERT … SELECT)": lambda w: unread.mark_all_read(w["reader"]),
    "joins an association": lambda w: make_membership(w["reader"], w["other"]),
    "leaves an association": lambda w: association_services.leave_association(w["reader"], w["association"]),
}


def _opening_post(w):
    return db.session.scalar(sa.select(Post).where(Post.thread_id == w["thread"].id, Post.number == 1))


def _attach(w):
    file = Attachment(post_id=_opening_post(w).id, display_name="план.pdf", stored_name="stamp-test.pdf",
                      content_type="application/pdf", size=10, sha256="0" * 64)  # fmt: skip
    db.session.add(file)


THREAD_CHANGES = {
    "a reply posted": lambda w: make_post(w["thread"], w["reader"]),
    "a post edited": lambda w: editing.edit_post(w["author"], _opening_post(w), body="Исправленный текст темы"),
    "a post found useful (Core UPDATE of its count)": lambda w: engagement.set_useful(
        w["reader"], _opening_post(w), True
    ),
    "a file attached": _attach,
    "a post's author removed": lambda w: db.session.delete(w["author"]),
}

# each change → (the stamped table, whose row: the world's key)
STAMPED = {
    **{name: (Thread, "thread", change) for name, change in THREAD_CHANGES.items()},
    **{name: (Association, "association", change) for name, change in ASSOCIATION_CHANGES.items()},
    **{name: (User, "reader", change) for name, change in USER_CHANGES.items()},
}


@pytest.mark.parametrize("change", STAMPED, ids=list(STAMPED))
def test_each_change_to_what_lists_show_raises_its_stamp(world, change):
    model, whose, make_change = STAMPED[change]
    before = _version(model, world[whose].id)
    make_change(world)
    assert _version(model, world[whose].id) > before


def test_a_new_row_starts_its_stamp_from_the_clock_so_a_reused_id_never_meets_old_stamps():
    first, second = make_association(), make_association()
    assert second.content_version > first.content_version > 10**12
    assert make_user().view_version > 10**12


def test_a_transaction_that_wrote_is_known(app, world):
    db.session.commit()
    db.session.execute(sa.select(1))
    assert not written_in_this_transaction()
    world["thread"].title = "Запись в этой транзакции"
    db.session.flush()
    assert written_in_this_transaction()
    db.session.commit()
    db.session.execute(sa.select(1))
    assert not written_in_this_transaction()


def _question_world(world):
    from app.consultations import services as consultations
    from app.discussions.models import ThreadKind

    thread = make_thread(world["author"], world["association"], kind=ThreadKind.QUESTION, title="Вопрос для штампов")
    question = consultations.question_of(thread)
    question.subject_id = world["subject"].id
    answer = make_post(thread, world["reader"])
    db.session.commit()
    return thread, question, answer


def _endorse(question, answer):
    from app.consultations.models import AnswerEndorsement

    db.session.add(AnswerEndorsement(post_id=answer.id, methodist_id=make_user().id, thread_id=question.thread_id))


def _publish(question, answer):
    from app.consultations.models import KnowledgeEntry

    question.accepted_post_id = answer.id
    db.session.add(KnowledgeEntry(thread_id=question.thread_id, title="Краткий заголовок"))


QUESTION_CHANGES = {
    "its status": lambda q, a: setattr(q, "status", "in_progress"),
    "its rating": lambda q, a: setattr(q, "rating_comment", "Помогло"),
    "an event": lambda q, a: __import__("app.consultations.services", fromlist=["x"])._record(q, "taken", None),
    "an endorsement": _endorse,
    "a knowledge-base entry": _publish,
    "its subject renamed": lambda q, a: setattr(db.session.get(Subject, q.subject_id), "name", "Астрономия"),
}


@pytest.mark.parametrize("change", QUESTION_CHANGES, ids=list(QUESTION_CHANGES))
def test_each_change_to_a_question_raises_its_threads_stamp(world, change):
    """The question's panel is kept under the thread's stamp (consultations.queries.question_panel)."""
    thread, question, answer = _question_world(world)
    before = _version(Thread, thread.id)
    QUESTION_CHANGES[change](question, answer)
    assert _version(Thread, thread.id) > before
