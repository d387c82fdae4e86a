"""Read state: a page marks what it showed as read, the «first unread» link, the page's fixed query count."""

import html

import pytest

from app.discussions.models import Post, ThreadReader
from app.extensions import db
from tests.factories import make_association, make_membership, make_post, make_thread, make_user


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def last_read(user, thread) -> int | None:
    db.session.expire_all()
    reader = db.session.get(ThreadReader, (user.id, thread.id))
    return reader.last_read_number if reader else None


@pytest.fixture
def author():
    return make_user()


@pytest.fixture
def reader_user(author):
    user = make_user()
    return user


@pytest.fixture
def thread(author, reader_user):
    association = make_association(members=[author, reader_user])
    thread = make_thread(author, association)
    for n in range(2, 26):
        make_post(thread, author, body=f"Сообщение {n}")
    return thread


def test_opening_a_page_marks_its_posts_read(client, login, thread, reader_user):
    assert last_read(reader_user, thread) is None
    login(reader_user)
    client.get(f"/threads/{thread.id}")
    assert last_read(reader_user, thread) == 20
    client.get(f"/threads/{thread.id}?page=2")
    assert last_read(reader_user, thread) == 25
    client.get(f"/threads/{thread.id}")  # going back never un-reads
    assert last_read(reader_user, thread) == 25


def test_reading_keeps_the_watch_level(client, login, thread, author):
    login(author)
    client.get(f"/threads/{thread.id}?page=2")
    db.session.expire_all()
    reader = db.session.get(ThreadReader, (author.id, thread.id))
    assert reader.last_read_number == 25 and reader.level == "watching"


def test_own_posts_count_as_read(thread, author):
    assert last_read(author, thread) == 25


def test_first_unread_link_points_to_its_page_and_anchor(client, login, thread, reader_user, author):
    login(reader_user)
    client.get(f"/threads/{thread.id}")  # read 1–20
    page = text(client.get(f"/threads/{thread.id}"))
    assert f"/threads/{thread.id}?page=2#post-21" in page and "К первому непрочитанному" in page
    client.get(f"/threads/{thread.id}?page=2")
    assert "К первому непрочитанному" not in text(client.get(f"/threads/{thread.id}"))
    make_post(thread, author)
    assert "?page=2#post-26" in text(client.get(f"/threads/{thread.id}"))


def test_visitors_read_without_a_read_state(client, thread):
    assert client.get(f"/threads/{thread.id}").status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(ThreadReader)) == 1  # the author's


def test_marking_read_is_one_statement(client, login, thread, reader_user, count_queries):
    login(reader_user)
    for expected in ("INSERT", "UPDATE"):
        with count_queries() as q:
            client.get(f"/threads/{thread.id}?page={1 if expected == 'INSERT' else 2}")
        writes = [s for s in q.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
        assert len(writes) == 1 and writes[0].lstrip().upper().startswith(expected)


def test_tree_order_follows_the_answers(thread, author):
    a, b = make_post(thread, author, body="А"), make_post(thread, author, body="Б")
    a1 = make_post(thread, author, reply_to=a)
    a1x = make_post(thread, author, reply_to=a1)
    b1 = make_post(thread, author, reply_to=b)
    a2 = make_post(thread, author, reply_to=a)
    opening_answer = make_post(thread, author, reply_to=db.session.scalar(db.select(Post).where(
        Post.thread_id == thread.id, Post.number == 1)))  # fmt: skip
    numbers = db.session.scalars(
        db.select(Post.number).where(Post.thread_id == thread.id).order_by(Post.tree_path)
    ).all()
    expected = [1, *range(2, 26), a.number, a1.number, a1x.number, a2.number, b.number, b1.number]
    expected.append(opening_answer.number)
    assert numbers == expected


def test_answers_below_the_deepest_level_go_beside_their_parent(thread, author):
    chain = [make_post(thread, author, body="Начало")]
    for n in range(6):
        chain.append(make_post(thread, author, body=f"Ответ {n}", reply_to=chain[-1]))
    later = make_post(thread, author, body="Ответ на второй", reply_to=chain[1])
    assert [p.depth for p in chain] == [0, 1, 2, 3, 4, 4, 4]
    assert all(len(p.tree_path) <= 60 for p in chain)
    numbers = db.session.scalars(
        db.select(Post.number).where(Post.thread_id == thread.id, Post.number > 25).order_by(Post.tree_path)
    ).all()
    # the chain stays in order, capped answers follow their parent; the late answer to the second closes its branch
    assert numbers == [*(p.number for p in chain[:2]), *(p.number for p in chain[2:]), later.number]


# --- fixed query counts -------------------------------------------------------------------------------------------


def _thread_with(posts: int):
    author = make_user()
    association = make_association(members=[author])
    thread = make_thread(author, association, tags="фгос, впр, огэ")
    earlier = None
    for n in range(posts - 1):
        earlier = make_post(thread, make_user() if n % 2 else author, body=f"Ответ {n}", reply_to=earlier)
    return thread, association


@pytest.mark.parametrize("view", ["flat", "tree"])
def test_thread_page_query_count_for_a_visitor(client, count_queries, view):
    counts = []
    for posts in (1, 30):
        thread, _association = _thread_with(posts)
        with count_queries() as q:
            assert client.get(f"/threads/{thread.id}?view={view}").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] and counts[1] <= 6, counts


@pytest.mark.parametrize("view", ["flat", "tree"])
def test_thread_page_query_count_for_a_member(client, login, count_queries, view):
    member = make_user()
    login(member)
    counts = []
    for posts in (1, 30):
        thread, association = _thread_with(posts)
        make_membership(member, association)
        client.get(f"/threads/{thread.id}?view={view}")  # the read state exists from here on
        with count_queries() as q:
            assert client.get(f"/threads/{thread.id}?view={view}").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] and counts[1] <= 8, counts
