"""What the thread page shows of a question: its consultation side, history and the methodists it may be given to,
and the marks on its posts (methodists' answers, the solution, endorsements, and the reader's buttons)."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import g, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import joinedload

from app import fragments, policy
from app.auth.models import Role, User, UserStatus
from app.consultations.models import AnswerEndorsement, Question, QuestionEvent, QuestionEventKind, QuestionStatus
from app.db import prepared, rows
from app.discussions.models import Post, Thread, ThreadKind
from app.discussions.post_cards import PostBadge, PostButton, PostMarks
from app.discussions.queries import UrlPattern
from app.extensions import db


@dataclass(frozen=True, slots=True)
class Ref:
    """A person, subject or thread the panel names: its id and what it is called."""

    id: int
    name: str

    @property
    def full_name(self) -> str:  # a person
        return self.name

    @property
    def title(self) -> str:  # a thread
        return self.name


@dataclass(frozen=True, slots=True)
class EventData:
    kind: QuestionEventKind
    status: QuestionStatus
    created_at: datetime
    actor: Ref | None
    target_user: Ref | None


@dataclass(frozen=True, slots=True)
class AcceptedData:
    id: int
    number: int
    author: Ref | None
    body_html: str
    is_visible: bool


_QUESTION_COLUMNS = ("thread_id", "status", "subject_id", "level", "grade", "topic", "assignee_id", "accepted_post_id",
                     "duplicate_of_id", "asked_at", "first_answer_at", "resolved_at", "helped", "rating_comment",
                     "rated_at", "publish_consent_at")  # fmt: skip


@dataclass(frozen=True)
class PanelData:
    """What the panel shows of a question to anyone, as plain values: kept per worker under the thread's change stamp
    (questions, their events, endorsements, knowledge-base entries and posts raise it) and its association's (names)."""

    values: dict  # the question's columns (_QUESTION_COLUMNS)
    subject: Ref | None
    assignee: Ref | None
    duplicate_of: Ref | None
    events: tuple[EventData, ...]
    accepted: AcceptedData | None
    knowledge: tuple  # the knowledge-base entry's values and whether it is shown (kb.panel_entry)


class QuestionView:
    """A question as the policy and the templates read it: the kept values, with this request's thread."""

    def __init__(self, data: PanelData, thread: Thread):
        self._data, self.thread = data, thread
        self.subject, self.assignee, self.duplicate_of = data.subject, data.assignee, data.duplicate_of

    def __getattr__(self, name):
        try:
            return self._data.values[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class QuestionPanel:
    question: QuestionView
    events: tuple[EventData, ...]
    accepted: AcceptedData | None
    methodists: list[User]  # whom a leader or admin may assign it to (empty for others)
    knowledge: tuple  # for knowledge_panel


def _ref(obj, name: str) -> Ref | None:
    return Ref(obj.id, getattr(obj, name)) if obj is not None else None


def _panel_data(thread: Thread) -> PanelData | None:
    """The question of a thread with its history, its accepted answer and its knowledge-base entry (four queries)."""
    from app.consultations.kb import panel_entry

    question = db.session.scalar(_question(), {"thread_id": thread.id})
    if question is None:
        return None
    events = tuple(
        EventData(e.kind, e.status, e.created_at, _ref(e.actor, "full_name"), _ref(e.target_user, "full_name"))
        for e in db.session.scalars(_events(), {"thread_id": thread.id})
    )
    accepted = None
    if question.accepted_post_id is not None:
        post = db.session.get(Post, question.accepted_post_id, options=[joinedload(Post.author)])
        if post is not None:
            author = _ref(post.author, "full_name")
            accepted = AcceptedData(post.id, post.number, author, post.body_html, post.is_visible)
    return PanelData(
        {name: getattr(question, name) for name in _QUESTION_COLUMNS},
        _ref(question.subject, "name"), _ref(question.assignee, "full_name"), _ref(question.duplicate_of, "title"),
        events, accepted, panel_entry(thread.id),
    )  # fmt: skip


@prepared
def _question():
    return (
        sa.select(Question)
        .where(Question.thread_id == sa.bindparam("thread_id"))
        .options(joinedload(Question.subject), joinedload(Question.assignee), joinedload(Question.duplicate_of))
    )


@prepared
def _events():
    return (
        sa.select(QuestionEvent)
        .where(QuestionEvent.thread_id == sa.bindparam("thread_id"))
        .options(joinedload(QuestionEvent.actor), joinedload(QuestionEvent.target_user))
        .order_by(QuestionEvent.created_at, QuestionEvent.id)
    )


@prepared
def _methodists():
    return (
        sa.select(User)
        .where(User.role == Role.METHODIST, User.status == UserStatus.ACTIVE)
        .order_by(User.full_name, User.id)
    )


@prepared
def _statuses():
    return sa.select(Question.thread_id, Question.status).where(
        Question.thread_id.in_(sa.bindparam("ids", expanding=True))
    )


def row_statuses(rows) -> dict:
    """Thread id → status for the questions among a list's rows (one query, none when the page has no question)."""
    ids = [row.id for row in rows if row.kind == ThreadKind.QUESTION]
    return dict(db.session.execute(_statuses(), {"ids": ids}).all()) if ids else {}


def question_panel(thread: Thread, user) -> QuestionPanel | None:
    """The question of a «вопрос» thread with its history, solution and knowledge-base entry, or None for other
    threads (no query). Its values are kept per worker under the thread's and the association's change stamps; those
    who may assign it also get the methodists (one query)."""
    if thread.kind != ThreadKind.QUESTION:
        return None
    key = (thread.id, thread.content_version, thread.association.content_version)
    data = fragments.remember("question_panel", lambda: _panel_data(thread), *key)
    if data is None:
        return None
    question = QuestionView(data, thread)
    _page_questions()[thread.id] = question
    accepted = data.accepted
    if accepted is not None and not (accepted.is_visible or policy.can_moderate(user, thread.association)):
        accepted = None  # a hidden or deleted solution shows its text to moderators only (policy.can_view_post)
    may_assign = policy.can_assign_question(user, question)
    methodists = list(db.session.scalars(_methodists())) if may_assign else []
    return QuestionPanel(question, data.events, accepted, methodists, data.knowledge)


# --- marks on the posts of a question's page (discussions.post_cards.POST_MARK_SOURCES) -------------------------------


@dataclass(frozen=True, slots=True)
class AnswerMarks:
    """What a page of a question's posts shows to everyone: which posts are methodists' answers (from their ANSWERED
    events, so a methodist who later loses the role keeps the mark), and who endorsed which post, oldest first."""

    answered: frozenset[int]
    endorsers: dict[int, tuple[tuple[int, str], ...]]  # post id → ((methodist id, name), …)


@prepared
def _answer_marks():
    thread_id, ids = sa.bindparam("thread_id"), sa.bindparam("ids", expanding=True)
    answered = sa.select(
        QuestionEvent.post_id,
        sa.cast(sa.null(), sa.Integer).label("methodist_id"),
        sa.cast(sa.null(), sa.String).label("name"),
        QuestionEvent.created_at,
    ).where(
        QuestionEvent.thread_id == thread_id,
        QuestionEvent.kind == QuestionEventKind.ANSWERED,
        QuestionEvent.post_id.in_(ids),
    )
    endorsed = (
        sa.select(
            AnswerEndorsement.post_id, AnswerEndorsement.methodist_id, User.full_name, AnswerEndorsement.created_at
        )
        .join(User, User.id == AnswerEndorsement.methodist_id)
        .where(AnswerEndorsement.thread_id == thread_id, AnswerEndorsement.post_id.in_(ids))
    )
    return sa.union_all(answered, endorsed)


def load_answer_marks(thread: Thread, post_ids: list[int]) -> AnswerMarks | None:
    """The marks of a page of a question's posts, in one query (none for other threads). Read only from tables that
    raise the thread's change stamp, so the page's posts keep it with them."""
    if thread.kind != ThreadKind.QUESTION or not post_ids:
        return None
    answered, endorsers = set(), {}
    found = rows(_answer_marks(), {"thread_id": thread.id, "ids": post_ids}).all()
    for row in sorted(found, key=lambda r: (r.created_at, r.methodist_id or 0)):
        if row.methodist_id is None:
            answered.add(row.post_id)
        else:
            endorsers[row.post_id] = (*endorsers.get(row.post_id, ()), (row.methodist_id, row.name))
    return AnswerMarks(frozenset(answered), endorsers)


def _page_questions() -> dict:
    """Questions the request's page has loaded, by thread id, held for the request: the session keeps loaded objects
    only weakly, and the marks on the posts (rendered after the panel) ask the policy about the same question."""
    return g.setdefault("_page_questions", {}) if has_request_context() else {}


def _page_question(thread: Thread) -> Question | None:
    return _page_questions().get(thread.id) or db.session.get(Question, thread.id)


class _Buttons:
    """The per-post forms of one page: each address built with one url_for, each label translated once."""

    def __init__(self, thread_id: int):
        self.accept = UrlPattern("consultations.question_accept_post", "post_number", thread_id=thread_id)
        self.endorse = UrlPattern("consultations.question_endorse", "post_number", thread_id=thread_id)
        self.unendorse = UrlPattern("consultations.question_unendorse", "post_number", thread_id=thread_id)
        self.unaccept = url_for("consultations.question_unaccept", thread_id=thread_id)
        self.labels = {
            "accept": _("Отметить как решение"),
            "unaccept": _("Снять решение"),
            "endorse": _("Рекомендовать"),
            "unendorse": _("Снять рекомендацию"),
        }

    def for_post(self, post, question: Question, user, *, may_accept: bool, endorsed: bool) -> tuple[PostButton, ...]:
        """The buttons this reader may use on a reply."""
        wanted = []
        if may_accept:
            accepted = post.id == question.accepted_post_id
            wanted.append(("unaccept", self.unaccept) if accepted else ("accept", self.accept(post.number)))
        if endorsed:
            wanted.append(("unendorse", self.unendorse(post.number)))
        elif policy.can_endorse_answer(user, question, post):
            wanted.append(("endorse", self.endorse(post.number)))
        hint = _("ответ № %(n)d", n=post.number) if wanted else ""
        return tuple(PostButton(url, self.labels[name], hint) for name, url in wanted)


def answer_marks(view, user, loaded: AnswerMarks | None) -> dict[int, PostMarks]:
    """Post id → this reader's marks on the page's visible replies: «Консультация методиста», «Решение», «Рекомендовано
    методистом: …», and the buttons the reader may use (mark as the solution or take it back, recommend or withdraw
    the recommendation). No query: the question is the one the page's panel loaded."""
    question = _page_question(view.thread) if loaded is not None else None
    if question is None:
        return {}
    may_accept = policy.can_accept_answer(user, question)
    me = user.id if policy.is_active_user(user) else None
    consultation, solution = PostBadge(_("Консультация методиста")), PostBadge(_("Решение"), "badge-ok")
    buttons = _Buttons(view.thread.id) if me is not None else None
    marks = {}
    for post in view.posts:
        if post.number == 1 or not post.is_visible:
            continue
        badges = (consultation,) if post.id in loaded.answered else ()
        badges += (solution,) if post.id == question.accepted_post_id else ()
        endorsers = loaded.endorsers.get(post.id, ())
        notes = ()
        if endorsers:
            names = ", ".join(name for _id, name in endorsers)
            notes = (ngettext("Рекомендовано методистом: %(names)s", "Рекомендовано методистами: %(names)s",
                              len(endorsers), names=names),)  # fmt: skip
        endorsed = any(methodist_id == me for methodist_id, _name in endorsers)
        actions = buttons.for_post(post, question, user, may_accept=may_accept, endorsed=endorsed) if buttons else ()
        if badges or notes or actions:
            marks[post.id] = PostMarks(badges, notes, actions)
    return marks
