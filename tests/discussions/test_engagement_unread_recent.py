"""The first unread tracked threads come from recent activity when it holds enough, else from all of them: either way
the same list, in the same order, as /unread's first rows."""

from datetime import timedelta

import pytest

from app.associations.models import Visibility
from app.db import utcnow
from app.discussions import unread
from app.discussions.models import WatchLevel
from app.extensions import db
from tests.discussions.engagement_helpers import set_read
from tests.factories import make_association, make_post, make_thread, make_user


def _tracked(author, user, association, days_ago: float, title: str, level=WatchLevel.TRACKING):
    thread = make_thread(author, association, title=title)
    set_read(user, thread, 1, level=level)
    make_post(thread, author)
    thread.last_posted_at = utcnow() - timedelta(days=days_ago)
    thread.created_at = thread.last_posted_at - timedelta(days=1)
    return thread


def _expected(threads, limit=5) -> list[str]:
    return [t.title for t in sorted(threads, key=lambda t: (t.last_posted_at, t.id), reverse=True)[:limit]]


@pytest.mark.parametrize("recent", [0, 2, 5, 7])
def test_top_unread_is_exact_whatever_part_is_recent(app, recent):
    author, user = make_user(), make_user()
    association = make_association(members=[author, user])
    window = unread.NEW_THREAD_DAYS
    threads = [_tracked(author, user, association, 1 + n, f"Свежая {n}") for n in range(recent)]
    threads += [_tracked(author, user, association, window + 5 + n, f"Давняя {n}") for n in range(4)]
    read = make_thread(author, association, title="Прочитанная")  # followed and read to the end: never listed
    set_read(user, read, 1, level=WatchLevel.WATCHING)
    db.session.flush()
    expected = _expected(threads)
    assert [row.thread.title for row in unread.top_unread(user)] == expected
    assert [row.thread.title for row in unread.unread_threads(user).rows][:5] == expected


def test_recent_threads_of_associations_one_may_not_see_are_left_out(app):
    author, user = make_user(), make_user()
    closed = make_association("Закрытое МО", visibility=Visibility.MEMBERS, members=[author])
    public = make_association("Открытое МО", members=[author])
    hidden = _tracked(author, user, closed, 1, "Тема закрытого МО")  # followed once, then left: no longer visible
    shown = [_tracked(author, user, public, 2 + n, f"Открытая {n}", level=WatchLevel.WATCHING) for n in range(5)]
    deleted = _tracked(author, user, public, 1, "Удалённая")
    deleted.deleted_at = utcnow()
    db.session.flush()
    titles = [row.thread.title for row in unread.top_unread(user)]
    assert titles == _expected(shown)
    assert hidden.title not in titles and deleted.title not in titles
