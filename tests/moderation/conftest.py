"""An association with its leader, a post's author and four other members, a thread with an opening post and a reply
by the author, another association's leader and an admin (committed: route tests read it over HTTP)."""

import pytest
import sqlalchemy as sa

from app.associations.models import Association
from app.auth.models import Role
from app.discussions.models import Thread
from app.extensions import db
from tests.consultations.conftest import signed_in, text  # noqa: F401  (fixture and helper shared)
from tests.factories import make_association, make_post, make_thread, make_user


@pytest.fixture
def world():
    leader, author = make_user(full_name="Руководитель Объединения"), make_user(full_name="Автор Сообщения")
    members = [make_user(full_name=f"Участник Номер {n}") for n in range(1, 5)]
    association = make_association("РМО учителей химии", leader=leader, members=[author, *members])
    other_leader = make_user(full_name="Руководитель Другого")
    other = make_association("РМО учителей биологии", leader=other_leader)
    thread = make_thread(members[0], association, title="Подготовка к олимпиаде по химии")
    reply = make_post(thread, author, body="Присылайте задания, разберём на заседании.")
    admin = make_user(Role.ADMIN, full_name="Администратор Сайта")
    db.session.commit()
    return {"leader": leader, "author": author, "members": members, "association": association, "thread": thread,
            "reply": reply, "opening": thread_opening(thread), "other_leader": other_leader, "other": other,
            "admin": admin}  # fmt: skip


def thread_opening(thread):
    from app.discussions.models import Post

    return db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def counters(thread) -> tuple[int, int]:
    """The thread's reply count and its association's post count, as the database has them now."""
    reply_count = db.session.scalar(sa.select(Thread.reply_count).where(Thread.id == thread.id))
    post_count = db.session.scalar(sa.select(Association.post_count).where(Association.id == thread.association_id))
    return reply_count, post_count
