"""A question about physics at the basic level in an association, with its asker, a colleague, the leader, a
methodist who consults on physics at that level, and an admin (committed: route tests read it over HTTP)."""

import pytest

from app.auth.models import Role
from app.consultations import services
from app.directory.models import EducationLevel
from app.discussions.models import ThreadKind
from app.extensions import db
from tests.factories import PASSWORD, make_association, make_subject, make_thread, make_user


@pytest.fixture
def world():
    physics = make_subject("Физика")
    asker, colleague, leader = make_user(full_name="Автор Вопроса"), make_user(), make_user()
    methodist = make_user(Role.METHODIST, full_name="Методист Физики")
    methodist.subjects.append(physics)
    methodist.set_levels([EducationLevel.BASIC])
    association = make_association(leader=leader, members=[asker, colleague])
    thread = make_thread(asker, association, kind=ThreadKind.QUESTION, title="Как готовить к ВПР по физике?")
    question = services.question_of(thread)
    question.subject_id, question.level = physics.id, EducationLevel.BASIC
    admin = make_user(Role.ADMIN)
    db.session.commit()
    return {"asker": asker, "colleague": colleague, "leader": leader, "methodist": methodist, "thread": thread,
            "question": question, "association": association, "admin": admin, "physics": physics}  # fmt: skip


@pytest.fixture
def signed_in(app):
    """`signed_in(user)`: a new client signed in as `user` (the login form redirects a signed-in client instead of
    switching users)."""

    def sign_in(user):
        client = app.test_client()
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        return client

    return sign_in


def text(response) -> str:
    return response.get_data(as_text=True)
