"""The demo district: schools, subjects, people and methodical associations of the Нефтекумский городской округ.

`seed_demo()` builds it through the app's own services and is idempotent: every record is looked up by its natural
key (school name, subject slug, e-mail, association slug, user + association, association + thread title) and only
what is missing is created. All names are invented. Every demo account has the password DEMO_PASSWORD.
"""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw
from werkzeug.datastructures import FileStorage

from app.admin import services as admin_services
from app.associations import services as associations
from app.associations.models import (
    Association,
    AssociationKind,
    JoinPolicy,
    MemberRole,
    Membership,
    MembershipStatus,
    Visibility,
)
from app.auth import services as accounts
from app.auth.models import Role, User, UserStatus
from app.consultations import services as consultations
from app.consultations.models import AnswerEndorsement, KnowledgeEntry, QuestionEvent, QuestionEventKind
from app.db import utcnow
from app.demo_data import (
    ASSOCIATIONS,
    DEMO_FILES,
    LOCKED,
    PENDING_USERS,
    PREMODERATION,
    REPORTED,
    RULES_BODY,
    RULES_TITLE,
    SCHOOLS,
    SUBJECTS,
    THREADS,
    USERS,
)
from app.directory.models import EducationLevel, School, Subject
from app.discussions import attachments, engagement
from app.discussions import services as discussions
from app.discussions.models import Post, Thread, ThreadKind
from app.extensions import db
from app.moderation import premoderation
from app.moderation import reports as moderation_reports
from app.moderation import threads as moderation_threads
from app.moderation.models import ReportOutcome, ReportReason

ADMIN_EMAIL = "admin@example.org"
DEMO_PASSWORD = "demo-password-2026"  # published in the README: it is the demo's login


def seed_demo() -> int:
    """Create whatever part of the demo district is missing; returns how many records were created."""
    created = [0]
    schools = {key: _school(created, *row) for key, *row in SCHOOLS}
    subjects = {slug: _subject(created, slug, name) for slug, name in SUBJECTS}
    with _one_password_hash(DEMO_PASSWORD):
        users = {row[0]: _user(created, row, schools, subjects, UserStatus.ACTIVE) for row in USERS}
        for row in PENDING_USERS:
            _user(created, row, schools, subjects, UserStatus.PENDING)
    by_slug = {}
    for spec in ASSOCIATIONS:
        association, is_new = _association(created, spec, schools, subjects)
        by_slug[spec["slug"]] = association
        for email in spec["leaders"]:
            _membership(created, users[email], association, MemberRole.LEADER, MembershipStatus.ACTIVE)
        for email in spec["members"]:
            _membership(created, users[email], association, MemberRole.MEMBER, MembershipStatus.ACTIVE)
        for email, message in spec.get("requests", {}).items():
            _join_request(created, users[email], association, message)
        if is_new and spec.get("archived"):
            # Archived after its members joined, as in life; only when just created, so an unarchive sticks.
            admin_services.archive_association(users[ADMIN_EMAIL], association, reason=spec["archived"])
    db.session.flush()
    _threads(created, users, by_slug, subjects)
    _moderation(created, users, by_slug)
    return created[0]


@contextmanager
def _one_password_hash(password: str) -> Iterator[None]:
    # scrypt takes ~0.1 s per hash by design; forty demo accounts share one password, so hash it once (the model's
    # own way) and let create_user() reuse that hash: the seeder stays fast and still goes through the service.
    probe = User()
    probe.set_password(password)
    password_hash, original = probe.password_hash, User.set_password

    def reuse_hash(user: User, given: str) -> None:
        if given != password:
            raise ValueError("demo accounts all use the demo password")
        user.password_hash = password_hash

    User.set_password = reuse_hash
    try:
        yield
    finally:
        User.set_password = original


def _school(created: list[int], name: str, short_name: str, kind) -> School:
    school = db.session.scalar(db.select(School).where(School.name == name))
    if school is None:
        school = School(name=name, short_name=short_name, kind=kind)
        db.session.add(school)
        created[0] += 1
    return school


def _subject(created: list[int], slug: str, name: str) -> Subject:
    subject = db.session.scalar(db.select(Subject).where(Subject.slug == slug))
    if subject is None:
        subject = Subject(name=name, slug=slug)
        db.session.add(subject)
        created[0] += 1
    return subject


def _user(created: list[int], row, schools, subjects, status: UserStatus) -> User:
    email, full_name, role, position, school_key, subject_slugs, levels = row
    user = accounts.find_user_by_email(email)
    if user is None:
        user = accounts.create_user(
            email,
            full_name,
            DEMO_PASSWORD,
            role=Role(role),
            status=status,
            school=schools[school_key],
            position=position,
            subjects=[subjects[slug] for slug in subject_slugs],
            levels=levels,
            email_confirmed=True,
            consent=True,
        )
        created[0] += 1
    return user


def _association(created: list[int], spec: dict, schools, subjects) -> tuple[Association, bool]:
    association = db.session.scalar(db.select(Association).where(Association.slug == spec["slug"]))
    if association is not None:
        return association, False
    association = associations.create_association(
        spec["name"],
        AssociationKind(spec["kind"]),
        slug=spec["slug"],
        description=spec["description"],
        visibility=Visibility(spec.get("visibility", Visibility.PUBLIC)),
        join_policy=JoinPolicy(spec.get("join_policy", JoinPolicy.OPEN)),
        school=schools[spec["school"]] if spec.get("school") else None,
        subjects=[subjects[slug] for slug in spec.get("subjects", ())],
        levels=spec.get("levels", ()),
    )
    created[0] += 1
    return association, True


def _membership(created: list[int], user: User, association: Association, role, status) -> Membership:
    membership = db.session.scalar(
        db.select(Membership).where(Membership.user_id == user.id, Membership.association_id == association.id)
    )
    if membership is None:
        membership = associations.add_member(user, association, role=role, status=status)
        created[0] += 1
    return membership


def _join_request(created: list[int], user: User, association: Association, message: str) -> None:
    """A join request as a teacher sends it (`join_association`): its leaders get the notice with the message."""
    exists = db.session.scalar(
        db.select(Membership.id).where(Membership.user_id == user.id, Membership.association_id == association.id)
    )
    if exists is None:
        associations.join_association(user, association, message=message)
        created[0] += 1


def _threads(created: list[int], users: dict[str, User], by_slug: dict[str, Association], subjects) -> None:
    """The demo conversations, each created whole (thread, replies, «Полезно», files) when its title is missing."""
    touched = set()
    for spec in THREADS:
        association = by_slug[spec["association"]]
        exists = db.session.scalar(
            sa.select(Thread.id).where(Thread.association_id == association.id, Thread.title == spec["title"])
        )
        if exists is None:
            created[0] += _thread(spec, users, association, subjects)
            touched.add(association.id)
    _recount_latest(touched)
    db.session.flush()


def _thread(spec: dict, users: dict[str, User], association: Association, subjects) -> int:
    consultation = spec.get("consultation", {})
    details = (
        {"subject_id": subjects[consultation["subject"]].id, "level": EducationLevel(consultation["level"]),
         "grade": consultation.get("grade", ""), "topic": consultation.get("topic", "")}
        if consultation
        else {}
    )  # fmt: skip
    thread = discussions.create_thread(
        users[spec["author"]],
        association,
        title=spec["title"],
        body=spec["body"],
        kind=ThreadKind(spec["kind"]),
        tags=spec.get("tags", ""),
        url=spec.get("url"),
        experience_grade=spec.get("grade", ""),
        experience_method=spec.get("method", ""),
        details=details,
        private=spec.get("private", False),
    )
    posts = [db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))]
    for reply in spec["replies"]:
        target = posts[reply["to"]] if "to" in reply else None
        posts.append(discussions.create_reply(users[reply["author"]], thread, body=reply["body"], reply_to=target))
    reactions = sum(
        engagement.set_useful(users[email], posts[index], on=True)
        for index, emails in spec.get("useful", {}).items()
        for email in emails
    )
    files = sum(
        len(attachments.attach_uploads(posts[index].author, posts[index], [_demo_file(name) for name in names]))
        for index, names in spec.get("files", {}).items()
    )
    _backdate(thread, posts, spec["days_ago"])
    _settle_question(thread, posts, consultation, users)
    if spec.get("pinned"):
        db.session.flush()  # pinning takes the thread's row lock, reading the row again
        moderation_threads.pin_thread(users[spec["author"]], thread)
        thread.pinned_at = thread.created_at
    return 2 + len(spec["replies"]) + reactions + files


def _moderation(created: list[int], users: dict[str, User], by_slug: dict[str, Association]) -> None:
    """Pinned rules in every association, a thread closed for replies, reports waiting in the queue and one
    dismissed, pre-moderation in a creative group: each through the moderation services, so the log and the
    notifications show them."""
    for spec in ASSOCIATIONS:
        association = by_slug[spec["slug"]]
        if spec.get("archived") or not spec["leaders"] or _thread_titled(association, RULES_TITLE) is not None:
            continue
        leader = users[spec["leaders"][0]]
        rules = discussions.create_thread(leader, association, title=RULES_TITLE, body=RULES_BODY,
                                          kind=ThreadKind.ANNOUNCEMENT)  # fmt: skip
        _backdate(rules, [_opening(rules)], 60)
        db.session.flush()  # pinning takes the thread's row lock, reading the row again
        moderation_threads.pin_thread(leader, rules)
        rules.pinned_at = rules.created_at
        created[0] += 2  # the thread and its post
    for title, (email, reason) in LOCKED.items():
        thread = db.session.scalar(sa.select(Thread).where(Thread.title == title))
        if thread is not None and thread.locked_at is None:
            moderation_threads.lock_thread(users[email], thread, reason)
    for title, author, body, reports, resolution in REPORTED:
        thread = db.session.scalar(sa.select(Thread).where(Thread.title == title))
        if thread is None or db.session.scalar(sa.select(Post.id).where(Post.thread_id == thread.id,
                                                                         Post.body == body)):  # fmt: skip
            continue
        post = discussions.create_reply(users[author], thread, body=body)
        for reporter, reason, comment in reports:
            moderation_reports.report_post(users[reporter], post, reason=ReportReason(reason), comment=comment)
        if resolution is not None:
            moderator, outcome, why = resolution
            moderation_reports.resolve_reports(users[moderator], post, outcome=ReportOutcome(outcome), reason=why)
        created[0] += 1  # the reply (reports are not among the records counted)
    for slug, posts in PREMODERATION.items():
        if by_slug[slug].premoderation_posts != posts:
            leader = users[next(s["leaders"][0] for s in ASSOCIATIONS if s["slug"] == slug)]
            premoderation.set_premoderation(leader, by_slug[slug], posts)
    _recount_latest({association.id for association in by_slug.values()})
    db.session.flush()


def _thread_titled(association: Association, title: str) -> int | None:
    return db.session.scalar(sa.select(Thread.id).where(Thread.association_id == association.id, Thread.title == title))


def _opening(thread: Thread) -> Post:
    return db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def _recount_latest(ids) -> None:
    """Back-dated conversations: each association's latest activity is its newest counted thread's."""
    if not ids:
        return
    newest = sa.select(sa.func.max(Thread.last_posted_at)).where(
        Thread.association_id == Association.id, ~Thread.is_private, Thread.hidden_at.is_(None),
        Thread.deleted_at.is_(None),
    )  # fmt: skip
    db.session.execute(
        sa.update(Association).where(Association.id.in_(list(ids))).values(last_posted_at=newest.scalar_subquery())
    )


def _backdate(thread: Thread, posts: list[Post], days_ago: int) -> None:
    """Spread a conversation over its days: it starts `days_ago` days back at 9:40 Moscow time, replies follow."""
    start = (utcnow() - timedelta(days=days_ago)).replace(hour=6, minute=40, second=0, microsecond=0)
    for index, post in enumerate(posts):
        post.created_at = start + timedelta(hours=4 * index, minutes=(index * 23) % 60)
    thread.created_at = posts[0].created_at
    thread.last_posted_at = posts[-1].created_at


def _settle_question(thread: Thread, posts: list[Post], consultation: dict, users: dict[str, User]) -> None:
    """A demo question's clock and history follow its back-dated posts. The spec may have a methodist take it
    (`take`), endorse a reply (`endorse`: index → methodist), close it (`close`), the asker accept an answer
    (`accept`: its index) an hour after the last post, rate it (`rate`) and agree to its publication (`consent`), and
    a methodist publish it to the knowledge base (`publish`: the summary title)."""
    question = consultations.question_of(thread)
    if question is None:
        return
    asker = thread.author
    question.asked_at = thread.created_at
    at = {post.id: post.created_at for post in posts}
    if "take" in consultation:
        consultations.take_question(users[consultation["take"]], question)
    for index, email in consultation.get("endorse", {}).items():
        db.session.add(AnswerEndorsement(post_id=posts[index].id, methodist_id=users[email].id, thread_id=thread.id,
                                         created_at=posts[-1].created_at + timedelta(minutes=30)))  # fmt: skip
    if "close" in consultation:
        original = db.session.scalar(sa.select(Thread).where(Thread.title == consultation["close"]["duplicate_of"]))
        consultations.close_question(users[consultation["close"]["by"]], question, QuestionEventKind.CLOSED_DUPLICATE,
                                     duplicate_of=original)  # fmt: skip
    for event in db.session.scalars(sa.select(QuestionEvent).where(QuestionEvent.thread_id == thread.id)):
        event.created_at = at.get(event.post_id, thread.created_at + timedelta(hours=2))
    answered = [at[e.post_id] for e in db.session.scalars(sa.select(QuestionEvent).where(
        QuestionEvent.thread_id == thread.id, QuestionEvent.kind == QuestionEventKind.ANSWERED))]  # fmt: skip
    question.first_answer_at = min(answered, default=None)
    if question.resolved_at is not None:
        question.resolved_at = thread.created_at + timedelta(hours=2)
    if "accept" in consultation:
        consultations.accept_answer(asker, question, posts[consultation["accept"]])
        settled = posts[-1].created_at + timedelta(hours=1)
        question.resolved_at = settled
        db.session.scalars(sa.select(QuestionEvent).where(QuestionEvent.thread_id == thread.id).order_by(
            QuestionEvent.id.desc())).first().created_at = settled  # fmt: skip
    if "rate" in consultation:
        question.helped, question.rating_comment = consultation["rate"]["helped"], consultation["rate"]["comment"]
        question.rated_at = question.resolved_at + timedelta(hours=3)
    if consultation.get("consent"):
        question.publish_consent_at = question.resolved_at + timedelta(hours=4)
    if "publish" in consultation:
        published = question.resolved_at + timedelta(days=1)
        db.session.add(KnowledgeEntry(thread_id=thread.id, title=consultation["publish"], published_at=published,
                                      updated_at=published, hide_asker=thread.is_private,
                                      published_by_id=users["methodist@example.org"].id))  # fmt: skip
    db.session.flush()


def _demo_file(name: str) -> FileStorage:
    """A few generated bytes for a demo attachment: a small bar chart, or a text."""
    content = DEMO_FILES[name]
    if content == "chart":
        image = Image.new("RGB", (480, 270), "white")
        draw = ImageDraw.Draw(image)
        draw.line([(40, 240), (460, 240)], fill="black", width=2)
        for n, share in enumerate((0.62, 0.71, 0.55, 0.80, 0.47)):
            left = 60 + n * 80
            draw.rectangle([left, 240 - int(200 * share), left + 50, 239], fill=(31, 94, 168))
        data = io.BytesIO()
        image.save(data, "PNG")
        return FileStorage(io.BytesIO(data.getvalue()), filename=name, content_type="image/png")
    return FileStorage(io.BytesIO(content.encode("utf-8")), filename=name, content_type="text/plain")
