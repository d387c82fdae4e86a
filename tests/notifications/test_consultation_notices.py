"""Notifications from consultations and from the leaders' queue: each transition of a question tells whom it
concerns (the asker, an answer's author, the methodists of its subjects and levels, the methodist given it), only
those who may read it, never about a held or hidden question; reports and held posts tell the association's leaders;
the scheduled notices (reminder, due soon, overdue) go out once each, at the times the working-time clock says."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app import policy
from app.associations.models import MemberRole, Visibility
from app.auth.models import Role, User, UserStatus
from app.consultations import queue, reminders, services
from app.consultations.models import QuestionEvent, QuestionEventKind, QuestionStatus
from app.directory.models import EducationLevel
from app.discussions.models import Post, Thread, ThreadKind
from app.extensions import db
from app.mail import worker
from app.moderation import premoderation, reports
from app.moderation.models import ReportReason
from app.moderation.threads import hide_thread
from app.notifications.models import Notification
from app.notifications.texts import notice_text
from tests.factories import make_association, make_membership, make_post, make_subject, make_thread, make_user

BASIC, SECONDARY = EducationLevel.BASIC, EducationLevel.SECONDARY
# Instants are written in UTC (Moscow is UTC+3 all year). A question asked on Monday 3 March 2025 at 10:00 in
# Moscow: its 48 working hours run out on Wednesday at 10:00.
ASKED = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)
DEADLINE = datetime(2025, 3, 5, 7, 0, tzinfo=UTC)


@pytest.fixture
def district():
    physics, chemistry = make_subject("Физика"), make_subject("Химия")
    asker, colleague, leader = make_user(full_name="Автор Вопроса"), make_user(), make_user()
    association = make_association(leader=leader, members=[asker, colleague])
    methodists = {}
    for name, subjects, levels in (("physics", [physics], [BASIC]), ("chemistry", [chemistry], [BASIC]),
                                   ("senior", [physics], [SECONDARY]), ("undeclared", [], [])):  # fmt: skip
        methodist = make_user(Role.METHODIST, full_name=f"Методист {name}")
        methodist.subjects.extend(subjects)
        methodist.set_levels(levels)
        methodists[name] = methodist
    other_leader = make_user()
    make_association(leader=other_leader)
    admin = make_user(Role.ADMIN)
    db.session.commit()
    return {"physics": physics, "chemistry": chemistry, "asker": asker, "colleague": colleague, "leader": leader,
            "association": association, "methodists": methodists, "other_leader": other_leader,
            "admin": admin}  # fmt: skip


def ask(district, *, subject="physics", level=BASIC, private=False, author=None, association=None):
    subject_id = district[subject].id if subject else None
    thread = make_thread(author or district["asker"], association or district["association"],
                         kind=ThreadKind.QUESTION, private=private,
                         details={"subject_id": subject_id, "level": level})  # fmt: skip
    return services.question_of(thread)


def notices(kind=None, thread=None) -> list[tuple]:
    """(recipient id, kind, actor id, post id, params) of the notifications made, oldest first."""
    stmt = sa.select(Notification).order_by(Notification.id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    if thread is not None:
        stmt = stmt.where(Notification.thread_id == thread.id)
    return [(n.user_id, n.kind, n.actor_id, n.post_id, n.params) for n in db.session.scalars(stmt)]


def told(kind, thread=None) -> list[int]:
    return sorted(user_id for user_id, *_rest in notices(kind, thread))


def ids(*users) -> list[int]:
    return sorted(user.id for user in users)


def opening_post(thread) -> Post:
    return db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))


# --- a new question ---------------------------------------------------------------------------------------------


def test_a_new_question_tells_the_methodists_its_subject_and_level_are_for_as_the_queue_lists_them(district):
    m = district["methodists"]
    question = ask(district)
    thread = question.thread
    assert notices("question_new", thread) == [
        (m["physics"].id, "question_new", district["asker"].id, opening_post(thread).id, {})
    ]

    loose = ask(district, subject=None, level=None)  # no subject or level: every methodist's queue has it
    assert told("question_new", loose.thread) == ids(*m.values())
    physics_any_level = ask(district, level=None)
    assert told("question_new", physics_any_level.thread) == ids(m["physics"], m["senior"])

    # The same rule as the queue's «мои предметы»: those told are exactly those whose queue lists the question.
    for asked in (question, loose, physics_any_level):
        listed = [
            methodist.id
            for methodist in m.values()
            if asked.thread_id in {row.id for row in queue.methodist_queue(methodist, queue.Filters(), 1).items}
        ]
        assert sorted(listed) == told("question_new", asked.thread)


def test_a_members_only_association_tells_only_the_methodists_who_may_read_it(district):
    m = district["methodists"]
    closed = make_association(visibility=Visibility.MEMBERS, members=[district["asker"], m["senior"]])
    question = ask(district, subject=None, level=None, association=closed)
    assert told("question_new", question.thread) == ids(m["senior"])


def test_a_private_question_tells_only_those_who_may_read_it(district):
    m = district["methodists"]
    question = ask(district, subject=None, level=None, private=True)
    thread = question.thread
    services.take_question(m["physics"], question)
    answer = make_post(thread, m["physics"], body="Ответ методиста.")
    services.assign_question(district["leader"], question, m["chemistry"])
    services.close_question(district["admin"], question, QuestionEventKind.CLOSED_RESOLVED)
    everyone = notices(thread=thread)
    assert {kind for _u, kind, *_ in everyone} >= {"question_new", "question_taken", "question_answered",
                                                   "question_assigned", "question_closed"}  # fmt: skip
    for user_id, *_rest in everyone:
        assert policy.can_view_thread(db.session.get(User, user_id), thread)
    assert district["colleague"].id not in {user_id for user_id, *_ in everyone}
    assert (district["asker"].id, "question_answered", m["physics"].id, answer.id, {}) in everyone


def test_a_held_question_tells_the_leaders_and_no_methodist_until_it_is_approved(district):
    association, m = district["association"], district["methodists"]
    association.premoderation_posts = 1
    newcomer = make_user()
    make_membership(newcomer, association)
    question = ask(district, author=newcomer)
    thread = question.thread
    assert thread.held_at is not None
    assert told("question_new", thread) == []
    opening = opening_post(thread)
    assert notices("post_held", thread) == [(district["leader"].id, "post_held", newcomer.id, opening.id, {})]

    assert premoderation.approve_post(district["leader"], opening)
    assert told("question_new", thread) == ids(m["physics"])
    assert not premoderation.approve_post(district["leader"], opening)  # a second click changes nothing
    assert told("question_new", thread) == ids(m["physics"])


def test_a_held_reply_tells_the_leaders(district):
    association = district["association"]
    question = ask(district)
    association.premoderation_posts = 5
    newcomer = make_user()
    make_membership(newcomer, association)
    held = make_post(question.thread, newcomer, body="А у меня так.")
    assert held.held_at is not None
    assert notices("post_held", question.thread) == [(district["leader"].id, "post_held", newcomer.id, held.id, {})]


# --- the asker and the answers' authors ---------------------------------------------------------------------------


def test_taking_and_assigning_tell_the_asker_once_and_the_methodist_given_it(district):
    m, asker, leader = district["methodists"], district["asker"], district["leader"]
    question = ask(district, subject=None, level=None)
    services.take_question(m["physics"], question)
    assert notices("question_taken") == [(asker.id, "question_taken", m["physics"].id, None, {})]
    services.take_question(m["chemistry"], question)  # already in work: the asker hears nothing more
    services.assign_question(leader, question, m["senior"])
    assert told("question_taken") == [asker.id]
    assert notices("question_assigned") == [(m["senior"].id, "question_assigned", leader.id, None, {})]

    services.release_question(m["senior"], question)
    services.assign_question(leader, question, m["physics"])  # back from the queue: in work again
    assert told("question_taken") == [asker.id, asker.id]
    assert told("question_assigned") == ids(m["senior"], m["physics"])


def test_an_answer_by_a_methodist_tells_the_asker_and_a_colleagues_does_not(district):
    question = ask(district)
    make_post(question.thread, district["colleague"], body="Я делаю так.")
    assert told("question_answered") == []
    answer = make_post(question.thread, district["methodists"]["physics"], body="Консультация.")
    assert notices("question_answered") == [
        (district["asker"].id, "question_answered", district["methodists"]["physics"].id, answer.id, {})
    ]


def test_accepting_tells_the_answers_author_and_taking_it_back_tells_the_asker(district):
    methodist, asker = district["methodists"]["physics"], district["asker"]
    question = ask(district)
    answer = make_post(question.thread, methodist, body="Консультация.")
    services.accept_answer(asker, question, answer)
    assert notices("question_accepted") == [(methodist.id, "question_accepted", asker.id, answer.id, {})]
    assert told("question_solved") == []  # the asker marked it: nothing to tell them

    services.unaccept_answer(asker, question)  # the asker's own doing: nobody is told
    assert told("question_reopened") == []
    services.accept_answer(asker, question, answer)
    services.unaccept_answer(methodist, question)
    assert notices("question_reopened") == [(asker.id, "question_reopened", methodist.id, None, {})]


def test_a_solution_marked_by_someone_else_tells_the_asker(district):
    methodist, asker = district["methodists"]["physics"], district["asker"]
    question = ask(district)
    answer = make_post(question.thread, methodist, body="Консультация.")
    services.accept_answer(methodist, question, answer)
    assert notices("question_solved") == [(asker.id, "question_solved", methodist.id, answer.id, {})]
    assert told("question_accepted") == []  # the methodist marked their own answer


def test_the_asker_writing_again_after_an_answer_is_not_told_of_it(district):
    question = ask(district)
    make_post(question.thread, district["methodists"]["physics"], body="Консультация.")
    make_post(question.thread, district["asker"], body="Уточню вопрос.")
    assert question.status == QuestionStatus.IN_PROGRESS
    assert told("question_reopened") == []


def test_a_recommendation_tells_the_answers_author_and_the_asker_once(district):
    methodist, asker, colleague = district["methodists"]["physics"], district["asker"], district["colleague"]
    question = ask(district)
    reply = make_post(question.thread, colleague, body="Я делаю так.")
    assert services.endorse_answer(methodist, question, reply)
    assert not services.endorse_answer(methodist, question, reply)  # again: nothing new
    assert notices("answer_endorsed") == [(colleague.id, "answer_endorsed", methodist.id, reply.id, {})]
    assert notices("question_endorsed") == [(asker.id, "question_endorsed", methodist.id, reply.id, {})]

    own = make_post(question.thread, asker, body="Сам нашёл ответ.")
    services.endorse_answer(methodist, question, own)  # the asker's own reply: the more specific notice only
    assert told("answer_endorsed") == ids(colleague, asker)
    assert told("question_endorsed") == [asker.id]


@pytest.mark.parametrize(
    ("reason", "outcome", "sentence"),
    [
        (QuestionEventKind.CLOSED_RESOLVED, "resolved", "Ваш вопрос закрыт: вопрос решён."),
        (QuestionEventKind.CLOSED_DUPLICATE, "duplicate", "Ваш вопрос закрыт: это повтор другого вопроса."),
        (QuestionEventKind.CLOSED_NOT_A_QUESTION, "not_a_question", "Ваш вопрос закрыт: это не вопрос."),
    ],
)
def test_closing_tells_the_asker_how(district, reason, outcome, sentence):
    original = ask(district) if reason == QuestionEventKind.CLOSED_DUPLICATE else None
    question = ask(district)
    methodist = district["methodists"]["physics"]
    services.close_question(methodist, question, reason, duplicate_of=original.thread if original else None)
    found = notices("question_closed")
    assert found == [(district["asker"].id, "question_closed", methodist.id, None, {"outcome": outcome})]
    assert notice_text("question_closed", found[0][4]) == sentence


def test_a_hidden_question_tells_nobody(district):
    question = ask(district)
    hide_thread(district["leader"], question.thread, "Нарушение правил")
    services.close_question(district["leader"], question, QuestionEventKind.CLOSED_NOT_A_QUESTION)
    assert told("question_closed") == []


# --- the leaders ----------------------------------------------------------------------------------------------------


def test_a_report_tells_the_associations_leaders_with_its_reason(district):
    thread = make_thread(district["asker"], district["association"])
    post = make_post(thread, district["colleague"], body="Реклама курсов.")
    reports.report_post(district["asker"], post, reason=ReportReason.SPAM)
    assert notices("report_new") == [
        (district["leader"].id, "report_new", district["asker"].id, post.id, {"report_reason": "spam"})
    ]
    assert notice_text("report_new", {"report_reason": "spam"}) == "Новая жалоба на сообщение: спам или реклама."


def test_a_report_where_nobody_leads_tells_the_admins(district):
    other_admin = make_user(Role.ADMIN)
    make_user(Role.ADMIN, UserStatus.SUSPENDED)
    association = make_association(members=[district["asker"], district["colleague"]])
    suspended_leader = make_user(status=UserStatus.SUSPENDED)
    make_membership(suspended_leader, association, role=MemberRole.LEADER)
    post = make_post(make_thread(district["asker"], association), district["colleague"])
    reports.report_post(district["asker"], post, reason=ReportReason.PUPILS_DATA)  # hides it: admins still see it
    assert told("report_new") == ids(district["admin"], other_admin)
    assert {params["report_reason"] for *_rest, params in notices("report_new")} == {"pupils_data"}


def test_a_leader_reporting_is_not_told_of_it_and_other_leaders_are(district):
    association = district["association"]
    second = make_user()
    make_membership(second, association, role=MemberRole.LEADER)
    post = make_post(make_thread(district["asker"], association), district["colleague"])
    reports.report_post(district["leader"], post, reason=ReportReason.INSULT)
    assert told("report_new") == [second.id]
    assert district["other_leader"].id not in told("report_new")


# --- scheduled notices ------------------------------------------------------------------------------------------


def asked_at(question, moment: datetime):
    question.asked_at = moment
    db.session.execute(sa.update(Thread).where(Thread.id == question.thread_id).values(created_at=moment))
    db.session.flush()
    return question


def run(now) -> dict:
    made = reminders.run_due_notices(now)
    db.session.flush()
    return made


def test_due_soon_then_overdue_each_once_at_the_clocks_times(district):
    m = district["methodists"]
    question = asked_at(ask(district, level=None), ASKED)
    thread = question.thread

    assert run(DEADLINE - timedelta(hours=5)) == dict.fromkeys(reminders.KINDS, 0)  # 5 working hours left
    run(DEADLINE - timedelta(hours=3))
    assert notices("question_due_soon", thread) == [
        (methodist_id, "question_due_soon", None, None, {"due": DEADLINE.isoformat()})
        for methodist_id in ids(m["physics"], m["senior"])
    ]
    due_text = notice_text("question_due_soon", {"due": DEADLINE.isoformat()})
    assert "Срок ответа на вопрос истекает 5 марта 2025" in due_text
    run(DEADLINE - timedelta(hours=1))  # still due soon: sent already
    assert len(notices("question_due_soon")) == 2

    run(DEADLINE + timedelta(minutes=1))
    assert told("question_overdue", thread) == ids(m["physics"], m["senior"], district["leader"], district["admin"])
    run(DEADLINE + timedelta(hours=5))
    assert len(notices("question_overdue")) == 4
    assert district["asker"].id not in told("question_overdue") + told("question_due_soon")


def test_working_time_skips_the_weekend(district):
    friday = datetime(2025, 3, 7, 7, 0, tzinfo=UTC)  # Friday 10:00 in Moscow: due on Tuesday at 10:00
    question = asked_at(ask(district), friday)
    run(friday + timedelta(days=3))  # Monday 10:00: 24 working hours left, though 72 hours have passed
    assert notices(thread=question.thread) == notices("question_new", question.thread)
    run(datetime(2025, 3, 11, 4, 0, tzinfo=UTC))  # Tuesday 07:00 in Moscow
    assert told("question_due_soon", question.thread) == ids(district["methodists"]["physics"])


def test_a_question_someone_has_tells_only_them_and_overdue_also_the_leaders(district):
    m = district["methodists"]
    question = asked_at(ask(district, level=None), ASKED)
    services.assign_question(district["leader"], question, m["chemistry"])
    run(DEADLINE - timedelta(hours=2))
    assert told("question_due_soon") == ids(m["chemistry"])
    run(DEADLINE + timedelta(hours=1))
    assert told("question_overdue") == ids(m["chemistry"], district["leader"], district["admin"])


def test_an_overdue_private_question_tells_only_those_who_may_read_it(district):
    m = district["methodists"]
    closed = make_association(visibility=Visibility.MEMBERS, leader=district["other_leader"],
                              members=[district["asker"], m["physics"]])  # fmt: skip
    question = asked_at(ask(district, subject=None, level=None, private=True, association=closed), ASKED)
    run(DEADLINE + timedelta(hours=1))
    # methodists outside the members-only association are not told; its leader and the admin are
    assert told("question_overdue") == ids(m["physics"], district["other_leader"], district["admin"])
    for user_id in told("question_overdue"):
        assert policy.can_view_thread(db.session.get(User, user_id), question.thread)


def test_questions_answered_closed_held_or_hidden_are_never_due(district):
    association = district["association"]
    answered = asked_at(ask(district), ASKED)
    make_post(answered.thread, district["methodists"]["physics"], body="Консультация.")
    closed = asked_at(ask(district), ASKED)
    services.close_question(district["leader"], closed, QuestionEventKind.CLOSED_NOT_A_QUESTION)
    hidden = asked_at(ask(district), ASKED)
    hide_thread(district["leader"], hidden.thread, "Нарушение правил")
    association.premoderation_posts = 1
    newcomer = make_user()
    make_membership(newcomer, association)
    held = asked_at(ask(district, author=newcomer), ASKED)
    assert held.thread.held_at is not None
    made = run(DEADLINE + timedelta(days=10))
    assert made["question_due_soon"] == made["question_overdue"] == 0


def test_questions_older_than_the_notifications_kept_are_left_alone(app, district):
    """Notifications are deleted after NOTIFICATION_RETENTION_DAYS: what was sent about older questions may be gone,
    so they are not candidates (else they would be told again)."""
    question = asked_at(ask(district), ASKED)
    kept = timedelta(days=app.config["NOTIFICATION_RETENTION_DAYS"])
    assert run(ASKED + kept + timedelta(minutes=1)) == dict.fromkeys(reminders.KINDS, 0)
    run(ASKED + kept - timedelta(minutes=1))
    assert told("question_overdue", question.thread) != []


def test_a_reminder_three_days_after_the_answer_once(district):
    asker = district["asker"]
    question = ask(district)
    make_post(question.thread, district["methodists"]["physics"], body="Консультация.")
    answered_at = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    db.session.execute(sa.update(QuestionEvent).where(QuestionEvent.thread_id == question.thread_id)
                       .values(created_at=answered_at))  # fmt: skip

    run(answered_at + timedelta(days=2, hours=23))
    assert told("question_reminder") == []
    run(answered_at + timedelta(days=3, minutes=1))
    assert notices("question_reminder") == [(asker.id, "question_reminder", None, None, {})]
    run(answered_at + timedelta(days=10))
    assert told("question_reminder") == [asker.id]


def test_a_reminder_counts_from_the_latest_answer_and_not_for_resolved_or_closed_questions(district):
    methodist, asker = district["methodists"]["physics"], district["asker"]
    resolved, closed, again = ask(district), ask(district), ask(district)
    for question in (resolved, closed, again):
        make_post(question.thread, methodist, body="Консультация.")
    services.accept_answer(asker, resolved, db.session.scalar(
        sa.select(Post).where(Post.thread_id == resolved.thread_id, Post.number == 2)))  # fmt: skip
    services.close_question(methodist, closed, QuestionEventKind.CLOSED_NOT_A_QUESTION)
    first = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    db.session.execute(sa.update(QuestionEvent).values(created_at=first))
    make_post(again.thread, asker, body="Не помогло, уточню.")
    make_post(again.thread, methodist, body="Тогда так.")
    second = first + timedelta(days=2)
    later = sa.and_(QuestionEvent.thread_id == again.thread_id, QuestionEvent.created_at > first)
    db.session.execute(sa.update(QuestionEvent).where(later).values(created_at=second))

    run(first + timedelta(days=4))
    assert told("question_reminder") == []
    run(second + timedelta(days=3, minutes=1))
    assert told("question_reminder") == told("question_reminder", again.thread) == [asker.id]


def test_a_run_costs_the_same_queries_for_one_question_or_many(district, count_queries):
    def queries_of_a_second_run(now) -> int:
        run(now)
        with count_queries() as counted:
            run(now)
        return counted.count

    asked_at(ask(district), ASKED)
    answered = ask(district)
    make_post(answered.thread, district["methodists"]["physics"], body="Консультация.")
    one = queries_of_a_second_run(DEADLINE + timedelta(days=4))
    for _ in range(4):
        asked_at(ask(district, level=None), ASKED)
        more = ask(district)
        make_post(more.thread, district["methodists"]["physics"], body="Консультация.")
    many = queries_of_a_second_run(DEADLINE + timedelta(days=4))
    assert many == one <= 4
    # the first question: its methodist, the leader and the admin; the others also the senior methodist
    assert len(notices("question_overdue")) == 3 + 4 * 4


def test_the_mail_worker_runs_the_notices(app, district):
    assert ("consultation-reminders", reminders.RUN_EVERY, reminders.run_due_notices) in worker.JOBS
    question = asked_at(ask(district), ASKED)
    db.session.commit()
    with worker.in_worker_context(app):
        worker.run_once(DEADLINE + timedelta(hours=1))
    assert told("question_overdue", question.thread) == ids(
        district["methodists"]["physics"], district["leader"], district["admin"]
    )
