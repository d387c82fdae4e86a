"""The home page's discussion parts: latest activity and unread for members, public threads for visitors."""

from datetime import timedelta

from app.associations import services as association_services
from app.associations.models import Visibility
from app.db import utcnow
from app.discussions import engagement
from app.discussions.models import WatchLevel
from app.extensions import db
from tests.factories import make_association, make_post, make_thread, make_user


def text(response) -> str:
    return response.get_data(as_text=True)


def test_visitor_sees_latest_public_threads(client):
    author = make_user(full_name="Смирнова Ольга Ивановна")
    public = make_association("РМО учителей истории", members=[author])
    private = make_association("Закрытое МО", visibility=Visibility.MEMBERS, members=[author])
    shown = make_thread(author, public, title="Открытое обсуждение")
    make_thread(author, private, title="Тема для своих")
    hidden = make_thread(author, public, title="Скрытая модератором")
    hidden.hidden_at = utcnow()
    archived = make_association("Архивное МО", members=[author])
    make_thread(author, archived, title="Тема архивного МО")
    archived.archived_at = utcnow()
    db.session.flush()
    html = text(client.get("/"))
    assert "Последние обсуждения" in html
    assert "Открытое обсуждение" in html and f'href="/threads/{shown.id}"' in html
    assert "РМО учителей истории" in html and "Смирнова Ольга Ивановна" in html
    for secret in ("Тема для своих", "Скрытая модератором", "Тема архивного МО"):
        assert secret not in html


def test_visitor_without_threads_sees_no_activity_section(client):
    make_association()
    assert "Последние обсуждения" not in text(client.get("/"))


def test_member_sees_activity_of_own_associations_newest_first(client, login):
    user, colleague = make_user(), make_user(full_name="Кузнецова Елена Павловна")
    mine = make_association("МО, где я участвую", members=[user, colleague])
    other = make_association("Чужое МО", members=[colleague])
    older = make_thread(colleague, mine, title="Давняя тема")
    newer = make_thread(colleague, mine, title="Свежая тема")
    make_post(older, colleague)
    older.last_posted_at = utcnow() + timedelta(minutes=1)
    make_thread(colleague, other, title="Тема чужого МО")
    muted = make_thread(colleague, mine, title="Заглушённая тема")
    engagement.set_thread_watch(user, muted, WatchLevel.MUTED)
    db.session.flush()
    login(user)
    html = text(client.get("/"))
    assert "Последние обсуждения в моих объединениях" in html
    section = html[html.index("Последние обсуждения в моих объединениях") :]
    assert section.index("Давняя тема") < section.index("Свежая тема")
    assert "Кузнецова Елена Павловна" in section and "1 ответ" in section
    assert "Тема чужого МО" not in html and "Заглушённая тема" not in html
    assert newer.id


def test_member_sees_unread_threads_with_a_link_to_all(client, login):
    user, colleague = make_user(), make_user()
    association = make_association(members=[user, colleague])
    threads = [make_thread(colleague, association, title=f"Непрочитанная тема {n}") for n in range(7)]
    login(user)
    html = text(client.get("/"))
    section = html[html.index('id="unread-title"') : html.index('href="/unread"', html.index('id="unread-title"'))]
    assert section.count('class="engage-item"') == 5
    assert f'href="/threads/{threads[-1].id}?page=1#post-1"' in section
    assert "Всё непрочитанное" in html


def test_nothing_unread_means_no_unread_section(client, login):
    user = make_user()
    make_association(members=[user])
    login(user)
    assert 'id="unread-title"' not in text(client.get("/"))


def _fill(association, count):
    for _ in range(count):
        author = make_user()
        association_services.add_member(author, association)
        thread = make_thread(author, association)
        make_post(thread, author)


def test_visitor_home_query_count_is_fixed(client, count_queries):
    association = make_association()
    _fill(association, 1)
    with count_queries() as one:
        assert client.get("/").status_code == 200
    _fill(association, 29)
    with count_queries() as thirty:
        response = client.get("/")
    assert text(response).count('class="engage-item"') == 10
    assert thirty.count == one.count, thirty.statements


def test_member_home_query_count_is_fixed(client, login, count_queries):
    user = make_user()
    association = make_association(members=[user])
    _fill(association, 1)
    login(user)
    with count_queries() as one:
        assert client.get("/").status_code == 200
    _fill(association, 29)
    with count_queries() as thirty:
        response = client.get("/")
    assert text(response).count('class="engage-item"') == 15  # 5 unread + 10 latest
    assert thirty.count == one.count, thirty.statements


def test_member_activity_merges_associations_by_date_whatever_their_size(app):
    from app.discussions.unread import activity_in_my_associations

    user, colleague = make_user(), make_user()
    busy = make_association("Большое МО", members=[user, colleague])
    quiet = make_association("Тихое МО", members=[user, colleague])
    archived = make_association("Архивное МО", members=[user, colleague])
    start = utcnow() - timedelta(days=30)
    expected = []
    for n in range(14):  # busy: one thread a day; quiet: every third day is newer than busy's of that day
        thread = make_thread(colleague, busy, title=f"busy {n}")
        thread.last_posted_at = start + timedelta(days=n)
        expected.append(thread)
    for n in range(3):
        thread = make_thread(colleague, quiet, title=f"quiet {n}")
        thread.last_posted_at = start + timedelta(days=12 + n, hours=1)
        expected.append(thread)
    muted = make_thread(colleague, quiet, title="muted")
    muted.last_posted_at = start + timedelta(days=20)
    engagement.set_thread_watch(user, muted, WatchLevel.MUTED)
    for n in range(10):  # newer than all, in an archived association: must not raise the bound either
        thread = make_thread(colleague, archived, title=f"archived {n}")
        thread.last_posted_at = start + timedelta(days=25, minutes=n)
    archived.archived_at = utcnow()
    db.session.flush()
    expected.sort(key=lambda t: (t.last_posted_at, t.id), reverse=True)
    assert [t.title for t in activity_in_my_associations(user)] == [t.title for t in expected[:10]]
    assert [t.title for t in activity_in_my_associations(user, limit=2)] == [t.title for t in expected[:2]]


def test_member_home_served_again_reads_only_the_signed_in_user(client, login, count_queries):
    """Once seen, the member's home needs nothing but the login loader's query (BEGIN aside on SQLite): the lists
    are kept under change stamps (app/stamps.py), and the loader tells that no invitation waits."""
    user = make_user()
    association = make_association(members=[user])
    _fill(association, 3)
    login(user)
    assert client.get("/").status_code == 200
    with count_queries(warm=True) as warm:
        response = client.get("/")
    assert text(response).count('class="engage-item"') == 6  # 3 unread + 3 latest
    reads = [s for s in warm.statements if s.strip().upper() != "BEGIN"]
    assert len(reads) == 1 and "FROM users" in reads[0], warm.statements


def test_an_invitation_sent_after_the_last_visit_shows_at_once(client, login):
    from tests.factories import make_invitation

    user = make_user()
    login(user)
    assert "Приглашения" not in text(client.get("/"))
    make_invitation(make_association("МО, куда приглашают"), user.email)
    assert "МО, куда приглашают" in text(client.get("/"))


def test_visitor_home_served_again_reads_only_the_site_stamp(client, count_queries):
    association = make_association()
    _fill(association, 3)
    assert client.get("/").status_code == 200
    with count_queries(warm=True) as warm:
        response = client.get("/")
    assert text(response).count('class="engage-item"') == 3 and association.name in text(response)
    reads = [s for s in warm.statements if s.strip().upper() != "BEGIN"]
    assert len(reads) == 1 and "content_version" in reads[0], warm.statements
