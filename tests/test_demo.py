"""The demo district: `seed_demo()` and `flask seed-demo`."""

import pytest
import sqlalchemy as sa

from app import policy
from app.admin import services as admin_services
from app.admin.models import AuditEntry
from app.associations.models import Association, JoinPolicy, Membership, MembershipStatus, Visibility
from app.auth.models import Role, User, UserStatus
from app.db import utcnow
from app.demo import DEMO_PASSWORD, seed_demo
from app.demo_data import SCHOOLS
from app.directory.models import School, Subject
from app.discussions.models import Attachment, Post, Reaction, Thread, ThreadKind
from app.extensions import db
from tests.factories import PASSWORD, make_school, make_user

MODELS = (School, Subject, User, Association, Membership, Thread, Post, Reaction, Attachment)


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in MODELS}


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _association(slug: str) -> Association:
    return db.session.scalar(sa.select(Association).where(Association.slug == slug))


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    """The demo's few attachments are written to a folder of the test's own."""
    saved = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = saved


@pytest.fixture
def demo():
    return seed_demo()


def test_seed_builds_a_believable_district(demo):
    counts = _counts()
    assert demo == sum(counts.values())
    assert counts["School"] >= 10
    assert counts["Subject"] >= 14
    assert counts["Association"] >= 12
    assert counts["User"] >= 40
    assert _user("leader@example.org").full_name == "Кравченко Ольга Владимировна"
    assert _user("leader@example.org").school.short_name == "Лицей № 3"
    assert "учитель математики" in _user("leader@example.org").position


def test_seed_covers_every_role_and_every_association_setting(demo):
    users = db.session.scalars(sa.select(User)).all()
    assert {u.role for u in users} == set(Role)
    associations = db.session.scalars(sa.select(Association)).all()
    assert {a.visibility for a in associations} == set(Visibility)
    assert {a.join_policy for a in associations} == set(JoinPolicy)
    assert all(a.description and "<p>" in a.description_html for a in associations)
    assert all(a.member_count >= 1 for a in associations)


def test_active_demo_users_are_confirmed_with_consent_and_two_await_approval(demo):
    users = db.session.scalars(sa.select(User)).all()
    pending = [u for u in users if u.status == UserStatus.PENDING]
    assert len(pending) == 2
    assert all(u.status in (UserStatus.ACTIVE, UserStatus.PENDING) for u in users)
    assert all(u.email_confirmed_at is not None and u.consent_at is not None for u in users)


def test_seed_leaves_pending_join_requests_with_a_message(demo):
    requests = db.session.scalars(sa.select(Membership).where(Membership.status == MembershipStatus.PENDING)).all()
    assert len(requests) >= 2
    assert all(r.message for r in requests)
    # Only where a request could really have been sent: by-request associations the requester can see.
    assert all(r.association.join_policy == JoinPolicy.REQUEST for r in requests)
    assert all(r.association.visibility == Visibility.PUBLIC for r in requests)


def test_member_counts_match_the_active_memberships(demo):
    for association in db.session.scalars(sa.select(Association)):
        active = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.association_id == association.id, Membership.status == MembershipStatus.ACTIVE)
        )
        assert association.member_count == active, association.slug


def test_seed_twice_creates_nothing_new(demo):
    before = _counts()
    assert seed_demo() == 0
    assert _counts() == before


def test_seed_completes_a_partly_present_district():
    name, short_name, kind = SCHOOLS[1][1:]
    make_school(name=name, short_name=short_name, kind=kind)
    make_user(email="teacher@example.org")
    created = seed_demo()
    counts = _counts()
    assert created == sum(counts.values()) - 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(School).where(School.name == name)) == 1


def test_one_finished_creative_group_is_archived_with_a_reason(demo):
    archived = db.session.scalars(sa.select(Association).where(Association.archived_at.is_not(None))).all()
    assert [a.slug for a in archived] == ["tg-tsifrovaya-obrazovatelnaya-sreda"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "association.archive"))
    assert entry.target_id == archived[0].id
    assert entry.reason
    assert entry.actor.email == "admin@example.org"


def test_seeding_again_keeps_an_unarchived_group_unarchived(demo):
    group = _association("tg-tsifrovaya-obrazovatelnaya-sreda")
    admin_services.unarchive_association(_user("admin@example.org"), group)
    assert seed_demo() == 0
    assert not group.is_archived


def test_leader_leads_district_mathematics(demo):
    leader = _user("leader@example.org")
    mathematics = _association("rmo-matematika")
    assert mathematics.name == "РМО учителей математики"
    assert policy.is_leader(leader, mathematics)
    assert policy.can_manage_members(leader, mathematics)


def test_teacher_is_a_member_of_a_few_associations(demo):
    teacher = _user("teacher@example.org")
    memberships = db.session.scalars(sa.select(Membership).where(Membership.user_id == teacher.id)).all()
    assert len(memberships) >= 3
    assert all(m.is_active and not m.is_leader for m in memberships)
    assert teacher.role == Role.TEACHER


DEMO_LOGINS = {
    "admin@example.org": Role.ADMIN,
    "methodist@example.org": Role.METHODIST,
    "leader@example.org": Role.TEACHER,
    "teacher@example.org": Role.TEACHER,
}


def test_fixed_demo_logins_sign_in(demo, app):
    for email, role in DEMO_LOGINS.items():
        client = app.test_client()
        assert _user(email).role == role
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert "Выйти" in client.get("/").get_data(as_text=True)


def test_pending_registration_cannot_sign_in_yet(demo, client):
    response = client.post("/login", data={"email": "a.medvedeva@example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "ожидает одобрения" in response.get_data(as_text=True)


def test_password_hashing_is_normal_again_after_seeding(demo):
    user = make_user(password=PASSWORD)
    assert user.check_password(PASSWORD)
    assert not user.check_password(DEMO_PASSWORD)
    assert user.password_hash != _user("teacher@example.org").password_hash


def test_cli_seed_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "new records" in first.output
    assert _association("rmo-matematika") is not None
    before = _counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "already present" in second.output
    assert _counts() == before


# --- discussions ----------------------------------------------------------------------------------------------------


def _threads() -> list[Thread]:
    return db.session.scalars(sa.select(Thread).order_by(Thread.id)).all()


def _posts(thread: Thread) -> list[Post]:
    return db.session.scalars(sa.select(Post).where(Post.thread_id == thread.id).order_by(Post.number)).all()


def test_demo_threads_cover_every_kind_written_by_people_allowed_to(demo):
    threads = _threads()
    assert {t.kind for t in threads} == set(ThreadKind)
    assert len({t.association_id for t in threads}) >= 5
    assert any(t.association.visibility == Visibility.MEMBERS for t in threads)
    link = next(t for t in threads if t.kind == ThreadKind.LINK and t.url_domain == "fipi.ru")
    assert link.url.startswith("https://fipi.ru/")
    assert all(t.experience_grade and t.experience_method for t in threads if t.kind == ThreadKind.EXPERIENCE)
    assert any(t.pinned_at is not None for t in threads)
    tags = {tag.name for t in threads for tag in t.tags}
    assert {"впр", "огэ", "фгос", "функциональная грамотность"} <= tags
    for thread in threads:
        posts = _posts(thread)
        assert policy.can_create_thread(posts[0].author, thread.association, thread.kind), thread.title
        assert all(policy.can_post_in(p.author, thread.association) for p in posts), thread.title

    posts = db.session.scalars(sa.select(Post)).all()
    answers = [p for p in posts if p.reply_to_id is not None]
    assert len(answers) >= 10
    assert any(p.depth >= 2 for p in posts)  # nested conversations
    assert all(p.reply_to.thread_id == p.thread_id and p.reply_to.number < p.number for p in answers)
    html = "\n".join(p.body_html for p in posts)
    for element in ("<strong>", "<li>", "<table>", "<th>", "<blockquote>", "<ol>", "<pre>"):
        assert element in html, element
    assert 'href="/users/' in html  # an @mention links to the member's profile


def test_demo_counters_match_the_rows_and_conversations_lie_in_the_past(demo):
    now = utcnow()
    for thread in _threads():
        posts = _posts(thread)
        assert [p.number for p in posts] == list(range(1, len(posts) + 1))
        assert (thread.post_count, thread.reply_count) == (len(posts), len(posts) - 1)
        assert thread.useful_count == sum(p.useful_count for p in posts)
        assert (thread.created_at, thread.last_posted_at) == (posts[0].created_at, posts[-1].created_at)
        times = [p.created_at for p in posts]
        assert times == sorted(times) and times[-1] < now
    for association in db.session.scalars(sa.select(Association)):
        # the counters are what every reader sees: private questions stay out
        threads = [t for t in _threads() if t.association_id == association.id and not t.is_private]
        assert association.thread_count == len(threads)
        assert association.post_count == sum(t.post_count for t in threads)
        if threads:
            assert association.last_posted_at == max(t.last_posted_at for t in threads)
    reactions = db.session.execute(sa.select(Reaction.post_id, Reaction.user_id, Post.author_id).join(Post)).all()
    assert len(reactions) >= 20
    assert all(user_id != author_id for _post, user_id, author_id in reactions)  # never on one's own post
    for post in db.session.scalars(sa.select(Post)):
        assert post.useful_count == sum(1 for post_id, *_ in reactions if post_id == post.id)


def test_demo_attachments_are_real_files_and_feeds_parse(demo, _uploads, client):
    import feedparser

    files = db.session.scalars(sa.select(Attachment)).all()
    assert {f.display_name for f in files} == {"Результаты ВПР 5 класс — диаграмма.png", "Памятка для родителей.txt"}
    assert all((_uploads / f.stored_name).stat().st_size == f.size for f in files)
    image = next(f for f in files if f.is_image)
    assert (image.content_type, image.width, image.height) == ("image/png", 480, 270)

    parsed = feedparser.parse(client.get("/associations/rmo-matematika/feed.atom").data)
    assert not parsed.bozo
    public = [t for t in _threads() if t.association.slug == "rmo-matematika" and not t.is_private]
    assert len(parsed.entries) == len(public) < sum(1 for t in _threads() if t.association.slug == "rmo-matematika")


def test_demo_questions_show_the_consultation_workflow(demo, app):
    from app.consultations import services as consultations
    from app.consultations.clock import calendar_from_config
    from app.consultations.models import QuestionStatus
    from app.discussions.models import Thread

    def question(title):
        return consultations.question_of(db.session.scalar(db.select(Thread).where(Thread.title == title)))

    waiting = question("Как вы готовите пятиклассников к ВПР по математике?")
    assert waiting.status == QuestionStatus.NEW and waiting.subject.slug == "matematika"
    target = app.config["CONSULTATION_TARGET_HOURS"]
    assert calendar_from_config(app.config).is_overdue(waiting.asked_at, utcnow(), target)
    solved = question("Итоговое собеседование в 9 классе: как тренировать монолог")
    assert solved.status == QuestionStatus.RESOLVED and solved.accepted_post.number == 2
    assert solved.first_answer_at is not None and solved.asked_at < solved.first_answer_at < solved.resolved_at
    assert solved.helped is False and solved.rated_at > solved.resolved_at


def test_demo_questions_cover_every_status_privacy_endorsement_rating_and_the_knowledge_base(demo):
    from app.consultations.models import AnswerEndorsement, KnowledgeEntry, Question, QuestionStatus
    from app.discussions.models import Thread

    questions = db.session.scalars(sa.select(Question).join(Thread, Thread.id == Question.thread_id)).all()
    assert {q.status for q in questions} == set(QuestionStatus)
    private = [q for q in questions if q.thread.is_private]
    assert {q.status for q in private} >= {QuestionStatus.IN_PROGRESS, QuestionStatus.RESOLVED}
    closed = next(q for q in questions if q.status == QuestionStatus.CLOSED)
    assert closed.duplicate_of is not None and closed.duplicate_of.kind == closed.thread.kind
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnswerEndorsement)) >= 1
    assert sum(q.rated_at is not None for q in questions) >= 2
    entries = db.session.scalars(sa.select(KnowledgeEntry)).all()
    assert len(entries) >= 2
    for entry in entries:
        question = db.session.get(Question, entry.thread_id)
        assert question.status == QuestionStatus.RESOLVED and question.accepted_post_id is not None
        if question.thread.is_private:
            assert entry.hide_asker and question.publish_consent_at is not None


def test_demo_moderation_pins_rules_locks_a_thread_and_leaves_reports_and_a_log(demo):
    from app.moderation.models import ModerationAction, ModerationKind, Report

    for association in db.session.scalars(sa.select(Association).where(Association.archived_at.is_(None))):
        rules = db.session.scalar(
            sa.select(Thread).where(Thread.association_id == association.id, Thread.title == "Правила объединения")
        )
        assert rules is not None and rules.pinned_at is not None, association.slug
    locked = db.session.scalar(sa.select(Thread).where(Thread.locked_at.is_not(None)))
    assert locked is not None and locked.lock_reason
    open_reports = db.session.scalars(sa.select(Report).where(Report.resolved_at.is_(None))).all()
    assert len(open_reports) >= 2 and {r.association_id for r in open_reports} == {_association("rmo-matematika").id}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report).where(Report.resolved_at.is_not(None)))
    kinds = set(db.session.scalars(sa.select(ModerationAction.kind)))
    assert {ModerationKind.THREAD_PINNED, ModerationKind.THREAD_LOCKED, ModerationKind.REPORT_DISMISSED,
            ModerationKind.PREMODERATION} <= kinds  # fmt: skip
    assert _association("tg-funktsionalnaya-gramotnost").premoderation_posts == 2


def test_demo_users_have_notifications_their_bells_count(demo):
    from app.notifications.models import Notification

    for email, expected in (("teacher@example.org", {"post_reply", "question_answered"}),
                            ("methodist@example.org", {"question_new", "question_accepted", "join_request"}),
                            ("leader@example.org", {"report_new", "mention"})):  # fmt: skip
        user = _user(email)
        kinds = set(db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == user.id)))
        assert expected <= kinds, email
        unread = db.session.scalar(
            sa.select(sa.func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        assert user.unread_notifications == unread > 0
