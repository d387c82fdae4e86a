"""Moderating members (issue 6): mute for a period and unmute, remove, ban and lift a ban; who may do it; what the
member sees; joins, join requests and invitations refused to a banned person with the reason."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.associations import services as association_services
from app.associations.models import Association, JoinPolicy, MemberRole, Membership, MembershipStatus
from app.auth.models import Role
from app.db import utcnow
from app.discussions.models import Post
from app.extensions import db
from app.moderation.models import ModerationAction, ModerationKind
from app.notifications.models import Notification
from tests.consultations import conftest as consultation_fixtures
from tests.factories import make_association, make_invitation, make_thread, make_user, make_users

signed_in = consultation_fixtures.signed_in  # a fixture: a new client signed in as the user
text = consultation_fixtures.text


@pytest.fixture
def club():
    """An association with its leader, a second leader, a member to act on and a bystander member; another
    association's leader; an admin; a thread (committed: the tests go through HTTP)."""
    leader, co_leader = make_user(full_name="Руководитель Клуба"), make_user(full_name="Второй Руководитель")
    target, bystander = make_user(full_name="Участник Нарушитель"), make_user(full_name="Участник Сторонний")
    association = make_association("РМО учителей истории", leader=leader, members=[target, bystander])
    association_services.add_member(co_leader, association, role=MemberRole.LEADER)
    other_leader = make_user(full_name="Руководитель Чужой")
    make_association("РМО учителей музыки", leader=other_leader)
    thread = make_thread(bystander, association, title="Музей в школе")
    admin = make_user(Role.ADMIN)
    db.session.commit()
    return {"leader": leader, "co_leader": co_leader, "target": target, "bystander": bystander,
            "association": association, "other_leader": other_leader, "thread": thread, "admin": admin}  # fmt: skip


def membership_of(user, association) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user.id, Membership.association_id == association.id)
    )


def url(club, user, action: str = "") -> str:
    m = membership_of(club[user] if isinstance(user, str) else user, club["association"])
    return f"/associations/{club['association'].slug}/moderation/members/{m.id}" + (f"/{action}" if action else "")


def log_kinds(association) -> list[ModerationKind]:
    stmt = sa.select(ModerationAction.kind).where(ModerationAction.association_id == association.id)
    return list(db.session.scalars(stmt.order_by(ModerationAction.id)))


def notices(user) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)))


MUTE = {"period": "3", "reason": "Оскорбления в обсуждении"}


# --- who may act ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "data"),
    [("", None), ("mute", MUTE), ("unmute", {}), ("remove", {"remove-reason": "Не педагог"}),
     ("ban", {"ban-reason": "Спам"})],
)  # fmt: skip
def test_only_the_associations_leaders_and_admins_act_on_a_member(client, signed_in, club, action, data):
    target = url(club, "target", action)
    send = (lambda c: c.get(target)) if data is None else (lambda c: c.post(target, data=data))
    assert send(client).status_code == 302 and "/login" in send(client).location
    assert send(signed_in(club["bystander"])).status_code == 403
    assert send(signed_in(club["other_leader"])).status_code == 403
    assert send(signed_in(club["leader"])).status_code in (200, 302)


def test_a_leader_does_not_act_on_a_leader_or_on_themself_but_an_admin_does(signed_in, club):
    leader = signed_in(club["leader"])
    assert leader.get(url(club, "co_leader")).status_code == 403
    assert leader.post(url(club, "co_leader", "mute"), data=MUTE).status_code == 403
    assert leader.post(url(club, "co_leader", "ban"), data={"ban-reason": "Спам"}).status_code == 403
    assert leader.post(url(club, "leader", "remove"), data={"remove-reason": "Сам"}).status_code == 403
    admin = signed_in(club["admin"])
    assert admin.get(url(club, "co_leader")).status_code == 200
    assert admin.post(url(club, "co_leader", "mute"), data=MUTE).status_code == 302
    assert membership_of(club["co_leader"], club["association"]).muted_until is not None


def test_unknown_or_foreign_memberships_are_not_found(signed_in, club):
    leader = signed_in(club["leader"])
    slug = club["association"].slug
    assert leader.get(f"/associations/{slug}/moderation/members/999999").status_code == 404
    assert leader.post(f"/associations/{slug}/moderation/members/999999/mute", data=MUTE).status_code == 404
    foreign = membership_of(club["other_leader"], db.session.scalar(sa.select(Association).filter_by(
        name="РМО учителей музыки")))  # fmt: skip
    assert leader.get(f"/associations/{slug}/moderation/members/{foreign.id}").status_code == 404
    assert leader.get(f"/associations/no-such/moderation/members/{foreign.id}").status_code == 404


def test_the_members_list_links_moderators_to_a_member_and_costs_the_same_with_more_members(
    signed_in, club, count_queries
):
    leader, bystander = signed_in(club["leader"]), signed_in(club["bystander"])
    page = f"/associations/{club['association'].slug}/members"
    assert url(club, "target") in text(leader.get(page))
    assert url(club, "co_leader") not in text(leader.get(page))  # a leader is not a leader's to discipline
    assert "/moderation/members/" not in text(bystander.get(page))
    with count_queries() as few:
        leader.get(page)
    for user in make_users(10):
        association_services.add_member(user, club["association"])
    membership_of(club["target"], club["association"]).muted_until = utcnow() + timedelta(days=1)
    db.session.commit()
    with count_queries() as many:
        html = text(leader.get(page))
    assert "не может писать до" in html
    assert many.count == few.count, many.statements


# --- mute -----------------------------------------------------------------------------------------------------------


def test_a_muted_member_reads_sees_until_when_and_why_and_cannot_post(signed_in, club):
    before = utcnow()
    response = signed_in(club["leader"]).post(url(club, "target", "mute"), data=MUTE)
    assert response.status_code == 302
    m = membership_of(club["target"], club["association"])
    assert before + timedelta(days=3) <= m.muted_until <= utcnow() + timedelta(days=3)
    assert m.mute_reason == "Оскорбления в обсуждении"
    assert log_kinds(club["association"]) == [ModerationKind.MEMBER_MUTED]
    (notice,) = notices(club["target"])
    assert notice.kind == "member_muted" and notice.params["reason"] == "Оскорбления в обсуждении"
    assert datetime.fromisoformat(notice.params["until"]) == m.muted_until
    assert notice.params["association"] == "РМО учителей истории"

    member = signed_in(club["target"])
    thread = club["thread"]
    expected = "Вы не можете писать в этом объединении до"
    page = text(member.get(f"/associations/{club['association'].slug}/"))
    assert expected in page and "Оскорбления в обсуждении" in page and "Новая тема" not in page
    page = text(member.get(f"/threads/{thread.id}"))
    assert expected in page and f'action="/threads/{thread.id}/reply"' not in page
    assert member.post(f"/threads/{thread.id}/reply", data={"body": "Всё равно напишу."}).status_code == 403
    assert member.get(f"/associations/{club['association'].slug}/threads/new").status_code == 403
    # others are not told anything
    assert expected not in text(signed_in(club["bystander"]).get(f"/threads/{thread.id}"))


def test_a_mute_runs_out_by_itself(signed_in, club):
    m = membership_of(club["target"], club["association"])
    m.muted_until, m.mute_reason = utcnow() - timedelta(minutes=1), "Было"
    db.session.commit()
    member = signed_in(club["target"])
    thread = club["thread"]
    assert "Вы не можете писать" not in text(member.get(f"/threads/{thread.id}"))
    assert member.post(f"/threads/{thread.id}/reply", data={"body": "Снова пишу."}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Post.id)).where(Post.thread_id == thread.id)) == 2


def test_mute_until_a_date_ends_at_the_start_of_that_day_in_moscow(signed_in, club):
    day = (utcnow() + timedelta(days=10)).date()
    response = signed_in(club["leader"]).post(
        url(club, "target", "mute"), data={"period": "date", "until": day.isoformat(), "reason": "Остыть"}
    )
    assert response.status_code == 302
    until = membership_of(club["target"], club["association"]).muted_until
    assert until == datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=3)  # 00:00 MSK


@pytest.mark.parametrize(
    ("data", "message"),
    [({"period": "3", "reason": " "}, "Укажите причину"),
     ({"period": "date", "reason": "Причина"}, "Укажите дату"),
     ({"period": "date", "until": "2020-01-01", "reason": "Причина"}, "не раньше завтрашней"),
     ({"period": "date", "until": "3020-01-01", "reason": "Причина"}, "не дальше чем через год"),
     ({"period": "date", "until": "не дата", "reason": "Причина"}, None),
     ({"period": "99", "reason": "Причина"}, None),
     ({"period": "3", "reason": "я" * 501}, "Не больше 500 символов")],
)  # fmt: skip
def test_bad_mute_input_comes_back_with_a_message_and_changes_nothing(signed_in, club, data, message):
    response = signed_in(club["leader"]).post(url(club, "target", "mute"), data=data)
    assert response.status_code == 400
    html = text(response)
    assert "Проверьте поля формы" in html
    if message:
        assert message in html
    assert membership_of(club["target"], club["association"]).muted_until is None
    assert log_kinds(club["association"]) == []


def test_unmuting_gives_the_right_back_at_once(signed_in, club):
    leader = signed_in(club["leader"])
    leader.post(url(club, "target", "mute"), data=MUTE)
    assert leader.post(url(club, "target", "unmute"), data={"unmute-reason": "Извинился"}).status_code == 302
    m = membership_of(club["target"], club["association"])
    assert m.muted_until is None and m.mute_reason == ""
    assert log_kinds(club["association"]) == [ModerationKind.MEMBER_MUTED, ModerationKind.MEMBER_UNMUTED]
    last = sa.select(ModerationAction.reason).order_by(ModerationAction.id.desc()).limit(1)
    assert db.session.scalar(last) == "Извинился"
    assert [n.kind for n in notices(club["target"])] == ["member_muted", "member_unmuted"]
    thread = club["thread"]
    assert signed_in(club["target"]).post(f"/threads/{thread.id}/reply", data={"body": "Спасибо."}).status_code == 302
    # unmuting someone who is not muted changes nothing
    assert leader.post(url(club, "target", "unmute"), data={}).status_code == 302
    assert len(log_kinds(club["association"])) == 2


# --- remove, ban, unban ---------------------------------------------------------------------------------------------


def test_removing_a_member_lets_them_join_again(signed_in, club):
    association = club["association"]
    count = association.member_count
    response = signed_in(club["leader"]).post(url(club, "target", "remove"), data={"remove-reason": "Не педагог"})
    assert response.status_code == 302
    assert membership_of(club["target"], association) is None
    db.session.refresh(association)
    assert association.member_count == count - 1
    assert log_kinds(association) == [ModerationKind.MEMBER_REMOVED]
    assert [(n.kind, n.params["reason"]) for n in notices(club["target"])] == [("member_removed", "Не педагог")]
    assert signed_in(club["target"]).post(f"/associations/{association.slug}/join").status_code == 302
    assert membership_of(club["target"], association).status == MembershipStatus.ACTIVE


def test_removal_and_ban_need_a_reason(signed_in, club):
    leader = signed_in(club["leader"])
    response = leader.post(url(club, "target", "remove"), data={"remove-reason": ""})
    assert response.status_code == 400 and "Укажите причину" in text(response)
    response = leader.post(url(club, "target", "ban"), data={"ban-reason": "   "})
    assert response.status_code == 400 and "Укажите причину" in text(response)
    assert membership_of(club["target"], club["association"]).status == MembershipStatus.ACTIVE


def ban(signed_in, club, reason="Реклама курсов"):
    response = signed_in(club["leader"]).post(url(club, "target", "ban"), data={"ban-reason": reason})
    assert response.status_code == 302
    return membership_of(club["target"], club["association"])


def test_a_ban_removes_the_member_and_keeps_the_reason(signed_in, club):
    association = club["association"]
    count = association.member_count
    m = ban(signed_in, club)
    assert m.status == MembershipStatus.BANNED and m.ban_reason == "Реклама курсов"
    db.session.refresh(association)
    assert association.member_count == count - 1
    assert log_kinds(association) == [ModerationKind.MEMBER_BANNED]
    (notice,) = notices(club["target"])
    assert notice.kind == "member_banned" and notice.params["reason"] == "Реклама курсов"
    banned_page = text(signed_in(club["leader"]).get(f"/associations/{association.slug}/moderation/banned"))
    assert "Участник Нарушитель" in banned_page and "Реклама курсов" in banned_page
    assert "Участник Нарушитель" not in text(signed_in(club["leader"]).get(f"/associations/{association.slug}/members"))


BARRED = "Руководитель объединения закрыл вам доступ: Реклама курсов"


def test_a_banned_person_cannot_join_leave_or_see_the_join_button(signed_in, club):
    ban(signed_in, club)
    slug = club["association"].slug
    banned = signed_in(club["target"])
    page = text(banned.get(f"/associations/{slug}/"))
    assert BARRED in page and "Вступить" not in page and "отменить" not in page
    assert BARRED in text(banned.post(f"/associations/{slug}/join", follow_redirects=True))
    assert BARRED in text(banned.post(f"/associations/{slug}/leave", follow_redirects=True))  # would delete the ban
    assert membership_of(club["target"], club["association"]).status == MembershipStatus.BANNED


def test_a_banned_person_cannot_send_a_join_request(signed_in, club):
    association = club["association"]
    association.join_policy = JoinPolicy.REQUEST
    db.session.commit()
    ban(signed_in, club)
    response = signed_in(club["target"]).post(f"/associations/{association.slug}/join", data={"message": "Возьмите"})
    assert BARRED in text(signed_in(club["target"]).get(response.location))
    m = membership_of(club["target"], association)
    assert m.status == MembershipStatus.BANNED and m.message == ""
    # nor may a leader accept or decline the banned row as if it were a request
    leader = signed_in(club["leader"])
    leader.post(f"/associations/{association.slug}/requests/{m.id}/accept")
    leader.post(f"/associations/{association.slug}/requests/{m.id}/decline")
    assert membership_of(club["target"], association).status == MembershipStatus.BANNED


def test_a_banned_person_cannot_accept_an_invitation_nor_be_invited(signed_in, club):
    association = club["association"]
    invitation = make_invitation(association, club["target"].email, invited_by=club["leader"])
    db.session.commit()
    ban(signed_in, club)
    response = signed_in(club["target"]).post(
        f"/associations/invitations/{invitation.id}/accept", follow_redirects=True
    )
    assert BARRED in text(response)
    assert membership_of(club["target"], association).status == MembershipStatus.BANNED
    db.session.refresh(invitation)
    assert invitation.accepted_at is None
    response = signed_in(club["leader"]).post(
        f"/associations/{association.slug}/invite", data={"email": club["target"].email}
    )
    assert response.status_code == 400 and "закрыт доступ в это объединение" in text(response)


def test_lifting_a_ban_lets_them_ask_again(signed_in, club):
    ban(signed_in, club)
    leader = signed_in(club["leader"])
    assert leader.post(url(club, "target", "unban"), data={"reason": "Договорились"}).status_code == 302
    assert membership_of(club["target"], club["association"]) is None
    assert log_kinds(club["association"]) == [ModerationKind.MEMBER_BANNED, ModerationKind.MEMBER_UNBANNED]
    assert [n.kind for n in notices(club["target"])] == ["member_banned", "member_unbanned"]
    assert signed_in(club["target"]).post(f"/associations/{club['association'].slug}/join").status_code == 302
    assert membership_of(club["target"], club["association"]).status == MembershipStatus.ACTIVE


def test_banning_rules_per_role(client, signed_in, club):
    ban(signed_in, club)
    target = url(club, "target", "unban")
    banned_list = f"/associations/{club['association'].slug}/moderation/banned"
    assert "/login" in client.post(target).location and "/login" in client.get(banned_list).location
    for who in ("bystander", "other_leader"):
        assert signed_in(club[who]).post(target).status_code == 403
        assert signed_in(club[who]).get(banned_list).status_code == 403
    # a ban is not banned twice, and a member who is not banned is not unbanned
    leader = signed_in(club["leader"])
    assert leader.post(url(club, "target", "ban"), data={"ban-reason": "Ещё раз"}).status_code == 403
    assert leader.post(url(club, "bystander", "unban")).status_code == 403
    assert signed_in(club["admin"]).post(target).status_code == 302


def test_an_admin_bans_a_leader_who_then_leads_no_more(signed_in, club):
    response = signed_in(club["admin"]).post(url(club, "co_leader", "ban"), data={"ban-reason": "Самоуправство"})
    assert response.status_code == 302
    m = membership_of(club["co_leader"], club["association"])
    assert m.status == MembershipStatus.BANNED and m.role == MemberRole.MEMBER


def test_actions_need_a_csrf_token(app, signed_in, club):
    leader = signed_in(club["leader"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert leader.post(url(club, "target", "mute"), data=MUTE).status_code == 400
        assert leader.post(url(club, "target", "ban"), data={"ban-reason": "Спам"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert membership_of(club["target"], club["association"]).status == MembershipStatus.ACTIVE
    assert membership_of(club["target"], club["association"]).muted_until is None
