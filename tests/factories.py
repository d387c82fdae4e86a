"""Plain factory functions that build test data through the app's own services."""

import itertools

from app.associations import services as association_services
from app.associations.models import AssociationKind, JoinPolicy, MemberRole, MembershipStatus, Visibility
from app.auth import services as auth_services
from app.auth.models import Role, UserStatus
from app.directory.models import School, SchoolKind, Subject
from app.extensions import db

PASSWORD = "correct-horse-battery-42"
_seq = itertools.count(1)


def make_school(name: str | None = None, kind: SchoolKind = SchoolKind.SCHOOL, short_name: str | None = None):
    n = next(_seq)
    school = School(name=name or f"МКОУ СОШ № {n}", short_name=short_name or f"СОШ № {n}", kind=kind)
    db.session.add(school)
    db.session.flush()
    return school


def make_subject(name: str | None = None, slug: str | None = None):
    n = next(_seq)
    subject = Subject(name=name or f"Предмет {n}", slug=slug or f"subject-{n}")
    db.session.add(subject)
    db.session.flush()
    return subject


def make_user(
    role: Role | str = Role.TEACHER,
    status: UserStatus | str = UserStatus.ACTIVE,
    *,
    email: str | None = None,
    full_name: str | None = None,
    password: str = PASSWORD,
    email_confirmed: bool = True,
    **kwargs,
):
    n = next(_seq)
    return auth_services.create_user(
        email or f"user{n}@example.org",
        full_name or f"Иванова Мария Петровна {n}",
        password,
        role=Role(role),
        status=UserStatus(status),
        email_confirmed=email_confirmed,
        consent=True,
        **kwargs,
    )


def make_association(
    name: str | None = None,
    *,
    kind: AssociationKind = AssociationKind.DISTRICT,
    visibility: Visibility = Visibility.PUBLIC,
    join_policy: JoinPolicy = JoinPolicy.OPEN,
    leader=None,
    members=(),
    **kwargs,
):
    n = next(_seq)
    association = association_services.create_association(
        name or f"РМО учителей предмета {n}", kind, visibility=visibility, join_policy=join_policy, **kwargs
    )
    if leader is not None:
        association_services.add_member(leader, association, role=MemberRole.LEADER)
    for member in members:
        association_services.add_member(member, association)
    return association


def make_membership(user, association, role=MemberRole.MEMBER, status=MembershipStatus.ACTIVE):
    return association_services.add_member(user, association, role=role, status=status)


def make_invitation(association, email: str, invited_by=None):
    """An open invitation of an address to an association, as a leader's form would leave it."""
    from app.associations.models import Invitation

    invitation = Invitation(association=association, email=email.strip().lower(), invited_by=invited_by)
    db.session.add(invitation)
    db.session.flush()
    return invitation


def make_users(count: int, **kwargs) -> list:
    """`count` users at once for list-page tests: like make_user, but they share one password hash (scrypt is slow
    by design, and fifty of them would dominate the test run)."""
    from app.auth.models import User

    first = make_user(**kwargs)
    users = [first]
    for _ in range(count - 1):
        n = next(_seq)
        user = User(
            email=f"user{n}@example.org",
            full_name=f"Иванова Мария Петровна {n}",
            role=first.role,
            status=first.status,
            school=first.school,
            password_hash=first.password_hash,
            email_confirmed_at=first.email_confirmed_at,
            consent_at=first.consent_at,
        )
        db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def make_thread(author=None, association=None, *, title=None, body="Текст первого сообщения.", **kwargs):
    """A thread by `author` (made a member of `association` when given); both are created when left out."""
    from app.discussions import services as discussion_services

    author = author or make_user()
    association = association or make_association(members=[author])
    n = next(_seq)
    return discussion_services.create_thread(
        author, association, title=title or f"Тема для обсуждения {n}", body=body, **kwargs
    )


def make_post(thread, author=None, *, body="Ответ в теме.", **kwargs):
    from app.discussions import services as discussion_services

    return discussion_services.create_reply(author or make_user(), thread, body=body, **kwargs)
