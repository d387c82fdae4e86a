"""Notifications from discussions and associations (app/discussions/notices.py, associations' join requests): who hears
of a reply, an answer, an @mention, a «Полезно», a new thread or announcement and a join request; only the most
specific notice per post; nobody about their own action or about what they may not see; a held post only once a
leader approves it; grouping; e-mail states; inbox links; a reply's cost does not grow with its watchers."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.associations import services as association_services
from app.associations.models import JoinPolicy, MemberRole, Visibility
from app.auth.models import Role, User, UserStatus
from app.discussions import editing, engagement
from app.discussions.models import AssociationWatch, Mention, Post, ThreadKind, WatchLevel
from app.extensions import db
from app.moderation import premoderation
from app.notifications.models import Notification, NotificationPreference
from app.notifications.services import mark_thread_read
from tests.consultations.conftest import text
from tests.factories import make_association, make_membership, make_post, make_thread, make_user, make_users


@pytest.fixture
def club():
    """A public association: its leader, a thread's author (who watches it, as every author does), a reader and a
    fan who are members, and the thread."""
    leader = make_user(full_name="Руководитель Клуба")
    author = make_user(full_name="Автор Темы")
    reader = make_user(full_name="Читатель Внимательный")
    fan = make_user(full_name="Подписчик Объединения")
    association = make_association("РМО учителей физики", leader=leader, members=[author, reader, fan])
    thread = make_thread(author, association, title="Лабораторные работы в 7 классе")
    return SimpleNamespace(leader=leader, author=author, reader=reader, fan=fan, association=association,
                           thread=thread)  # fmt: skip


# The kinds these tests are about (other features notify of the same events with kinds of their own: a question's
# asker hears that a methodist answered, leaders that a post waits for approval).
OURS = ("thread_reply", "post_reply", "mention", "post_useful", "thread_new", "announcement", "join_request")


def notices(user, kind: str | None = None) -> list[Notification]:
    """The user's notifications of `kind` (of ours, when None), oldest first."""
    stmt = sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    stmt = stmt.where(Notification.kind.in_([kind] if kind is not None else OURS))
    db.session.flush()
    db.session.expire_all()
    return list(db.session.scalars(stmt))


def kinds(user) -> list[tuple[str, int | None]]:
    return [(n.kind, n.post_id) for n in notices(user)]


def opening_post(thread) -> Post:
    return db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def watch(user, association, level=WatchLevel.WATCHING) -> None:
    engagement.set_association_watch(user, association, level)


def mention(*users) -> str:
    return " ".join(f"@[{user.full_name}]" for user in users) + ", посмотрите, пожалуйста."


# --- replies --------------------------------------------------------------------------------------------------------


def test_a_reply_tells_those_watching_the_thread_and_not_its_writer(club):
    reply = make_post(club.thread, club.reader)
    [notice] = notices(club.author)
    assert (notice.kind, notice.post_id, notice.thread_id, notice.association_id, notice.actor_id) == (
        "thread_reply", reply.id, club.thread.id, club.association.id, club.reader.id)  # fmt: skip
    assert notice.count == 1 and notice.email_state == "pending"  # «сразу» is the default for watched threads
    assert notices(club.reader) == [] and notices(club.fan) == [] and notices(club.leader) == []


def test_the_associations_watchers_hear_of_every_reply_unless_they_muted_the_thread(club):
    watch(club.fan, club.association)
    watch(club.leader, club.association)
    engagement.set_thread_watch(club.leader, club.thread, WatchLevel.MUTED)
    reply = make_post(club.thread, club.reader)
    assert kinds(club.fan) == [("thread_reply", reply.id)]
    assert notices(club.leader) == []


def test_a_thread_one_only_tracks_comes_in_the_digest_even_if_one_wants_replies_at_once(club):
    db.session.add(NotificationPreference(user_id=club.reader.id, category="watched", delivery="immediate"))
    make_post(club.thread, club.reader)  # replying makes the reader track the thread
    assert engagement.thread_watch_level(club.reader, club.thread) == WatchLevel.TRACKING
    second = make_post(club.thread, club.fan)
    [notice] = notices(club.reader)
    assert (notice.kind, notice.post_id, notice.email_state) == ("thread_reply", second.id, "digest")
    # Watching gives the same kind at once: the author's notice is pending.
    assert [n.email_state for n in notices(club.author)] == ["pending"]


def test_no_email_state_for_an_unconfirmed_address(club):
    club.author.email_confirmed_at = None
    make_post(club.thread, club.reader)
    [notice] = notices(club.author)
    assert notice.kind == "thread_reply" and notice.email_state is None


def test_a_muted_thread_tells_its_tracker_nothing(club):
    make_post(club.thread, club.reader)
    engagement.set_thread_watch(club.reader, club.thread, WatchLevel.MUTED)
    make_post(club.thread, club.fan)
    assert notices(club.reader) == []


def test_replies_while_unread_make_one_notice_that_counts_them(club):
    first = make_post(club.thread, club.reader)
    make_post(club.thread, club.fan)
    [notice] = notices(club.author)
    assert (notice.kind, notice.count, notice.post_id, notice.actor_id) == ("thread_reply", 2, first.id, club.fan.id)
    assert club.author.unread_notifications == 1
    mark_thread_read(club.author, club.thread.id)  # the author opened the thread
    third = make_post(club.thread, club.leader)
    assert [(n.kind, n.count, n.post_id) for n in notices(club.author)] == [
        ("thread_reply", 2, first.id), ("thread_reply", 1, third.id)]  # fmt: skip


# --- answers and mentions -------------------------------------------------------------------------------------------


def test_an_answer_to_my_post_is_a_post_reply_and_not_also_a_thread_reply(club):
    mine = make_post(club.thread, club.reader)  # the reader now tracks the thread too
    answer = make_post(club.thread, club.fan, reply_to=mine)
    assert kinds(club.reader) == [("post_reply", answer.id)]
    assert notices(club.reader)[0].actor_id == club.fan.id
    own = make_post(club.thread, club.fan, reply_to=answer)  # answering oneself tells nobody as an answer
    assert notices(club.fan, "post_reply") == []
    assert [n.post_id for n in notices(club.reader, "thread_reply")] == [own.id]


def test_a_mention_beats_an_answer_which_beats_watching(club):
    mine = make_post(club.thread, club.reader)
    answer = make_post(club.thread, club.fan, reply_to=mine, body=mention(club.reader, club.author, club.fan))
    assert [(n.kind, n.post_id) for n in notices(club.reader) if n.post_id == answer.id] == [("mention", answer.id)]
    # The author watches the thread: mentioned, so no thread_reply about this post (their notice about `mine`
    # does not count it either).
    assert [(n.kind, n.post_id, n.count) for n in notices(club.author)] == [
        ("thread_reply", mine.id, 1), ("mention", answer.id, 1)]  # fmt: skip
    assert notices(club.fan) == []  # naming oneself tells nobody
    # Answered and tracking (the fan replied): post_reply only.
    again = make_post(club.thread, club.leader, reply_to=answer)
    assert [n.kind for n in notices(club.fan) if n.post_id == again.id] == ["post_reply"]


def test_mentions_in_the_opening_post_beat_the_new_thread_notice(club):
    watch(club.fan, club.association)
    watch(club.reader, club.association)
    thread = make_thread(club.author, club.association, body=mention(club.fan))
    opening = opening_post(thread)
    assert kinds(club.fan) == [("mention", opening.id)]
    assert kinds(club.reader) == [("thread_new", opening.id)]


def test_an_edit_that_names_someone_new_tells_only_them(club):
    post = make_post(club.thread, club.reader, body=mention(club.fan))
    assert kinds(club.fan) == [("mention", post.id)]
    editing.edit_post(club.reader, post, body=mention(club.fan, club.leader))
    assert kinds(club.leader) == [("mention", post.id)]
    assert kinds(club.fan) == [("mention", post.id)]  # named before: not again
    editing.edit_post(club.reader, post, body=mention(club.fan, club.leader) + " Дополнение.")
    assert len(notices(club.leader)) == 1 and len(notices(club.fan)) == 1


# --- what one may not see ---------------------------------------------------------------------------------------


def test_a_private_question_tells_only_those_who_may_see_it(club):
    methodist = make_user(Role.METHODIST, full_name="Методист Района")
    admin = make_user(Role.ADMIN)
    for user in (club.fan, club.leader, methodist, admin):
        watch(user, club.association)
    question = make_thread(club.reader, club.association, kind=ThreadKind.QUESTION, private=True,
                           title="Как оценивать лабораторные?")  # fmt: skip
    opening = opening_post(question)
    for user in (club.leader, admin):
        assert kinds(user) == [("thread_new", opening.id)]
    # the methodist hears of it from consultations only (one notice per person and post)
    assert kinds(methodist) == [] and [n.kind for n in notices(methodist, "question_new")] == ["question_new"]
    assert notices(club.fan) == []  # a member, watching the association, may not see it

    answer = make_post(question, methodist, reply_to=opening, body=mention(club.fan, club.leader))
    assert db.session.scalar(sa.select(sa.func.count()).where(Mention.post_id == answer.id)) == 2  # both named
    assert notices(club.fan) == []
    assert [n.kind for n in notices(club.leader) if n.post_id == answer.id] == ["mention"]
    assert [n.kind for n in notices(admin) if n.post_id == answer.id] == ["thread_reply"]
    # the asker hears of the answer from consultations only
    assert kinds(club.reader) == [] and [n.post_id for n in notices(club.reader, "question_answered")] == [answer.id]


def test_a_members_only_association_tells_members_and_admins_only(club):
    association = make_association("Творческая группа", visibility=Visibility.MEMBERS, leader=club.leader,
                                   members=[club.author, club.reader])  # fmt: skip
    leaver, admin = make_user(), make_user(Role.ADMIN)
    make_membership(leaver, association)
    thread = make_thread(club.author, association)
    earlier = make_post(thread, leaver)
    watch(leaver, association)
    watch(admin, association)
    engagement.set_thread_watch(leaver, thread, WatchLevel.WATCHING)
    association_services.leave_association(leaver, association)

    answer = make_post(thread, club.reader, reply_to=earlier, body=mention(leaver))
    assert notices(leaver) == []  # watching, answered and named, but no longer a member
    assert kinds(admin) == [("thread_reply", answer.id)]
    engagement.set_useful(club.reader, earlier, True)
    assert notices(leaver) == []


def test_inactive_accounts_hear_nothing(club):
    watch(club.fan, club.association)
    club.fan.status = UserStatus.SUSPENDED
    make_post(club.thread, club.reader)
    assert notices(club.fan) == []


# --- pre-moderation -------------------------------------------------------------------------------------------------


@pytest.fixture
def held(club):
    """The reader has a reply in the thread; then the association starts holding a new member's first post, and a
    newcomer joins; the fan watches the association."""
    club.mine = make_post(club.thread, club.reader)
    club.association.premoderation_posts = 1
    club.newcomer = make_user(full_name="Новичок Новиков")
    make_membership(club.newcomer, club.association)
    watch(club.fan, club.association)
    return club


def about(user, post) -> list[str]:
    return [n.kind for n in notices(user) if n.post_id == post.id]


def test_a_held_reply_tells_nobody_until_it_is_approved(held):
    db.session.refresh(held.author)
    assert mark_thread_read(held.author, held.thread.id) == 1  # so that the next reply makes a notice of its own
    reply = make_post(held.thread, held.newcomer, reply_to=held.mine, body=mention(held.leader))
    assert reply.held_at is not None
    for user in (held.author, held.fan, held.leader, held.reader):
        assert about(user, reply) == []

    assert premoderation.approve_post(held.leader, reply)
    assert about(held.author, reply) == ["thread_reply"] and about(held.fan, reply) == ["thread_reply"]
    assert about(held.reader, reply) == ["post_reply"]
    assert about(held.leader, reply) == ["mention"]  # the newcomer's mention: approving it is not writing it
    assert {n.actor_id for n in notices(held.author) + notices(held.fan)} >= {held.newcomer.id}
    assert notices(held.newcomer) == []


def test_a_rejected_reply_never_tells_anyone(held):
    before = [(n.id, n.count) for n in notices(held.author)]
    reply = make_post(held.thread, held.newcomer, body=mention(held.fan))
    assert premoderation.reject_post(held.leader, reply, "Не по теме")
    assert [(n.id, n.count) for n in notices(held.author)] == before
    assert notices(held.fan) == []


def test_a_held_thread_is_announced_when_it_is_approved(held):
    thread = make_thread(held.newcomer, held.association, title="Вопрос новичка о лабораторных")
    assert thread.held_at is not None and notices(held.fan) == []
    opening = opening_post(thread)
    assert premoderation.approve_post(held.leader, opening)
    assert kinds(held.fan) == [("thread_new", opening.id)]
    assert notices(held.fan)[0].actor_id == held.newcomer.id


# --- «Полезно» ------------------------------------------------------------------------------------------------------


def test_useful_marks_make_one_notice_counting_the_colleagues(club):
    post = make_post(club.thread, club.reader)
    for colleague in (club.author, club.fan, club.leader):
        engagement.set_useful(colleague, post, True)
    [notice] = notices(club.reader, "post_useful")
    assert (notice.post_id, notice.count, notice.actor_id) == (post.id, 3, club.leader.id)
    assert notice.email_state == "digest"  # the category's default


def _bell(user) -> int:
    return db.session.scalar(sa.select(User.unread_notifications).where(User.id == user.id))


def test_taking_the_only_useful_mark_back_takes_its_notice_away(club):
    post = make_post(club.thread, club.reader)
    bell = _bell(club.reader)
    engagement.set_useful(club.fan, post, True)
    assert _bell(club.reader) == bell + 1
    engagement.set_useful(club.author, post, False)  # never marked: nothing happens
    assert [n.count for n in notices(club.reader, "post_useful")] == [1]
    engagement.set_useful(club.fan, post, False)
    assert notices(club.reader, "post_useful") == []
    assert _bell(club.reader) == bell


def test_a_useful_mark_taken_back_and_made_again_counts_once(club):
    post = make_post(club.thread, club.reader)
    engagement.set_useful(club.fan, post, True)
    engagement.set_useful(club.leader, post, True)
    engagement.set_useful(club.fan, post, False)
    [notice] = notices(club.reader, "post_useful")
    assert (notice.count, notice.actor_id) == (1, club.leader.id)  # the one still marking is named
    engagement.set_useful(club.fan, post, True)
    engagement.set_useful(club.fan, post, False)
    engagement.set_useful(club.fan, post, True)
    [notice] = notices(club.reader, "post_useful")
    assert (notice.count, notice.actor_id) == (2, club.fan.id)


def test_a_mark_the_author_already_read_about_is_not_counted_again(club):
    post = make_post(club.thread, club.reader)
    engagement.set_useful(club.fan, post, True)
    db.session.refresh(club.reader)  # the bell the page would show
    assert mark_thread_read(club.reader, club.thread.id)
    engagement.set_useful(club.leader, post, True)
    unread = [n for n in notices(club.reader, "post_useful") if n.read_at is None]
    assert [(n.count, n.actor_id) for n in unread] == [(1, club.leader.id)]
    engagement.set_useful(club.fan, post, False)  # read about already: the unread notice is not theirs
    unread = [n for n in notices(club.reader, "post_useful") if n.read_at is None]
    assert [(n.count, n.actor_id) for n in unread] == [(1, club.leader.id)]


# --- new threads and announcements --------------------------------------------------------------------------------


def test_a_new_thread_tells_those_watching_the_association(club):
    watch(club.fan, club.association)
    watch(club.reader, club.association, WatchLevel.TRACKING)
    watch(club.author, club.association)
    thread = make_thread(club.author, club.association, title="Новая тема про оптику")
    assert kinds(club.fan) == [("thread_new", opening_post(thread).id)]
    assert notices(club.reader) == [] and notices(club.author) == [] and notices(club.leader) == []


def test_an_announcement_goes_to_every_member_but_those_who_muted_the_association(club):
    outsider, suspended = make_user(), make_user()
    make_membership(suspended, club.association)
    suspended.status = UserStatus.SUSPENDED
    watch(outsider, club.association)  # not a member of this public association
    watch(club.fan, club.association)
    watch(club.reader, club.association, WatchLevel.MUTED)
    thread = make_thread(club.leader, club.association, kind=ThreadKind.ANNOUNCEMENT, title="Заседание 5 марта")
    opening = opening_post(thread)
    assert kinds(club.author) == [("announcement", opening.id)]
    assert kinds(club.fan) == [("announcement", opening.id)]  # not also thread_new
    assert kinds(outsider) == [("thread_new", opening.id)]
    assert notices(club.reader) == [] and notices(club.leader) == [] and notices(suspended) == []


def test_a_member_named_in_an_announcement_gets_the_mention_instead(club):
    thread = make_thread(club.leader, club.association, kind=ThreadKind.ANNOUNCEMENT, title="Открытый урок",
                         body=mention(club.fan))  # fmt: skip
    opening = opening_post(thread)
    assert kinds(club.fan) == [("mention", opening.id)]
    assert kinds(club.reader) == [("announcement", opening.id)]


# --- join requests --------------------------------------------------------------------------------------------------


def test_a_join_request_tells_the_associations_leaders(app):
    leaders = [make_user(), make_user()]
    association = make_association("РМО учителей литературы", join_policy=JoinPolicy.REQUEST, members=[make_user()])
    for leader in leaders:
        make_membership(leader, association, role=MemberRole.LEADER)
    admin, requester = make_user(Role.ADMIN), make_user()
    with app.test_request_context():  # the leaders' e-mail links to the requests page
        association_services.join_association(requester, association, message="Веду литературу")
    for leader in leaders:
        [notice] = notices(leader)
        assert (notice.kind, notice.association_id, notice.actor_id, notice.thread_id) == (
            "join_request", association.id, requester.id, None)  # fmt: skip
        assert notice.params == {"association": "РМО учителей литературы", "quote": "Веду литературу"}
    assert notices(admin) == [] and notices(requester) == []


def test_a_join_request_to_an_association_without_leaders_goes_to_the_admins(app):
    admins = [make_user(Role.ADMIN), make_user(Role.ADMIN)]
    retired = make_user(Role.ADMIN, UserStatus.SUSPENDED)
    association = make_association(join_policy=JoinPolicy.REQUEST)
    with app.test_request_context():
        association_services.join_association(make_user(), association)
    for admin in admins:
        assert [n.kind for n in notices(admin)] == ["join_request"]
    assert notices(retired) == []


# --- the inbox ------------------------------------------------------------------------------------------------------


def test_the_inbox_names_and_links_each_post(app, club, signed_in):
    watch(club.fan, club.association)
    reply = make_post(club.thread, club.reader, body="Начните с измерения плотности.")
    for colleague in (club.author, club.fan, club.leader):
        engagement.set_useful(colleague, reply, True)
    association = make_association("РМО учителей химии", join_policy=JoinPolicy.REQUEST, leader=club.leader)
    with app.test_request_context():
        association_services.join_association(club.reader, association)
    db.session.commit()

    fan_page = text(signed_in(club.fan).get("/notifications"))
    assert "Новый ответ в теме, за которой вы следите." in fan_page
    assert f'href="/threads/{club.thread.id}#post-{reply.number}"' in fan_page
    reader_page = text(signed_in(club.reader).get("/notifications"))
    assert "3 колле" in reader_page and "отметили ваше сообщение как полезное." in reader_page
    assert f'href="/threads/{club.thread.id}#post-{reply.number}"' in reader_page
    leader_page = text(signed_in(club.leader).get("/notifications"))
    assert "Новая заявка на вступление в объединение «РМО учителей химии»." in leader_page
    assert f'href="/associations/{association.slug}/requests"' in leader_page  # the requests to decide on


# --- cost -----------------------------------------------------------------------------------------------------------


def _reply_statements(count_queries, signed_in, watchers: int) -> list[int]:
    """Statements run by posting a first and a second reply in a thread whose association has `watchers` watchers."""
    author, first, second = make_user(), make_user(), make_user()
    fans = make_users(watchers)
    association = make_association(members=[author, first, second, *fans])
    db.session.add_all(AssociationWatch(user_id=fan.id, association_id=association.id, level=WatchLevel.WATCHING)
                       for fan in fans)  # fmt: skip
    thread = make_thread(author, association)
    db.session.commit()
    counts = []
    for replier in (first, second):
        client = signed_in(replier)
        with count_queries() as counted:
            response = client.post(f"/threads/{thread.id}/reply", data={"body": "Ответ по существу."})
        assert response.status_code == 302
        counts.append(counted.count)
    told = [n for fan in fans for n in notices(fan, "thread_reply")]
    assert len(told) == watchers and {n.count for n in told} == {2}  # grouped: one each, counting both replies
    return counts


def test_posting_a_reply_costs_the_same_for_2_or_20_watchers(count_queries, signed_in):
    assert _reply_statements(count_queries, signed_in, 2) == _reply_statements(count_queries, signed_in, 20)
