"""Reports of posts: the report form and its link, the automatic hide, the queues, and the decisions on reports."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.associations.models import JoinPolicy, MemberRole, Membership, Visibility
from app.auth.models import Role
from app.db import utcnow
from app.discussions.models import Post
from app.extensions import db
from app.moderation import reports
from app.moderation.models import ModerationAction, ModerationKind, Report, ReportOutcome, ReportReason
from app.moderation.posts import hide_post
from app.notifications.models import Notification
from tests.factories import make_association, make_membership, make_post, make_thread, make_user, make_users
from tests.moderation.conftest import counters, text


def _report(user, post, reason=ReportReason.SPAM, comment=""):
    return reports.report_post(user, post, reason=reason, comment=comment)


def _reports_of(post) -> list[Report]:
    return list(db.session.scalars(sa.select(Report).where(Report.post_id == post.id).order_by(Report.id)))


def _log_kinds(post) -> list[tuple]:
    found = db.session.execute(
        sa.select(ModerationAction.kind, ModerationAction.actor_id)
        .where(ModerationAction.post_id == post.id)
        .order_by(ModerationAction.id)
    )
    return [tuple(row) for row in found]


def _notices(user, kind: str) -> list[dict]:
    found = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == user.id, Notification.kind == kind)
        .order_by(Notification.id)
    )
    return [n.params for n in found]


def _fresh(post):
    db.session.expire(post)
    return post


# --- the report form --------------------------------------------------------------------------------------------


def test_a_member_reports_a_post_through_the_form(world, signed_in):
    reply, reporter = world["reply"], world["members"][1]
    client = signed_in(reporter)
    page = text(client.get(f"/posts/{reply.id}/report"))
    for label in ("спам", "оскорбление", "не по теме", "персональные данные учеников", "другое"):
        assert f"> {label}</label>" in page or f">{label}</label>" in page, label
    response = client.post(
        f"/posts/{reply.id}/report", data={"reason": "other", "comment": "  Ссылка на платный курс "}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#post-{reply.number}")
    (report,) = _reports_of(reply)
    assert (report.reporter_id, report.association_id, report.reason, report.comment, report.resolved_at) == (
        reporter.id, world["association"].id, ReportReason.OTHER, "Ссылка на платный курс", None
    )  # fmt: skip
    assert "жалоба отправлена модераторам" in text(client.get(response.headers["Location"]))
    assert _fresh(reply).hidden_at is None  # one report hides nothing


def test_the_report_pages_need_a_login(world, client):
    reply = world["reply"]
    for response in (client.get(f"/posts/{reply.id}/report"), client.post(f"/posts/{reply.id}/report")):
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _reports_of(reply) == []


def test_unknown_posts_own_posts_hidden_posts_and_private_associations(world, signed_in):
    author, reply = world["author"], world["reply"]
    assert signed_in(world["members"][1]).get("/posts/999999/report").status_code == 404
    own = signed_in(author)
    assert own.get(f"/posts/{reply.id}/report").status_code == 403
    assert own.post(f"/posts/{reply.id}/report", data={"reason": "spam"}).status_code == 403
    hidden = make_post(world["thread"], world["members"][2])
    hide_post(world["leader"], hidden, "Спам")
    closed = make_association(visibility=Visibility.MEMBERS, join_policy=JoinPolicy.REQUEST, members=[author])
    secret = make_thread(author, closed, title="Только для своих")
    db.session.commit()
    assert signed_in(world["members"][1]).post(f"/posts/{hidden.id}/report", data={"reason": "spam"}).status_code == 403
    outsider = signed_in(world["members"][3])
    opening_id = db.session.scalar(sa.select(Post.id).where(Post.thread_id == secret.id))
    assert outsider.get(f"/posts/{opening_id}/report").status_code == 404
    assert _reports_of(reply) == [] and _reports_of(hidden) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Выберите причину жалобы."),
        ({"reason": "nonsense"}, "Выберите причину жалобы."),
        ({"reason": "other", "comment": "   "}, "для причины «другое» комментарий обязателен"),
        ({"reason": "spam", "comment": "я" * 1001}, "Комментарий слишком длинный: не больше 1000 знаков."),
    ],
)
def test_bad_reports_come_back_with_the_reason(world, signed_in, data, message):
    reply = world["reply"]
    response = signed_in(world["members"][1]).post(f"/posts/{reply.id}/report", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert _reports_of(reply) == []


def test_a_comment_of_exactly_1000_characters_is_taken(world, signed_in):
    reply = world["reply"]
    response = signed_in(world["members"][1]).post(
        f"/posts/{reply.id}/report", data={"reason": "spam", "comment": "я" * 1000}
    )
    assert response.status_code == 302
    assert len(_reports_of(reply)[0].comment) == 1000


def test_one_report_per_member_and_post(world, signed_in):
    reply = world["reply"]
    client = signed_in(world["members"][1])
    assert client.post(f"/posts/{reply.id}/report", data={"reason": "spam"}).status_code == 302
    again = client.post(f"/posts/{reply.id}/report", data={"reason": "insult"})
    assert again.status_code == 400
    assert "Вы уже пожаловались на это сообщение" in text(again)
    assert "Вы уже пожаловались на это сообщение" in text(client.get(f"/posts/{reply.id}/report"))
    assert [r.reason for r in _reports_of(reply)] == [ReportReason.SPAM]
    with pytest.raises(reports.AlreadyReported):
        _report(world["members"][1], reply)


@contextmanager
def _csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_report_form_checks_csrf(app, world, signed_in):
    reply = world["reply"]
    client = signed_in(world["members"][1])
    with _csrf_on(app):
        assert client.post(f"/posts/{reply.id}/report", data={"reason": "spam"}).status_code == 400
    assert _reports_of(reply) == []


def test_the_report_link_is_on_the_posts_a_reader_may_report(world, signed_in, client):
    thread, reply, opening = world["thread"], world["reply"], world["opening"]
    hidden = make_post(thread, world["members"][2], body="Скрытый ответ")
    hide_post(world["leader"], hidden, "Спам")
    db.session.commit()
    link = '/posts/{}/report"'
    page = text(signed_in(world["members"][1]).get(f"/threads/{thread.id}"))
    assert link.format(reply.id) in page and link.format(opening.id) in page
    assert link.format(hidden.id) not in page
    assert "Пожаловаться" in page
    authors_page = text(signed_in(world["author"]).get(f"/threads/{thread.id}"))
    assert link.format(reply.id) not in authors_page and link.format(opening.id) in authors_page
    assert "/report" not in text(client.get(f"/threads/{thread.id}"))


# --- the automatic hide -----------------------------------------------------------------------------------------


def test_three_different_members_hide_a_post_until_a_moderator_decides(world):
    thread, reply, author = world["thread"], world["reply"], world["author"]
    first, second, third = world["members"][1:4]
    before = counters(thread)
    _report(first, reply)
    _report(second, reply, ReportReason.INSULT)
    assert _fresh(reply).hidden_at is None  # two are not enough
    with pytest.raises(reports.AlreadyReported):  # the same member again counts once
        _report(second, reply)
    assert _fresh(reply).hidden_at is None
    _report(third, reply, ReportReason.OFF_TOPIC)
    assert _fresh(reply).hidden_at is not None
    assert (reply.hidden_by_id, reply.hidden_reason) == (None, reports.AUTO_HIDE_REASON)
    assert counters(thread) == (before[0] - 1, before[1] - 1)
    assert _log_kinds(reply) == [(ModerationKind.AUTO_HIDDEN, None)]
    assert _notices(author, "post_hidden") == [
        {"thread_title": thread.title, "post_number": reply.number, "reason": reports.AUTO_HIDE_REASON}
    ]


def test_reports_already_resolved_do_not_count_towards_the_hide(world):
    reply, leader = world["reply"], world["leader"]
    _report(world["members"][1], reply)
    _report(world["members"][2], reply)
    reports.resolve_reports(leader, reply, outcome=ReportOutcome.DISMISSED)
    _report(world["members"][3], reply)
    assert _fresh(reply).hidden_at is None


def test_pupils_personal_data_hide_the_post_at_once(world, signed_in):
    thread, reply = world["thread"], world["reply"]
    before = counters(thread)
    response = signed_in(world["members"][1]).post(f"/posts/{reply.id}/report", data={"reason": "pupils_data"})
    assert response.status_code == 302
    assert _fresh(reply).hidden_at is not None
    assert (reply.hidden_by_id, reply.hidden_reason) == (None, reports.PUPILS_DATA_REASON)
    assert counters(thread) == (before[0] - 1, before[1] - 1)
    assert _log_kinds(reply) == [(ModerationKind.AUTO_HIDDEN, None)]
    assert len(_notices(world["author"], "post_hidden")) == 1
    other = text(signed_in(world["members"][2]).get(f"/threads/{thread.id}"))
    assert "Присылайте задания" not in other


# --- the queues -------------------------------------------------------------------------------------------------


def test_who_may_open_the_association_queue(world, signed_in, client):
    url = f"/associations/{world['association'].slug}/moderation"
    assert client.get(url).status_code == 302 and "/login" in client.get(url).headers["Location"]
    assert signed_in(world["members"][1]).get(url).status_code == 403
    assert signed_in(world["other_leader"]).get(url).status_code == 403
    assert signed_in(world["leader"]).get(url).status_code == 200
    assert signed_in(world["admin"]).get(url).status_code == 200
    assert signed_in(world["leader"]).get("/associations/no-such-thing/moderation").status_code == 404


def test_a_members_only_association_is_not_revealed_by_its_queue(world, signed_in):
    closed = make_association(visibility=Visibility.MEMBERS, join_policy=JoinPolicy.REQUEST, leader=world["leader"])
    db.session.commit()
    url = f"/associations/{closed.slug}/moderation"
    assert signed_in(world["other_leader"]).get(url).status_code == 404
    assert signed_in(world["leader"]).get(url).status_code == 200
    assert signed_in(world["admin"]).get(url).status_code == 200


def test_who_may_open_the_site_queue(world, signed_in, client):
    assert "/login" in client.get("/moderation").headers["Location"]
    assert signed_in(world["leader"]).get("/moderation").status_code == 403
    assert signed_in(world["members"][1]).get("/moderation").status_code == 403
    assert signed_in(world["admin"]).get("/moderation").status_code == 200


def test_the_queue_groups_open_reports_by_post_oldest_first(world, signed_in):
    reply, opening = world["reply"], world["opening"]
    first, second, third = world["members"][1:4]
    _report(first, reply, ReportReason.SPAM, "Реклама курсов")
    _report(second, reply, ReportReason.SPAM)
    _report(third, reply, ReportReason.OTHER, "Это уже третья такая ссылка")
    _report(second, opening, ReportReason.OFF_TOPIC)
    _report(first, opening, ReportReason.OFF_TOPIC)
    db.session.commit()
    page = text(signed_in(world["leader"]).get(f"/associations/{world['association'].slug}/moderation"))
    assert page.index(f'id="reported-{reply.id}"') < page.index(f'id="reported-{opening.id}"')
    item = page[page.index(f'id="reported-{reply.id}"') : page.index(f'id="reported-{opening.id}"')]
    assert "Присылайте задания, разберём на заседании." in item  # the excerpt
    assert "Автор Сообщения" in item
    assert f"/threads/{world['thread'].id}" in item
    assert "спам · 2" in item and "другое · 1" in item
    assert "Реклама курсов" in item and "Это уже третья такая ссылка" in item
    assert "Участник Номер 2, Участник Номер 3, Участник Номер 4" in item
    assert "скрыто по жалобам до проверки" in item  # three members: hidden automatically
    assert "Жалобы участников: спам, другое" in item  # the suggested reason
    rest = page[page.index(f'id="reported-{opening.id}"') :]
    assert "не по теме · 2" in rest and "скрыто по жалобам до проверки" not in rest.split("</li>")[0]
    assert "Решённых жалоб пока нет." in page


def test_the_association_queue_holds_its_own_reports_and_the_site_queue_all(world, signed_in):
    elsewhere = make_thread(world["other_leader"], world["other"], title="Тема в другом объединении")
    post = make_post(elsewhere, make_user(), body="Чужой ответ")
    reporter = world["members"][1]
    _report(reporter, world["reply"])
    _report(world["other_leader"], post)
    db.session.commit()
    mine = text(signed_in(world["leader"]).get(f"/associations/{world['association'].slug}/moderation"))
    assert f'id="reported-{world["reply"].id}"' in mine and f'id="reported-{post.id}"' not in mine
    site = text(signed_in(world["admin"]).get("/moderation"))
    assert f'id="reported-{world["reply"].id}"' in site and f'id="reported-{post.id}"' in site
    assert "РМО учителей биологии" in site
    assert 'name="back" value="site"' in site


def test_the_queue_pages_and_runs_a_fixed_number_of_queries(world, signed_in, count_queries):
    leader, association = world["leader"], world["association"]
    url = f"/associations/{association.slug}/moderation"
    client = signed_in(leader)
    reporters = make_users(3)
    for user in reporters:
        db.session.add(Membership(user=user, association=association, status="active", joined_at=utcnow()))
    _report(reporters[0], world["reply"])
    db.session.commit()
    with count_queries() as one:
        assert client.get(url).status_code == 200
    posts = []
    for n in range(21):
        posts.append(make_post(world["thread"], world["members"][n % 4], body=f"Ответ номер {n}"))
        for user in reporters[: 1 + n % 2]:
            _report(user, posts[-1], ReportReason.OTHER, f"Комментарий {n}")
    reports.resolve_reports(leader, posts[0], outcome=ReportOutcome.HIDDEN, reason="Спам")
    db.session.commit()
    with count_queries() as twenty:
        page = text(client.get(url))
    assert twenty.count == one.count, twenty.statements
    assert page.count('class="queue-item report-item"') == reports.PER_PAGE
    assert f'href="{url}?page=2"' in page
    second = text(client.get(f"{url}?page=2"))  # 21 posts with open reports: one on the second page, the newest
    assert second.count('class="queue-item report-item"') == 1 and f'id="reported-{posts[-1].id}"' in second
    admin = signed_in(world["admin"])
    with count_queries() as site:
        admin.get("/moderation")
    _report(make_user(), make_post(world["thread"], world["members"][0]))
    db.session.commit()
    with count_queries() as site_more:
        admin.get("/moderation")
    assert site_more.count == site.count, site_more.statements


# --- resolving --------------------------------------------------------------------------------------------------


def _resolve(client, post, **data):
    return client.post(f"/posts/{post.id}/reports/resolve", data=data)


def test_dismissing_shows_an_automatically_hidden_post_again_and_tells_the_reporters(world, signed_in):
    thread, reply, leader = world["thread"], world["reply"], world["leader"]
    reporters = world["members"][1:4]
    before = counters(thread)
    for user in reporters:
        _report(user, reply)
    db.session.commit()
    response = _resolve(signed_in(leader), reply, outcome="dismissed", reason="")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/associations/{world['association'].slug}/moderation")
    assert _fresh(reply).hidden_at is None
    assert counters(thread) == before
    assert {(r.outcome, r.resolved_by_id) for r in _reports_of(reply)} == {(ReportOutcome.DISMISSED, leader.id)}
    assert all(r.resolved_at is not None for r in _reports_of(reply))
    assert _log_kinds(reply) == [
        (ModerationKind.AUTO_HIDDEN, None),
        (ModerationKind.REPORT_DISMISSED, leader.id),
        (ModerationKind.POST_UNHIDDEN, leader.id),
    ]
    for user in reporters:
        assert _notices(user, "report_resolved") == [
            {"outcome": "dismissed", "thread_title": thread.title, "post_number": reply.number}
        ]
    page = text(signed_in(leader).get(f"/associations/{world['association'].slug}/moderation"))
    assert "Открытых жалоб нет." in page and "жалоба отклонена" in page


def test_dismissing_leaves_a_post_a_moderator_hid(world, signed_in):
    reply, leader = world["reply"], world["leader"]
    _report(world["members"][1], reply)
    hide_post(leader, reply, "Скрыто руководителем")
    db.session.commit()
    assert _resolve(signed_in(world["admin"]), reply, outcome="dismissed").status_code == 302
    assert _fresh(reply).hidden_reason == "Скрыто руководителем"


def test_hiding_from_the_queue(world, signed_in):
    thread, reply, leader, author = world["thread"], world["reply"], world["leader"], world["author"]
    reporter = world["members"][1]
    before = counters(thread)
    _report(reporter, reply, ReportReason.INSULT, "Грубость")
    db.session.commit()
    response = _resolve(signed_in(leader), reply, outcome="hidden", reason="Оскорбление коллеги")
    assert response.status_code == 302
    assert (_fresh(reply).hidden_by_id, reply.hidden_reason) == (leader.id, "Оскорбление коллеги")
    assert counters(thread) == (before[0] - 1, before[1] - 1)
    assert _reports_of(reply)[0].outcome == ReportOutcome.HIDDEN
    assert _log_kinds(reply) == [(ModerationKind.REPORT_UPHELD, leader.id), (ModerationKind.POST_HIDDEN, leader.id)]
    assert _notices(reporter, "report_resolved")[0]["outcome"] == "hidden"
    assert _notices(author, "post_hidden")[0]["reason"] == "Оскорбление коллеги"
    assert "Присылайте задания" not in text(signed_in(world["members"][2]).get(f"/threads/{thread.id}"))


def test_hiding_and_muting_the_author(world, signed_in):
    reply, leader, author, association = world["reply"], world["leader"], world["author"], world["association"]
    _report(world["members"][1], reply)
    db.session.commit()
    page = text(signed_in(leader).get(f"/associations/{association.slug}/moderation"))
    assert "Скрыть и запретить автору писать" in page
    response = _resolve(signed_in(leader), reply, outcome="hidden_muted", reason="Повторный спам", mute_days="7")
    assert response.status_code == 302
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == author.id, Membership.association_id == association.id)
    )
    assert abs(membership.muted_until - (utcnow() + timedelta(days=7))) < timedelta(minutes=1)
    assert membership.mute_reason == "Повторный спам"
    assert _fresh(reply).hidden_at is not None
    kinds = db.session.scalars(
        sa.select(ModerationAction.kind).where(ModerationAction.user_id == author.id).order_by(ModerationAction.id)
    ).all()
    assert kinds == [ModerationKind.REPORT_UPHELD, ModerationKind.POST_HIDDEN, ModerationKind.MEMBER_MUTED]
    (muted,) = _notices(author, "member_muted")
    assert muted == {"association": association.name, "until": membership.muted_until.isoformat(),
                     "reason": "Повторный спам"}  # fmt: skip
    assert _notices(world["members"][1], "report_resolved")[0]["outcome"] == "hidden_muted"
    # muted: reads, but does not post
    author_client = signed_in(author)
    assert author_client.post(f"/threads/{world['thread'].id}/reply", data={"body": "Ещё раз"}).status_code in (
        403,
        400,
    )


def test_a_leader_cannot_mute_another_leader_but_an_admin_can(world, signed_in):
    leader, association = world["leader"], world["association"]
    co_leader = make_user()
    make_membership(co_leader, association, role=MemberRole.LEADER)
    post = make_post(world["thread"], co_leader, body="Ответ второго руководителя")
    _report(world["members"][1], post)
    db.session.commit()
    page = text(signed_in(leader).get(f"/associations/{association.slug}/moderation"))
    assert "Скрыть и запретить автору писать" not in page
    refused = _resolve(signed_in(leader), post, outcome="hidden_muted", reason="Спам", mute_days="1")
    assert refused.status_code == 403
    assert _reports_of(post)[0].resolved_at is None and _fresh(post).hidden_at is None
    assert (
        _resolve(signed_in(world["admin"]), post, outcome="hidden_muted", reason="Спам", mute_days="1").status_code
        == 302
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "hidden", "reason": "  "}, "Укажите причину: её увидит автор сообщения."),
        ({"outcome": "burn", "reason": "Спам"}, "Выберите решение."),
        ({"outcome": "hidden_muted", "reason": "Спам", "mute_days": "365"}, "Выберите срок: 1, 3, 7 или 30 дней."),
        ({"outcome": "hidden", "reason": "я" * 501}, "Причина слишком длинная: не больше 500 знаков."),
    ],
)
def test_bad_decisions_come_back_with_the_reason(world, signed_in, data, message):
    reply = world["reply"]
    _report(world["members"][1], reply)
    db.session.commit()
    response = _resolve(signed_in(world["leader"]), reply, **data)
    assert response.status_code == 400
    assert message in text(response)
    assert _reports_of(reply)[0].resolved_at is None and _fresh(reply).hidden_at is None


def test_who_may_resolve(world, signed_in, client):
    reply = world["reply"]
    _report(world["members"][1], reply)
    db.session.commit()
    data = {"outcome": "hidden", "reason": "Спам"}
    assert "/login" in _resolve(client, reply, **data).headers["Location"]
    assert _resolve(signed_in(world["members"][2]), reply, **data).status_code == 403
    assert _resolve(signed_in(world["other_leader"]), reply, **data).status_code == 403
    assert client.post("/posts/999999/reports/resolve", data=data).status_code in (302, 404)
    assert _resolve(signed_in(world["leader"]), reply, **data).status_code == 302
    assert signed_in(world["leader"]).post("/posts/999999/reports/resolve", data=data).status_code == 404


def test_the_site_queue_comes_back_to_itself_and_a_second_decision_is_refused(world, signed_in):
    reply = world["reply"]
    _report(world["members"][1], reply)
    db.session.commit()
    admin = signed_in(world["admin"])
    first = _resolve(admin, reply, outcome="hidden", reason="Спам", back="site")
    assert first.headers["Location"].endswith("/moderation")
    again = _resolve(admin, reply, outcome="dismissed", back="site")
    assert again.status_code == 302
    assert "Жалобы на это сообщение уже рассмотрены." in text(admin.get("/moderation"))
    assert _reports_of(reply)[0].outcome == ReportOutcome.HIDDEN


def test_resolving_checks_csrf(app, world, signed_in):
    reply = world["reply"]
    _report(world["members"][1], reply)
    db.session.commit()
    client = signed_in(world["leader"])
    with _csrf_on(app):
        assert _resolve(client, reply, outcome="hidden", reason="Спам").status_code == 400
    assert _reports_of(reply)[0].resolved_at is None


def test_the_resolved_list_keeps_the_last_fifty(world, signed_in):
    leader = world["leader"]
    posts = [make_post(world["thread"], world["author"], body=f"Ответ {n}") for n in range(reports.RESOLVED_SHOWN + 1)]
    for post in posts:
        _report(world["members"][1], post)
        reports.resolve_reports(leader, post, outcome=ReportOutcome.DISMISSED)
    db.session.commit()
    cases = reports.resolved_cases(world["association"])
    assert len(cases) == reports.RESOLVED_SHOWN
    assert posts[0].id not in {case.post_id for case in cases}
    assert (cases[0].count, cases[0].outcome, cases[0].resolver_name) == (1, ReportOutcome.DISMISSED, leader.full_name)


def test_an_admin_role_is_enough_anywhere(world, signed_in):
    admin2 = make_user(Role.ADMIN)
    _report(world["members"][1], world["reply"])
    db.session.commit()
    assert _resolve(signed_in(admin2), world["reply"], outcome="hidden", reason="Спам").status_code == 302
