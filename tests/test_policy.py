"""The permission table: every rule of app/policy.py, for every role, on every kind of association.

The tables below read as "rule → target → the roles allowed"; `test_every_rule_is_in_the_table` fails when a rule is
added to app/policy.py without its row here.
"""

import inspect

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from app import policy
from app.admin import services as admin_services
from app.associations.models import Invitation, JoinPolicy, MemberRole, MembershipStatus, Visibility
from app.auth.models import Role, UserStatus
from app.db import utcnow
from app.discussions.models import Post
from app.extensions import db
from tests.factories import make_association, make_membership, make_user

ROLES = [
    "anonymous",  # not signed in
    "pending",  # registered, waiting for approval
    "suspended",  # blocked by an admin, though still a leader of every association below
    "teacher",  # signed in, no membership
    "requester",  # a pending join request to every association below
    "member",  # an active member of every association below
    "leader",  # leads every association below
    "other_leader",  # leads another association only
    "methodist",
    "admin",
]
ACTIVE = {"teacher", "requester", "member", "leader", "other_leader", "methodist", "admin"}
EVERYONE = set(ROLES)
NOBODY: set[str] = set()

# kind of association → how it is made
ASSOCIATION_KINDS = {
    "public": {"visibility": Visibility.PUBLIC, "join_policy": JoinPolicy.OPEN},
    "by_request": {"visibility": Visibility.PUBLIC, "join_policy": JoinPolicy.REQUEST},
    "invitation": {"visibility": Visibility.PUBLIC, "join_policy": JoinPolicy.INVITATION},
    "members_only": {"visibility": Visibility.MEMBERS, "join_policy": JoinPolicy.REQUEST},
    "archived": {"visibility": Visibility.PUBLIC, "join_policy": JoinPolicy.OPEN},
}
KINDS = list(ASSOCIATION_KINDS)


def per_kind(**overrides) -> dict[str, set[str]]:
    """Build a row: `default=` for every kind of association, then the kinds that differ."""
    default = overrides.pop("default")
    return {kind: overrides.get(kind, default) for kind in KINDS}


# rule(user, association) → kind of association → the roles allowed
ASSOCIATION_RULES = {
    "can_view_association": per_kind(default=EVERYONE, members_only={"member", "leader", "admin"}),
    "can_view_members": per_kind(default=ACTIVE, members_only={"member", "leader", "admin"}),
    "can_join": per_kind(
        default={"teacher", "other_leader", "methodist", "admin"},
        invitation=NOBODY,
        members_only={"admin"},
        archived=NOBODY,
    ),
    "can_leave": per_kind(default={"requester", "member", "leader"}),
    "can_manage_members": per_kind(default={"leader", "admin"}, archived={"admin"}),
    "can_invite": per_kind(default={"leader", "admin"}, archived=NOBODY),
    "can_moderate": per_kind(default={"leader", "admin"}),
    "can_edit_association": per_kind(default={"admin"}),
    "can_assign_leaders": per_kind(default={"admin"}),
    "is_member": per_kind(default={"member", "leader"}),
    "is_leader": per_kind(default={"leader"}),
    # discussions
    "can_post_in": per_kind(default={"member", "leader"}, archived=NOBODY),
    "can_create_thread": per_kind(default={"member", "leader", "admin"}, archived=NOBODY),
    "can_watch": per_kind(default=ACTIVE, members_only={"member", "leader", "admin"}),
    # consultations: who sees every private question of the association (they still need to see the association)
    "can_see_private_questions": per_kind(default={"leader", "methodist", "admin"}),
    # moderation
    "can_view_moderation_queue": per_kind(default={"leader", "admin"}),
    "can_resolve_report": per_kind(default={"leader", "admin"}),
    "can_set_premoderation": per_kind(default={"leader", "admin"}, archived=NOBODY),
    "can_view_moderation_log": per_kind(default={"leader", "admin"}),
    "is_muted": per_kind(default=NOBODY),  # nobody is muted here: see test_a_muted_member_reads_but_does_not_post
}

# can_create_thread(user, association, kind): (kind of association, thread kind) → the roles allowed
CREATE_THREAD_CASES = {
    ("public", "question"): {"member", "leader", "admin"},
    ("public", "announcement"): {"leader", "admin"},  # a methodist who is no member has no say here
    ("members_only", "announcement"): {"leader", "admin"},
    ("archived", "announcement"): NOBODY,
}

# can_read_feed(association): kind of association → whether it has a public feed
FEED_CASES = {"public": True, "by_request": True, "invitation": True, "members_only": False, "archived": False}

# rule(user, thread) → thread (all opened by "member") → the roles allowed
THREAD_TARGETS = ["open", "hidden", "deleted", "locked", "members_only", "archived", "question", "private_question"]
MODERATORS = {"leader", "admin"}
INSIDERS = {"member", "leader", "admin"}
PRIVATE_READERS = {"member", "leader", "methodist", "admin"}  # the asker, methodists, leaders, admins
THREAD_RULES = {
    # a hidden (or held) thread: moderators, and its author ("member") with a banner
    "can_view_thread": {"open": EVERYONE, "hidden": {"member", *MODERATORS}, "deleted": MODERATORS, "locked": EVERYONE,
                        "members_only": INSIDERS, "archived": EVERYONE, "question": EVERYONE,
                        "private_question": PRIVATE_READERS},
    # methodists answer questions wherever they can read them, members or not
    "can_reply": {"open": INSIDERS, "hidden": NOBODY, "deleted": NOBODY, "locked": NOBODY, "members_only": INSIDERS,
                  "archived": NOBODY, "question": {"methodist", *INSIDERS}, "private_question": PRIVATE_READERS},
    "can_watch": {"open": ACTIVE, "hidden": {"member", *MODERATORS}, "deleted": MODERATORS, "locked": ACTIVE,
                  "members_only": INSIDERS, "archived": ACTIVE, "question": ACTIVE,
                  "private_question": PRIVATE_READERS},
    **{rule: dict.fromkeys(THREAD_TARGETS, MODERATORS)
       for rule in ("can_pin_thread", "can_lock_thread", "can_hide_thread", "can_set_slow_mode", "can_split_thread")},
}  # fmt: skip

# rule(user, post) → post (replies by "member", except leaders_reply) → the roles allowed
POST_TARGETS = ["reply", "leaders_reply", "deleted", "hidden", "locked_thread", "members_only", "archived"]
POST_RULES = {
    # a hidden (or held) post: moderators, and its author ("member") with a banner
    "can_view_post": {"reply": EVERYONE, "leaders_reply": EVERYONE, "deleted": MODERATORS,
                      "hidden": {"member", *MODERATORS},
                      "locked_thread": EVERYONE, "members_only": INSIDERS, "archived": EVERYONE},
    "can_edit_post": {"reply": INSIDERS, "leaders_reply": MODERATORS, "deleted": NOBODY, "hidden": INSIDERS,
                      "locked_thread": MODERATORS, "members_only": INSIDERS, "archived": MODERATORS},
    "can_delete_post": {"reply": INSIDERS, "leaders_reply": MODERATORS, "deleted": NOBODY, "hidden": INSIDERS,
                        "locked_thread": MODERATORS, "members_only": INSIDERS, "archived": MODERATORS},
    "can_restore_post": {"reply": NOBODY, "leaders_reply": NOBODY, "deleted": MODERATORS, "hidden": NOBODY,
                         "locked_thread": NOBODY, "members_only": NOBODY, "archived": NOBODY},
    "can_view_post_history": {"reply": INSIDERS, "leaders_reply": MODERATORS, "deleted": INSIDERS,
                              "hidden": INSIDERS, "locked_thread": INSIDERS, "members_only": INSIDERS,
                              "archived": INSIDERS},
    "can_react": {"reply": ACTIVE - {"member"}, "leaders_reply": ACTIVE - {"leader"}, "deleted": NOBODY,
                  "hidden": NOBODY, "locked_thread": ACTIVE - {"member"}, "members_only": MODERATORS,
                  "archived": ACTIVE - {"member"}},
    "can_bookmark": {"reply": ACTIVE, "leaders_reply": ACTIVE, "deleted": NOBODY, "hidden": NOBODY,
                     "locked_thread": ACTIVE, "members_only": INSIDERS, "archived": ACTIVE},
    "can_hide_post": {"reply": MODERATORS, "leaders_reply": MODERATORS, "deleted": NOBODY, "hidden": MODERATORS,
                      "locked_thread": MODERATORS, "members_only": MODERATORS, "archived": MODERATORS},
    "can_report_post": {"reply": ACTIVE - {"member"}, "leaders_reply": ACTIVE - {"leader"}, "deleted": NOBODY,
                        "hidden": NOBODY, "locked_thread": ACTIVE - {"member"}, "members_only": {"leader", "admin"},
                        "archived": ACTIVE - {"member"}},
}  # fmt: skip

# can_download_attachment(user, attachment, post): (post, whose attachment) → the roles allowed
ATTACHMENT_CASES = {
    ("reply", "its_own"): EVERYONE,
    ("deleted", "its_own"): MODERATORS,
    ("members_only", "its_own"): INSIDERS,
    ("reply", "another_posts"): NOBODY,  # an attachment is reached only through the post it belongs to
}

# rule(user) → the roles allowed
SITE_RULES = {
    "is_active_user": ACTIVE,
    "can_access_admin": {"admin"},
    "can_manage_mail": {"admin"},
    "is_admin": {"admin"},
    "is_methodist": {"methodist"},
    "can_edit_knowledge_entry": {"methodist", "admin"},
    "can_view_consultation_stats": {"leader", "other_leader", "methodist", "admin"},
    "can_view_site_moderation_log": {"admin"},
    "can_view_overdue_questions": {"leader", "other_leader", "admin"},
    "can_receive_queue_notices": {"leader", "other_leader", "methodist", "admin"},
    "can_receive_leading_notices": {"leader", "other_leader", "admin"},
    "can_view_site_moderation_queue": {"admin"},
}

# rule(viewer, target) → target → the roles allowed; "self" is the viewer's own account
PERSON_TARGETS = ["self", "colleague", "newcomer", "blocked"]
PERSON_RULES = {
    "can_view_profile": {"self": ACTIVE, "colleague": ACTIVE, "newcomer": {"admin"}, "blocked": {"admin"}},
    "can_edit_profile": {"self": ACTIVE, "colleague": NOBODY, "newcomer": NOBODY, "blocked": NOBODY},
    "can_see_email": {"self": ACTIVE, "colleague": {"admin"}, "newcomer": {"admin"}, "blocked": {"admin"}},
    "can_suspend_user": {"self": NOBODY, "colleague": {"admin"}, "newcomer": {"admin"}, "blocked": {"admin"}},
}

# can_change_role(user, target, role): (target, new role) → the roles allowed
CHANGE_ROLE_CASES = {
    ("colleague", Role.METHODIST): {"admin"},
    ("colleague", Role.ADMIN): {"admin"},
    ("colleague", None): {"admin"},
    ("self", Role.ADMIN): {"admin"},  # keeping one's own role is harmless
    ("self", Role.TEACHER): NOBODY,  # an admin never demotes themself
    ("self", None): NOBODY,
}

# can_respond_to_invitation(user, invitation): whose address → the roles allowed
INVITATION_CASES = {"own_address": ACTIVE, "own_address_in_capitals": ACTIVE, "someone_else": NOBODY}

# rule(user, question) → question (asked by "member"; the methodist consults on physics at the basic level) → roles
QUESTION_TARGETS = ["any_subject", "physics", "chemistry", "closed", "members_only", "taken_by_methodist", "resolved",
                    "private_resolved", "consented"]  # fmt: skip
# the last three: resolved by accepting the methodist's answer; private, without and with the asker's consent
RESOLVED = {"resolved": NOBODY, "private_resolved": NOBODY, "consented": NOBODY}
QUESTION_RULES = {
    "can_take_question": {"any_subject": {"methodist", "admin"}, "physics": {"methodist", "admin"},
                          "chemistry": {"admin"}, "closed": NOBODY, "members_only": {"admin"},
                          "taken_by_methodist": {"methodist", "admin"}, **RESOLVED},
    "can_assign_question": {"any_subject": MODERATORS, "physics": MODERATORS, "chemistry": MODERATORS,
                            "closed": NOBODY, "members_only": MODERATORS, "taken_by_methodist": MODERATORS, **RESOLVED},
    "can_release_question": {"any_subject": MODERATORS, "physics": MODERATORS, "chemistry": MODERATORS,
                             "closed": NOBODY, "members_only": MODERATORS,
                             "taken_by_methodist": {"methodist", *MODERATORS}, **RESOLVED},
    "can_accept_answer": {"any_subject": {"member", "methodist", *MODERATORS},
                          "physics": {"member", "methodist", *MODERATORS},
                          "chemistry": {"member", "methodist", *MODERATORS}, "closed": NOBODY,
                          "members_only": INSIDERS, "taken_by_methodist": {"member", "methodist", *MODERATORS},
                          "resolved": {"member", "methodist", *MODERATORS},
                          "private_resolved": {"member", "methodist", *MODERATORS},
                          "consented": {"member", "methodist", *MODERATORS}},
    "can_close_question": {"any_subject": {"methodist", *MODERATORS}, "physics": {"methodist", *MODERATORS},
                           "chemistry": {"methodist", *MODERATORS}, "closed": NOBODY, "members_only": MODERATORS,
                           "taken_by_methodist": {"methodist", *MODERATORS}, **RESOLVED},
    "can_rate_question": {"any_subject": NOBODY, "physics": NOBODY, "chemistry": NOBODY, "closed": NOBODY,
                          "members_only": NOBODY, "taken_by_methodist": NOBODY, "resolved": {"member"},
                          "private_resolved": {"member"}, "consented": {"member"}},
    "can_view_rating": {"any_subject": {"methodist", *MODERATORS}, "physics": {"methodist", *MODERATORS},
                        "chemistry": {"methodist", *MODERATORS}, "closed": {"methodist", *MODERATORS},
                        "members_only": MODERATORS, "taken_by_methodist": {"methodist", *MODERATORS},
                        "resolved": {"methodist", *MODERATORS}, "private_resolved": {"methodist", *MODERATORS},
                        "consented": {"methodist", *MODERATORS}},
    "can_consent_to_publish": {target: {"member"} for target in QUESTION_TARGETS},
    "can_publish_to_knowledge_base": {"any_subject": NOBODY, "physics": NOBODY, "chemistry": NOBODY,
                                      "closed": NOBODY, "members_only": NOBODY, "taken_by_methodist": NOBODY,
                                      "resolved": {"methodist", "admin"}, "private_resolved": NOBODY,
                                      "consented": {"methodist", "admin"}},
}  # fmt: skip

OTHER_RULES = {"can_change_role", "can_respond_to_invitation", "can_download_attachment", "can_read_feed",
               "can_endorse_answer", "can_move_thread", "can_merge_threads", "can_mute_member", "can_ban_member",
               "can_unban_member", "can_review_held_post", "can_remove_member"}  # fmt: skip
ALL_RULES = (set(ASSOCIATION_RULES) | set(SITE_RULES) | set(PERSON_RULES) | set(THREAD_RULES) | set(POST_RULES)
             | set(QUESTION_RULES) | OTHER_RULES)  # fmt: skip


# --- the world -----------------------------------------------------------------------------------------------------


@pytest.fixture
def people():
    users = {"anonymous": AnonymousUserMixin()}
    users["pending"] = make_user(status=UserStatus.PENDING)
    users["suspended"] = make_user(status=UserStatus.SUSPENDED)
    for role in ("teacher", "requester", "member", "leader", "other_leader"):
        users[role] = make_user()
    users["methodist"] = make_user(Role.METHODIST)
    users["admin"] = make_user(Role.ADMIN)
    return users


@pytest.fixture
def associations(people):
    made = {}
    for kind, settings in ASSOCIATION_KINDS.items():
        association = make_association(leader=people["leader"], members=[people["member"]], **settings)
        make_membership(people["suspended"], association, role=MemberRole.LEADER)
        make_membership(people["requester"], association, status=MembershipStatus.PENDING)
        made[kind] = association
    make_association(leader=people["other_leader"])
    admin_services.archive_association(people["admin"], made["archived"], reason="Работа завершена")
    return made


@pytest.fixture
def targets(people):
    return {
        "colleague": make_user(),
        "newcomer": make_user(status=UserStatus.PENDING),
        "blocked": make_user(status=UserStatus.SUSPENDED),
    }


@pytest.fixture
def threads(people, associations):
    from app.discussions.models import ThreadKind
    from tests.factories import make_thread

    where = {"members_only": "members_only", "archived": "archived"}
    kinds = {"question": ThreadKind.QUESTION, "private_question": ThreadKind.QUESTION}
    made = {
        name: make_thread(people["member"], associations[where.get(name, "public")],
                          kind=kinds.get(name, ThreadKind.DISCUSSION))
        for name in THREAD_TARGETS
    }  # fmt: skip
    made["private_question"].is_private = True
    for name, column in (("hidden", "hidden_at"), ("deleted", "deleted_at"), ("locked", "locked_at")):
        setattr(made[name], column, utcnow())
    db.session.flush()
    return made


@pytest.fixture
def posts(people, threads):
    from tests.factories import make_post

    thread_of = {"locked_thread": "locked", "members_only": "members_only", "archived": "archived"}
    made = {
        name: make_post(threads[thread_of.get(name, "open")], people["leader" if name == "leaders_reply" else "member"])
        for name in POST_TARGETS
    }
    made["deleted"].deleted_at = utcnow()
    made["hidden"].hidden_at = utcnow()
    db.session.flush()
    return made


def _target(people, targets, viewer: str, name: str):
    return people[viewer] if name == "self" else targets[name]


# --- the table -----------------------------------------------------------------------------------------------------


# Each case asks one rule about one target for every role and compares the set of roles allowed, so a failure
# names the rule, the target and the roles that changed.
SIGNED_IN = [role for role in ROLES if role != "anonymous"]
ASSOCIATION_CASES = [(rule, kind) for rule in ASSOCIATION_RULES for kind in KINDS]
PERSON_CASES = [(rule, target) for rule in PERSON_RULES for target in PERSON_TARGETS]


@pytest.mark.parametrize(("rule", "kind"), ASSOCIATION_CASES, ids=[f"{r}-{k}" for r, k in ASSOCIATION_CASES])
def test_association_rule(rule, kind, people, associations):
    check = getattr(policy, rule)
    assert {role for role in ROLES if check(people[role], associations[kind])} == ASSOCIATION_RULES[rule][kind]


@pytest.mark.parametrize("rule", list(SITE_RULES), ids=list(SITE_RULES))
def test_site_rule(rule, people, associations):  # the associations make "leader" and "other_leader" leaders
    check = getattr(policy, rule)
    assert {role for role in ROLES if check(people[role])} == SITE_RULES[rule]


@pytest.mark.parametrize(("rule", "target"), PERSON_CASES, ids=[f"{r}-{t}" for r, t in PERSON_CASES])
def test_person_rule(rule, target, people, targets):
    check = getattr(policy, rule)
    allowed = {role for role in SIGNED_IN if check(people[role], _target(people, targets, role, target))}
    assert allowed == PERSON_RULES[rule][target]
    if target != "self":
        assert not check(people["anonymous"], targets[target])


@pytest.mark.parametrize(
    ("target", "new_role"),
    list(CHANGE_ROLE_CASES),
    ids=[f"{target}-to-{role or 'unchanged'}" for target, role in CHANGE_ROLE_CASES],
)
def test_change_role(target, new_role, people, targets):
    allowed = {
        role
        for role in SIGNED_IN
        if policy.can_change_role(people[role], _target(people, targets, role, target), new_role)
    }
    assert allowed == CHANGE_ROLE_CASES[(target, new_role)]
    if target != "self":
        assert not policy.can_change_role(people["anonymous"], targets[target], new_role)


@pytest.mark.parametrize("case", list(INVITATION_CASES), ids=list(INVITATION_CASES))
def test_respond_to_invitation(case, people, targets):
    def invitation_for(role: str) -> Invitation:
        email = targets["colleague"].email if case == "someone_else" else getattr(people[role], "email", "")
        return Invitation(email=email.upper() if "capitals" in case else email)

    allowed = {role for role in ROLES if policy.can_respond_to_invitation(people[role], invitation_for(role))}
    assert allowed == INVITATION_CASES[case]


THREAD_CASES = [(rule, target) for rule in THREAD_RULES for target in THREAD_TARGETS]
POST_CASES = [(rule, target) for rule in POST_RULES for target in POST_TARGETS]


@pytest.mark.parametrize(("rule", "target"), THREAD_CASES, ids=[f"{r}-{t}" for r, t in THREAD_CASES])
def test_thread_rule(rule, target, people, threads):
    check = getattr(policy, rule)
    assert {role for role in ROLES if check(people[role], threads[target])} == THREAD_RULES[rule][target]


@pytest.mark.parametrize(("rule", "target"), POST_CASES, ids=[f"{r}-{t}" for r, t in POST_CASES])
def test_post_rule(rule, target, people, posts):
    check = getattr(policy, rule)
    assert {role for role in ROLES if check(people[role], posts[target])} == POST_RULES[rule][target]


@pytest.fixture
def questions(people, associations):
    from app.consultations import services as consultations
    from app.consultations.models import QuestionStatus
    from app.directory.models import EducationLevel
    from app.discussions.models import ThreadKind
    from tests.factories import make_post, make_subject, make_thread

    physics, chemistry = make_subject("Физика"), make_subject("Химия")
    people["methodist"].subjects.append(physics)
    people["methodist"].set_levels([EducationLevel.BASIC])
    where = {"members_only": "members_only"}
    made = {}
    for name in QUESTION_TARGETS:
        thread = make_thread(people["member"], associations[where.get(name, "public")], kind=ThreadKind.QUESTION)
        made[name] = consultations.question_of(thread)
    for name, subject in (("physics", physics), ("chemistry", chemistry)):
        made[name].subject_id, made[name].level = subject.id, EducationLevel.BASIC
    made["closed"].status = QuestionStatus.CLOSED
    made["taken_by_methodist"].assignee_id = people["methodist"].id
    made["taken_by_methodist"].status = QuestionStatus.IN_PROGRESS
    for name in ("private_resolved", "consented"):
        made[name].thread.is_private = True
    made["consented"].publish_consent_at = utcnow()
    for name in RESOLVED:
        answer = make_post(made[name].thread, people["methodist"])
        consultations.accept_answer(people["member"], made[name], answer)
    db.session.flush()
    return made


# can_endorse_answer(user, question, post): (question, whose reply) → the roles allowed (only methodists endorse, and
# not their own reply)
ENDORSE_CASES = {
    ("any_subject", "member"): {"methodist"},
    ("any_subject", "methodist"): NOBODY,
    ("closed", "member"): NOBODY,
    ("members_only", "member"): NOBODY,  # the methodist does not see that association
    ("resolved", "member"): {"methodist"},
}


@pytest.mark.parametrize(("target", "author"), list(ENDORSE_CASES), ids=[f"{t}-{a}" for t, a in ENDORSE_CASES])
def test_endorse_answer(target, author, people, questions):
    from app.consultations.models import QuestionStatus
    from tests.factories import make_post

    question = questions[target]
    status, question.status = question.status, QuestionStatus.NEW  # a closed question takes no new reply
    reply = make_post(question.thread, people[author])
    question.status = status
    allowed = {role for role in ROLES if policy.can_endorse_answer(people[role], question, reply)}
    assert allowed == ENDORSE_CASES[(target, author)]
    opening = db.session.scalar(sa.select(Post).where(Post.thread_id == question.thread_id, Post.number == 1))
    assert not any(policy.can_endorse_answer(people[role], question, opening) for role in ROLES)


QUESTION_CASES = [(rule, target) for rule in QUESTION_RULES for target in QUESTION_TARGETS]


@pytest.mark.parametrize(("rule", "target"), QUESTION_CASES, ids=[f"{r}-{t}" for r, t in QUESTION_CASES])
def test_question_rule(rule, target, people, questions):
    check = getattr(policy, rule)
    assert {role for role in ROLES if check(people[role], questions[target])} == QUESTION_RULES[rule][target]


@pytest.mark.parametrize(
    ("kind", "thread_kind"), list(CREATE_THREAD_CASES), ids=[f"{k}-{t}" for k, t in CREATE_THREAD_CASES]
)
def test_create_thread_of_a_kind(kind, thread_kind, people, associations):
    allowed = {role for role in ROLES if policy.can_create_thread(people[role], associations[kind], thread_kind)}
    assert allowed == CREATE_THREAD_CASES[(kind, thread_kind)]


@pytest.mark.parametrize("kind", list(FEED_CASES), ids=list(FEED_CASES))
def test_read_feed(kind, associations):
    assert policy.can_read_feed(associations[kind]) is FEED_CASES[kind]


@pytest.mark.parametrize(("target", "whose"), list(ATTACHMENT_CASES), ids=[f"{t}-{w}" for t, w in ATTACHMENT_CASES])
def test_download_attachment(target, whose, people, posts):
    from app.discussions.models import Attachment

    post = posts[target]
    attachment = Attachment(post_id=post.id if whose == "its_own" else posts["leaders_reply"].id)
    allowed = {role for role in ROLES if policy.can_download_attachment(people[role], attachment, post)}
    assert allowed == ATTACHMENT_CASES[(target, whose)]


# --- the table is complete, and the helpers behave -----------------------------------------------------------------


def test_every_rule_is_in_the_table():
    rules = {
        name
        for name, value in inspect.getmembers(policy, inspect.isfunction)
        if value.__module__ == policy.__name__ and name.startswith(("can_", "is_"))
    }
    covered = ALL_RULES
    assert rules <= covered, f"add rows for {sorted(rules - covered)}"
    assert covered <= rules, f"rows for rules that no longer exist: {sorted(covered - rules)}"


def test_require_answers_403_or_404(app):
    from werkzeug.exceptions import Forbidden, NotFound

    policy.require(True)
    with pytest.raises(Forbidden):
        policy.require(False)
    with pytest.raises(NotFound):
        policy.require(False, hide=True)


def test_rules_are_jinja_globals(app):
    for name in ALL_RULES:
        assert app.jinja_env.globals[name] is getattr(policy, name)


def test_memberships_are_read_once_per_request(app, people, associations, count_queries):
    with app.test_request_context("/"), count_queries() as queries:
        for kind in KINDS:
            policy.can_view_association(people["member"], associations[kind])
            policy.is_leader(people["member"], associations[kind])
    assert queries.count == 1


def test_forgetting_memberships_sees_a_change_in_the_same_request(app, people, associations):
    association = associations["public"]
    with app.test_request_context("/"):
        assert not policy.is_member(people["teacher"], association)
        make_membership(people["teacher"], association)  # the service calls forget_memberships()
        assert policy.is_member(people["teacher"], association)
        policy.forget_memberships()
        assert policy.is_member(people["teacher"], association)


# --- moderation rules with two targets -------------------------------------------------------------------------------


def _allowed(check) -> set[str]:
    return {role for role in ROLES if check(role)}


def test_moving_a_thread_needs_both_associations(people, associations, threads):
    from tests.factories import make_association

    thread = threads["open"]  # in the "public" association, led by "leader"
    led_elsewhere = associations["by_request"]  # also led by "leader"
    not_led = make_association(leader=people["other_leader"])
    assert _allowed(lambda r: policy.can_move_thread(people[r], thread, led_elsewhere)) == MODERATORS
    assert _allowed(lambda r: policy.can_move_thread(people[r], thread, not_led)) == {"admin"}
    assert _allowed(lambda r: policy.can_move_thread(people[r], thread, associations["archived"])) == NOBODY
    assert _allowed(lambda r: policy.can_move_thread(people[r], thread, associations["public"])) == NOBODY  # itself


def test_merging_needs_both_threads_and_never_one_into_itself(people, associations, threads):
    from tests.factories import make_association, make_thread

    elsewhere = make_thread(people["member"], make_association(leader=people["other_leader"]))
    assert _allowed(lambda r: policy.can_merge_threads(people[r], threads["open"], threads["locked"])) == MODERATORS
    assert _allowed(lambda r: policy.can_merge_threads(people[r], threads["open"], elsewhere)) == {"admin"}
    assert _allowed(lambda r: policy.can_merge_threads(people[r], threads["open"], threads["open"])) == NOBODY
    assert _allowed(lambda r: policy.can_merge_threads(people[r], threads["open"], threads["deleted"])) == NOBODY


def test_muting_and_banning_members(people, associations):
    from app.associations.models import Membership

    association = associations["public"]

    def membership_of(role):
        return db.session.scalar(
            sa.select(Membership).where(Membership.user_id == people[role].id,
                                        Membership.association_id == association.id)
        )  # fmt: skip

    member, leader, requester = membership_of("member"), membership_of("leader"), membership_of("requester")
    assert _allowed(lambda r: policy.can_mute_member(people[r], member)) == MODERATORS
    assert _allowed(lambda r: policy.can_mute_member(people[r], leader)) == {"admin"}  # a leader, not by a leader
    assert _allowed(lambda r: policy.can_mute_member(people[r], requester)) == NOBODY  # not a member yet
    assert _allowed(lambda r: policy.can_remove_member(people[r], member)) == MODERATORS
    assert _allowed(lambda r: policy.can_remove_member(people[r], leader)) == {"admin"}
    assert _allowed(lambda r: policy.can_remove_member(people[r], requester)) == NOBODY
    assert _allowed(lambda r: policy.can_ban_member(people[r], member)) == MODERATORS
    assert _allowed(lambda r: policy.can_ban_member(people[r], requester)) == MODERATORS
    assert _allowed(lambda r: policy.can_unban_member(people[r], member)) == NOBODY
    member.status = MembershipStatus.BANNED
    assert _allowed(lambda r: policy.can_ban_member(people[r], member)) == NOBODY
    assert _allowed(lambda r: policy.can_unban_member(people[r], member)) == MODERATORS


def test_a_muted_member_reads_but_does_not_post(app, people, associations, threads):
    from datetime import timedelta

    from app.associations.models import Membership

    association = associations["public"]
    row = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == people["member"].id,
                                    Membership.association_id == association.id)
    )  # fmt: skip
    row.muted_until = utcnow() + timedelta(days=1)
    db.session.flush()
    with app.test_request_context("/"):
        policy.forget_memberships()
        assert policy.is_muted(people["member"], association)
        assert not policy.can_post_in(people["member"], association)
        assert not policy.can_reply(people["member"], threads["open"])
        assert policy.can_view_thread(people["member"], threads["open"])
    row.muted_until = utcnow() - timedelta(minutes=1)  # the mute ran out
    db.session.flush()
    with app.test_request_context("/"):
        policy.forget_memberships()  # `g` is the test's application context's, shared by both requests
        assert not policy.is_muted(people["member"], association)
        assert policy.can_reply(people["member"], threads["open"])


def test_only_held_posts_are_reviewed(people, posts):
    post = posts["reply"]
    assert _allowed(lambda r: policy.can_review_held_post(people[r], post)) == NOBODY
    post.held_at = utcnow()
    assert _allowed(lambda r: policy.can_review_held_post(people[r], post)) == MODERATORS
