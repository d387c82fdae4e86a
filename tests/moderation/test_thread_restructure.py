"""Move, merge and split: posts keep their authors and times, numbers stay 1…n, every counter equals its recount from
rows, readers keep their place, the search index follows, the people concerned are told, and bad requests are
explained."""

import html
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.associations.models import Association, Visibility
from app.auth.models import Role
from app.db import utcnow
from app.discussions import engagement
from app.discussions.models import Post, Thread, ThreadKind, ThreadReader, WatchLevel
from app.discussions.services import set_watch_level
from app.extensions import db
from app.moderation import threads as services
from app.moderation.models import ModerationAction, ModerationKind, Report, ReportReason
from app.moderation.posts import hide_post
from app.notifications.models import Notification
from tests.factories import make_association, make_post, make_thread, make_user
from tests.moderation.thread_checks import assert_exact
from tests.search.helpers import found_ids


@pytest.fixture
def district():
    """`leader` leads `one` and `two`; `author` and `colleague` are members of both; `outsider` leads `three`."""
    leader, author, colleague = make_user(full_name="Руководитель Двух"), make_user(), make_user()
    one = make_association("РМО учителей физики", leader=leader, members=[author, colleague])
    two = make_association("РМО учителей астрономии", leader=leader, members=[author, colleague])
    outsider = make_user()
    three = make_association("РМО учителей химии", leader=outsider)
    admin = make_user(Role.ADMIN)
    db.session.commit()
    return {"leader": leader, "author": author, "colleague": colleague, "one": one, "two": two, "three": three,
            "outsider": outsider, "admin": admin}  # fmt: skip


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _posts(thread_id: int) -> list[tuple]:
    """(number, id, author id, created_at, reply_to_id, depth) of the thread's posts."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Post.number, Post.id, Post.author_id, Post.created_at, Post.reply_to_id, Post.depth)
        .where(Post.thread_id == thread_id)
        .order_by(Post.number)
    )
    return [tuple(row) for row in rows]


def _read(user, thread) -> tuple | None:
    db.session.expire_all()
    reader = db.session.get(ThreadReader, (user.id, thread.id))
    return (reader.level, reader.last_read_number) if reader else None


def _notified(kind: str) -> dict[int, dict]:
    found = db.session.scalars(sa.select(Notification).where(Notification.kind == kind))
    return {n.user_id: n.params for n in found}


# --- move ---------------------------------------------------------------------------------------------------------


def test_a_moved_thread_takes_its_posts_and_counters_and_tells_its_followers(signed_in, district):
    author, colleague, leader, one, two = (district[k] for k in ("author", "colleague", "leader", "one", "two"))
    thread = make_thread(author, one, title="Телескоп в школе", body="Как собрать телескоп из линз?")
    reply = make_post(thread, colleague, body="Нужна длиннофокусная линза.")
    engagement.set_useful(author, reply, on=True)
    watcher, plain = make_user(), make_user()
    set_watch_level(watcher, thread, WatchLevel.WATCHING)
    set_watch_level(plain, thread, WatchLevel.NORMAL)
    services.pin_thread(leader, thread)
    open_report = Report(post_id=reply.id, association_id=one.id, reporter_id=author.id, reason=ReportReason.SPAM)
    old_report = Report(post_id=reply.id, association_id=one.id, reporter_id=watcher.id, reason=ReportReason.OTHER,
                        resolved_at=utcnow())  # fmt: skip
    db.session.add_all([open_report, old_report])
    db.session.commit()
    response = signed_in(leader).post(f"/threads/{thread.id}/moderation/move", data={"association": two.id})
    assert response.status_code == 302
    assert f"/threads/{thread.id}" in response.headers["Location"]
    assert_exact(threads=[thread.id], associations=[one.id, two.id])
    moved = db.session.get(Thread, thread.id)
    assert moved.association_id == two.id and moved.pinned_at is None and moved.useful_count == 1
    assert (db.session.get(Association, one.id).thread_count, db.session.get(Association, two.id).thread_count) == (
        0,
        1,
    )
    assert (open_report.association_id, old_report.association_id) == (two.id, one.id)
    told = _notified("thread_moved")
    assert set(told) == {author.id, colleague.id, watcher.id}  # the author and those watching or tracking it
    assert told[watcher.id]["from"] == one.name and told[watcher.id]["to"] == two.name
    line = db.session.scalar(sa.select(ModerationAction).where(ModerationAction.kind == ModerationKind.THREAD_MOVED))
    assert (line.association_id, line.actor_id) == (one.id, leader.id) and two.name in line.details
    assert found_ids(plain, "телескоп", association_id=two.id) == {thread.id}
    assert found_ids(plain, "телескоп", association_id=one.id) == set()


def test_a_hidden_thread_moves_outside_the_counters(district):
    thread = make_thread(district["author"], district["one"])
    services.hide_thread(district["admin"], thread, "спам")
    services.move_thread(district["admin"], thread, district["two"])
    assert_exact(threads=[thread.id], associations=[district["one"].id, district["two"].id])
    services.unhide_thread(district["admin"], thread)
    assert_exact(threads=[thread.id], associations=[district["one"].id, district["two"].id])
    assert db.session.get(Association, district["two"].id).thread_count == 1


def test_the_move_form_offers_only_associations_the_mover_leads(signed_in, district):
    thread = make_thread(district["author"], district["one"])
    archived = make_association("РМО в архиве", leader=district["leader"])
    archived.archived_at = utcnow()
    db.session.commit()
    client = signed_in(district["leader"])
    page = _text(client.get(f"/threads/{thread.id}/moderation/move"))
    assert "РМО учителей астрономии" in page and "РМО учителей химии" not in page and "РМО в архиве" not in page
    for refused in (district["three"], archived, district["one"]):
        response = client.post(f"/threads/{thread.id}/moderation/move", data={"association": refused.id})
        assert response.status_code == 400 and "Выберите объединение из списка." in _text(response)
    assert client.post(f"/threads/{thread.id}/moderation/move", data={"association": "x"}).status_code == 400
    admin_page = _text(signed_in(district["admin"]).get(f"/threads/{thread.id}/moderation/move"))
    assert "РМО учителей химии" in admin_page and "РМО в архиве" not in admin_page
    assert db.session.get(Thread, thread.id).association_id == district["one"].id
    with pytest.raises(services.ModerationError):
        services.move_thread(district["admin"], thread, district["one"])


# --- merge --------------------------------------------------------------------------------------------------------


def _conversation(district, association, title, bodies, *, minutes_ago):
    """A thread by the author with replies alternating between the colleague and the author, written `minutes_ago`
    minutes back, a minute apart; each reply answers the one before it."""
    author, colleague = district["author"], district["colleague"]
    thread = make_thread(author, association, title=title, body=bodies[0])
    posts = [db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))]
    for n, body in enumerate(bodies[1:], start=1):
        posts.append(
            make_post(thread, colleague if n % 2 else author, body=body, reply_to=posts[-1] if n > 1 else None)
        )
    start = utcnow() - timedelta(minutes=minutes_ago)
    for n, post in enumerate(posts):
        db.session.execute(sa.update(Post).where(Post.id == post.id).values(created_at=start + timedelta(minutes=n)))
    latest = start + timedelta(minutes=len(posts) - 1)
    db.session.execute(sa.update(Thread).where(Thread.id == thread.id).values(last_posted_at=latest))
    return thread, posts


def test_merging_appends_the_posts_in_their_order_and_keeps_everything_exact(signed_in, client, district):
    leader, author, colleague, one, two = (district[k] for k in ("leader", "author", "colleague", "one", "two"))
    bodies = ["Собираем планетарий", "Ответ А", "Ответ Б"]
    source, old = _conversation(district, one, "Планетарий своими руками", bodies, minutes_ago=100)
    target, _ = _conversation(district, two, "Астрономия в 11 классе", ["Программа", "Часы", "Учебник"], minutes_ago=50)
    reader = make_user()
    set_watch_level(reader, source, WatchLevel.WATCHING).last_read_number = 3  # read all of the source
    set_watch_level(colleague, target, WatchLevel.NORMAL).last_read_number = 1  # read the target's opening only
    db.session.commit()
    before = {p[1]: p for p in _posts(source.id)}
    address = f"http://localhost/threads/{target.id}?page=1#post-2"
    response = signed_in(leader).post(f"/threads/{source.id}/moderation/merge", data={"target": address})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/threads/{target.id}")
    merged = _posts(target.id)
    assert [p[0] for p in merged] == [1, 2, 3, 4, 5, 6] and [p[1] for p in merged[3:]] == [p.id for p in old]
    for _number, post_id, author_id, created_at, reply_to_id, _depth in merged[3:]:
        assert (author_id, created_at) == before[post_id][2:4]  # authors and times kept
        assert reply_to_id == before[post_id][4]  # answers inside the source kept
    assert [p[5] for p in merged[3:]] == [0, 0, 1]  # the answer stays nested under the post it answers
    assert _posts(source.id) == []
    assert_exact(threads=[source.id, target.id], associations=[one.id, two.id])
    gone = db.session.get(Thread, source.id)
    assert gone.merged_into_id == target.id and gone.hidden_at is not None
    assert db.session.get(Association, one.id).thread_count == 0
    assert _read(reader, target) == (WatchLevel.WATCHING, 6)  # as far as before: all of the source's posts
    assert _read(colleague, target)[1] == 5  # they had read up to the source's second post
    assert _read(author, target)[1] == 6
    for who in (client, signed_in(colleague)):
        redirect = who.get(f"/threads/{source.id}")
        assert redirect.status_code == 302 and redirect.headers["Location"].endswith(f"/threads/{target.id}")
    assert set(_notified("thread_merged")) == {author.id, colleague.id, reader.id}
    assert found_ids(reader, "планетарий") == {target.id}
    line = db.session.scalar(sa.select(ModerationAction).where(ModerationAction.kind == ModerationKind.THREAD_MERGED))
    assert line.thread_id == source.id and str(target.id) in line.details


def test_a_thread_is_never_merged_into_itself(signed_in, district):
    thread = make_thread(district["author"], district["one"])
    db.session.commit()
    response = signed_in(district["leader"]).post(f"/threads/{thread.id}/moderation/merge",
                                                  data={"target": str(thread.id)})  # fmt: skip
    assert response.status_code == 400 and "Тему нельзя объединить с самой собой." in _text(response)
    with pytest.raises(services.ModerationError):
        services.merge_threads(district["admin"], thread, thread)
    assert db.session.get(Thread, thread.id).merged_into_id is None


def test_an_unknown_or_unseen_target_is_explained(signed_in, district):
    thread = make_thread(district["author"], district["one"])
    closed = make_association(visibility=Visibility.MEMBERS)
    hidden_away = make_thread(association=closed)
    db.session.commit()
    client = signed_in(district["leader"])
    for target in ("987654321", str(hidden_away.id), "не номер", ""):
        response = client.post(f"/threads/{thread.id}/moderation/merge", data={"target": target})
        assert response.status_code == 400
        assert "Тема не найдена" in _text(response) or "Укажите ссылку на тему" in _text(response)


def test_merging_into_another_leaders_thread_is_forbidden(signed_in, district):
    thread = make_thread(district["author"], district["one"])
    foreign = make_thread(association=district["three"])
    db.session.commit()
    response = signed_in(district["leader"]).post(f"/threads/{thread.id}/moderation/merge",
                                                  data={"target": str(foreign.id)})  # fmt: skip
    assert response.status_code == 403


def test_a_merge_across_the_private_boundary_asks_for_confirmation(signed_in, district):
    closed = make_association("РМО только для своих", visibility=Visibility.MEMBERS, leader=district["leader"],
                              members=[district["author"]])  # fmt: skip
    source = make_thread(district["author"], closed, title="Внутреннее обсуждение")
    target = make_thread(district["author"], district["one"], title="Открытая тема")
    db.session.commit()
    client = signed_in(district["leader"])
    url = f"/threads/{source.id}/moderation/merge"
    asked = client.post(url, data={"target": str(target.id)})
    assert asked.status_code == 400 and "Подтвердите объединение" in _text(asked) and 'name="confirm"' in _text(asked)
    assert db.session.get(Thread, source.id).merged_into_id is None
    assert client.post(url, data={"target": str(target.id), "confirm": "y"}).status_code == 302
    assert_exact(threads=[source.id, target.id], associations=[closed.id, district["one"].id])
    assert db.session.get(Thread, source.id).merged_into_id == target.id


def test_a_private_question_and_a_public_thread_need_confirmation(district):
    question = make_thread(district["author"], district["one"], kind=ThreadKind.QUESTION, private=True)
    public = make_thread(district["colleague"], district["one"])
    with pytest.raises(services.ConfirmationNeeded):
        services.merge_threads(district["admin"], question, public)
    services.merge_threads(district["admin"], question, public, confirmed=True)
    assert_exact(threads=[question.id, public.id], associations=[district["one"].id])


def test_threads_merged_earlier_follow_to_the_last_target(district):
    admin, one = district["admin"], district["one"]
    first, second, third = (make_thread(district["author"], one) for _ in range(3))
    services.merge_threads(admin, first, second)
    services.merge_threads(admin, second, third)
    db.session.expire_all()
    assert db.session.get(Thread, first.id).merged_into_id == third.id
    assert [p[0] for p in _posts(third.id)] == [1, 2, 3]
    assert_exact(threads=[first.id, second.id, third.id], associations=[one.id])
    with pytest.raises(services.ModerationError, match="объединена"):
        services.merge_threads(admin, third, second)


# --- split --------------------------------------------------------------------------------------------------------


def test_split_makes_a_new_thread_of_the_chosen_replies(signed_in, district):
    leader, author, colleague, one = (district[k] for k in ("leader", "author", "colleague", "one"))
    thread, old = _conversation(district, one, "Олимпиада по физике",
                                ["Начало", "Задача 1", "Робототехника: кружок", "Про задачу 1", "Робототехника: наборы",
                                 "Итоги"], minutes_ago=60)  # fmt: skip
    reader = make_user()
    set_watch_level(reader, thread, WatchLevel.TRACKING).last_read_number = 4
    db.session.commit()
    response = signed_in(leader).post(f"/threads/{thread.id}/moderation/split",
                                      data={"posts": ["3", "5"], "title": "  Кружок   робототехники "})  # fmt: skip
    assert response.status_code == 302
    new = db.session.scalar(sa.select(Thread).where(Thread.title == "Кружок робототехники"))
    assert response.headers["Location"].endswith(f"/threads/{new.id}")
    assert (new.association_id, new.author_id, new.kind) == (one.id, old[2].author_id, ThreadKind.DISCUSSION)
    assert new.created_at == old[2].created_at
    assert [p[1] for p in _posts(new.id)] == [old[2].id, old[4].id]
    assert [p[1] for p in _posts(thread.id)] == [old[0].id, old[1].id, old[3].id, old[5].id]
    stayed = {p[1]: p for p in _posts(thread.id)}
    assert stayed[old[3].id][4] is None and stayed[old[3].id][5] == 0  # its parent moved: a plain reply now
    assert stayed[old[5].id][4] is None  # it answered a moved post too
    assert_exact(threads=[thread.id, new.id], associations=[one.id])
    assert db.session.get(Association, one.id).thread_count == 2
    assert _read(reader, thread) == (WatchLevel.TRACKING, 3)  # read old 1, 2 and 4 → now 1, 2 and 3
    assert _read(reader, new) == (WatchLevel.TRACKING, 1)  # read old 3 → now 1
    assert set(_notified("thread_split")) == {author.id}  # old 3 and 5 are the author's
    assert found_ids(reader, "робототехника") == {new.id}
    line = db.session.scalar(sa.select(ModerationAction).where(ModerationAction.kind == ModerationKind.THREAD_SPLIT))
    assert line.thread_id == thread.id and "Кружок робототехники" in line.details
    assert colleague.id not in _notified("thread_split")


@pytest.mark.parametrize(
    ("posts", "title", "message"),
    [
        (["1", "2"], "Новая тема", "Первое сообщение остаётся в теме"),
        ([], "Новая тема", "Отметьте сообщения"),
        (["2", "9"], "Новая тема", "В теме нет сообщений с номерами: 9."),
        (["2"], "Тема", "Заголовок — от 5 до 200 символов."),
        (["2"], "", "Укажите заголовок."),
    ],
)
def test_a_bad_split_is_explained_and_changes_nothing(signed_in, district, posts, title, message):
    thread = make_thread(district["author"], district["one"])
    for n in range(3):
        make_post(thread, district["colleague"], body=f"Ответ {n}")
    db.session.commit()
    response = signed_in(district["leader"]).post(f"/threads/{thread.id}/moderation/split",
                                                  data={"posts": posts, "title": title})  # fmt: skip
    assert response.status_code == 400 and message in _text(response)
    assert [p[0] for p in _posts(thread.id)] == [1, 2, 3, 4]
    assert 'value="2" checked' in _text(response) or "2" not in posts


def test_split_refuses_what_cannot_open_a_thread(district):
    admin = district["admin"]
    thread = make_thread(district["author"], district["one"])
    reply = make_post(thread, district["colleague"])
    make_post(thread, district["author"])
    hide_post(admin, reply, "личные данные")
    with pytest.raises(services.ModerationError, match="должно быть видно"):
        services.split_thread(admin, thread, [2, 3], "Новая тема")
    private = make_thread(district["author"], district["one"], kind=ThreadKind.QUESTION, private=True)
    make_post(private, district["colleague"])
    with pytest.raises(services.ModerationError, match="личного вопроса"):
        services.split_thread(admin, private, [2], "Новая тема")
    new = services.split_thread(admin, thread, [3], "Новая тема")  # a hidden reply may stay behind
    assert_exact(threads=[thread.id, new.id], associations=[district["one"].id])


def test_the_split_page_lists_a_page_of_posts_or_all(signed_in, district):
    thread = make_thread(district["author"], district["one"])
    for n in range(24):
        make_post(thread, district["colleague"], body=f"Ответ номер {n + 2}")
    db.session.commit()
    client = signed_in(district["leader"])
    first = _text(client.get(f"/threads/{thread.id}/moderation/split"))
    assert 'value="20"' in first and 'value="21"' not in first
    second = _text(client.get(f"/threads/{thread.id}/moderation/split?page=2"))
    assert 'value="25"' in second and 'value="20"' not in second
    everything = _text(client.get(f"/threads/{thread.id}/moderation/split?all=1"))
    assert 'value="2"' in everything and 'value="25"' in everything
    assert client.get(f"/threads/{thread.id}/moderation/split?page=3").status_code == 404


def test_the_forms_cost_a_fixed_number_of_queries(app, signed_in, count_queries, district):
    client = signed_in(district["leader"])
    counts = []
    for size in (1, 30):
        thread = make_thread(district["author"], district["one"])
        for n in range(size - 1):
            make_post(thread, district["colleague"], body=f"Ответ {n}")
        make_association(leader=district["leader"])  # one more place to move to each time
        db.session.commit()
        found = []
        for url in ("split", "split?all=1", "move", "merge"):
            with count_queries() as q:
                assert client.get(f"/threads/{thread.id}/moderation/{url}").status_code == 200
            found.append(q.count)
        counts.append(found)
    assert counts[0] == counts[1] and max(counts[1]) <= 6, counts
