"""The knowledge base of consultations («база консультаций», `/consultations/kb`): resolved questions a methodist
published with their accepted answer under a summary title, for everyone, visitors included.

An entry is shown only while it still says what was published (`_shown`, one SQL condition for the list, the page and
the thread's panel): the question resolved with its accepted answer visible, no other solution marked since
publication, the thread and its opening post visible, and the asker's consent where `policy.needs_publish_consent`.
Otherwise it leaves the list and its page answers 404 (nothing stale is shown), and the thread's panel tells
methodists to publish it again or withdraw it. Withdrawing consent deletes the entry of a question that needs it.
The asker of such a question is never named: not by the page, not as the answer's author, not in the two texts."""

from dataclasses import dataclass
from functools import partial

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy.orm import aliased

from app import policy
from app.associations.models import Association, Visibility
from app.auth.models import Role, User
from app.consultations.kb_forms import Filters, KnowledgeFilterForm, PublishForm, TitleForm
from app.consultations.models import KnowledgeEntry, Question, QuestionStatus
from app.consultations.services import ConsultationError, question_of
from app.db import fold_for_search, prepared, rows, utcnow
from app.directory.models import Subject
from app.discussions.models import Post, Thread
from app.discussions.queries import ListPage
from app.extensions import db
from app.policy import PermissionDenied, require

bp = Blueprint("knowledge_base", __name__)

PER_PAGE = 20
MAX_PAGE = 100_000  # a page number past it would overflow the OFFSET of the query
# ids in addresses: past the integer columns' range a 404, not a database error
_ID = "<int(max=2147483647):thread_id>"

# --- services: flush, never commit ------------------------------------------------------------------------------------


def _resolved_with_answer(question: Question) -> bool:
    return question.status == QuestionStatus.RESOLVED and question.accepted_post_id is not None


def _why_not_publishable(actor: User, question: Question) -> Exception:
    if not policy.can_edit_knowledge_entry(actor) or not policy.can_view_thread(actor, question.thread):
        return PermissionDenied(_("Публиковать в базе консультаций могут методисты и администраторы."))
    if not _resolved_with_answer(question):
        return ConsultationError(_("Опубликовать можно только решённый вопрос с принятым ответом."))
    return ConsultationError(_("Вопрос закрытый: опубликовать его можно только с согласия автора."))


def publish_question(actor: User, question: Question, *, title: str, hide_asker: bool = False) -> KnowledgeEntry:
    """Publish a resolved question with its accepted answer (again, after a change: the entry is renewed)."""
    if not policy.can_publish_to_knowledge_base(actor, question):
        raise _why_not_publishable(actor, question)
    answer = db.session.get(Post, question.accepted_post_id)
    if not question.thread.is_visible or answer is None or not answer.is_visible:
        raise ConsultationError(_("Тема или принятый ответ скрыты или удалены: публиковать нечего."))
    entry = db.session.get(KnowledgeEntry, question.thread_id) or KnowledgeEntry(thread_id=question.thread_id)
    entry.title = title
    entry.hide_asker = bool(hide_asker) or policy.needs_publish_consent(question)
    entry.published_by_id, entry.published_at = actor.id, utcnow()
    db.session.add(entry)
    db.session.flush()
    return entry


def retitle_entry(actor: User, entry: KnowledgeEntry, *, title: str) -> None:
    """Change the summary title of a published entry."""
    if not policy.can_edit_knowledge_entry(actor):
        raise PermissionDenied(_("Изменять записи базы консультаций могут методисты и администраторы."))
    entry.title = title
    db.session.flush()


def withdraw_entry(actor: User, entry: KnowledgeEntry) -> None:
    """Take an entry out of the knowledge base (the question and its thread stay as they are)."""
    if not policy.can_edit_knowledge_entry(actor):
        raise PermissionDenied(_("Снимать записи базы консультаций могут методисты и администраторы."))
    db.session.delete(entry)
    db.session.flush()


def consent_to_publish(user: User, question: Question) -> None:
    """The asker agrees that the question may be published, without their name."""
    if not policy.can_consent_to_publish(user, question):
        raise PermissionDenied(_("Согласие на публикацию даёт автор вопроса."))
    question.publish_consent_at = question.publish_consent_at or utcnow()
    db.session.flush()


def withdraw_publish_consent(user: User, question: Question) -> bool:
    """The asker no longer agrees: a question that needs consent leaves the knowledge base (True when it was in)."""
    if not policy.can_consent_to_publish(user, question):
        raise PermissionDenied(_("Согласие на публикацию даёт автор вопроса."))
    question.publish_consent_at = None
    entry = db.session.get(KnowledgeEntry, question.thread_id)
    withdrawn = entry is not None and policy.needs_publish_consent(question)
    if withdrawn:
        db.session.delete(entry)
    db.session.flush()
    return withdrawn


# --- queries --------------------------------------------------------------------------------------------------------

_ANSWER, _OPENING = aliased(Post), aliased(Post)
_ANSWERER, _ASKER = aliased(User), aliased(User)


def _shown(stmt):
    """Only entries that still show what was published (see the module's docstring)."""
    public = sa.and_(sa.not_(Thread.is_private), Association.visibility == Visibility.PUBLIC)
    return (
        stmt.join(Question, Question.thread_id == KnowledgeEntry.thread_id)
        .join(Thread, Thread.id == KnowledgeEntry.thread_id)
        .join(Association, Association.id == Thread.association_id)
        .join(_OPENING, sa.and_(_OPENING.thread_id == Thread.id, _OPENING.number == 1))
        .join(_ANSWER, sa.and_(_ANSWER.id == Question.accepted_post_id, _ANSWER.thread_id == Thread.id))
        .outerjoin(Subject, Subject.id == Question.subject_id)
        .where(
            Question.status == QuestionStatus.RESOLVED,
            Question.resolved_at <= KnowledgeEntry.published_at,
            Thread.deleted_at.is_(None),
            Thread.hidden_at.is_(None),
            _OPENING.deleted_at.is_(None),
            _OPENING.hidden_at.is_(None),
            _ANSWER.deleted_at.is_(None),
            _ANSWER.hidden_at.is_(None),
            sa.or_(Question.publish_consent_at.is_not(None), public),
        )
    )


_ROW = (KnowledgeEntry.thread_id, KnowledgeEntry.title, KnowledgeEntry.published_at,
        Subject.name.label("subject_name"), Question.level, Question.grade)  # fmt: skip
_NEWEST = (KnowledgeEntry.published_at.desc(), KnowledgeEntry.thread_id.desc())


def _filtered(stmt, subject: bool, level: bool):
    stmt = _shown(stmt.select_from(KnowledgeEntry))
    if subject:
        stmt = stmt.where(Question.subject_id == sa.bindparam("subject_id"))
    if level:
        stmt = stmt.where(Question.level == sa.bindparam("level"))
    return stmt


@prepared
def _entries(*shape: bool):
    return (
        _filtered(sa.select(*_ROW), *shape)
        .order_by(*_NEWEST)
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )


@prepared
def _total(*shape: bool):
    return _filtered(sa.select(sa.func.count()), *shape)


@prepared
def _titles(*shape: bool):
    return _filtered(sa.select(KnowledgeEntry.thread_id, KnowledgeEntry.title), *shape).order_by(*_NEWEST)


@prepared
def _listed():
    ids = KnowledgeEntry.thread_id.in_(sa.bindparam("ids", expanding=True))
    return _shown(sa.select(*_ROW).select_from(KnowledgeEntry)).where(ids).order_by(*_NEWEST)


def _matching(titles, q: str) -> list[int]:
    """The entries whose title holds every word of `q`, compared folded (lower case, ё→е) in Python: SQLite's lower()
    folds only ASCII, and entries keep no folded copy of their title (search indexes the base in a later issue)."""
    words = fold_for_search(q).split()
    return [row.thread_id for row in titles if all(word in fold_for_search(row.title) for word in words)]


def entries_matching(condition, limit: int) -> list:
    """The newest `limit` shown entries meeting `condition` on KnowledgeEntry (one query; for search:
    app.search.queries asks for stems in `title_stems`, so that inflected words find a title)."""
    return db.session.execute(
        _filtered(sa.select(*_ROW), False, False).where(condition).order_by(*_NEWEST).limit(limit)
    ).all()


def entries_page(filters: Filters, page: int) -> ListPage:
    """The shown entries, newest first, filtered by subject, level and words of the title (two queries)."""
    shape = (filters.subject_id is not None, filters.level is not None)
    params = {"subject_id": filters.subject_id, "level": filters.level}
    first = (page - 1) * PER_PAGE
    if filters.q:
        ids = _matching(rows(_titles(*shape), params), filters.q)
        found = rows(_listed(), {"ids": ids[first : first + PER_PAGE]}).all()
        return ListPage(found, page, PER_PAGE, len(ids))
    total = rows(_total(*shape), params).scalar()
    found = rows(_entries(*shape), {**params, "limit": PER_PAGE, "offset": first}).all()
    return ListPage(found, page, PER_PAGE, total)


@prepared
def _entry():
    entities = (KnowledgeEntry, Question, Thread, Association, Subject, _OPENING, _ANSWER, _ANSWERER, _ASKER)
    return (
        _shown(sa.select(*entities).select_from(KnowledgeEntry))
        .outerjoin(_ANSWERER, _ANSWERER.id == _ANSWER.author_id)
        .outerjoin(_ASKER, _ASKER.id == Thread.author_id)
        .where(KnowledgeEntry.thread_id == sa.bindparam("thread_id"))
    )


@prepared
def _panel_entry():
    """A question's entry, and whether it is shown (its id again, or NULL)."""
    wanted = sa.bindparam("thread_id")
    shown = _shown(sa.select(KnowledgeEntry.thread_id).select_from(KnowledgeEntry))
    shown = shown.where(KnowledgeEntry.thread_id == wanted).subquery()
    entry = aliased(KnowledgeEntry)
    return (
        sa.select(entry, shown.c.thread_id)
        .outerjoin(shown, shown.c.thread_id == entry.thread_id)
        .where(entry.thread_id == wanted)
    )


@dataclass(frozen=True)
class EntryPage:
    entry: KnowledgeEntry
    question: Question
    thread: Thread
    subject: Subject | None
    question_html: Markup
    answer_html: Markup
    asker_name: str | None  # None: the asker is not named
    answerer_name: str
    by_methodist: bool


def _unnamed(html: str, name: str | None) -> Markup:
    """Stored (sanitised) HTML with a hidden asker's name, should a text mention it, replaced by «автор вопроса»."""
    if name:
        html = html.replace(str(escape(name)), str(escape(_("автор вопроса"))))
    return Markup(html)  # noqa: S704 (stored HTML from app.markup; the replacement is escaped text)


def _answerer_name(answerer: User | None, asker: User | None, asker_name: str | None, private: bool) -> str:
    if answerer is None:
        return _("удалённый пользователь")
    if asker is not None and answerer.id == asker.id:
        return asker_name or _("автор вопроса")
    if answerer.role in (Role.METHODIST, Role.ADMIN) or not private:
        return answerer.full_name
    return _("участник объединения")


def entry_page(thread_id: int) -> EntryPage | None:
    """A shown entry with its question's and answer's texts, or None (one query)."""
    found = db.session.execute(_entry(), {"thread_id": thread_id}).first()
    if found is None:
        return None
    entry, question, thread, _association, subject, opening, answer, answerer, asker = found
    private = policy.needs_publish_consent(question)
    hidden_name = asker.full_name if asker is not None and (entry.hide_asker or private) else None
    asker_name = asker.full_name if asker is not None and hidden_name is None else None
    return EntryPage(
        entry, question, thread, subject,
        question_html=_unnamed(opening.body_html, hidden_name),
        answer_html=_unnamed(answer.body_html, hidden_name),
        asker_name=asker_name,
        answerer_name=_answerer_name(answerer, asker, asker_name, private),
        by_methodist=answerer is not None and answerer.role == Role.METHODIST,
    )  # fmt: skip


@dataclass(frozen=True)
class KnowledgePanel:
    """What a question's thread page shows of the knowledge base to this reader."""

    entry: KnowledgeEntry | None
    shown: bool  # the entry is in the knowledge base now
    needs_consent: bool
    may_consent: bool  # the asker of a question that needs consent
    may_publish: bool
    may_edit: bool
    awaits_consent: bool  # resolved with an answer, but its asker has not agreed yet


@dataclass(frozen=True, slots=True)
class EntryValues:
    """What the panel shows of an entry (kept with the question's panel under the thread's change stamp)."""

    thread_id: int
    title: str
    hide_asker: bool


def panel_entry(thread_id: int) -> tuple[EntryValues | None, bool]:
    """A question's entry, if any, and whether it is shown now (one query)."""
    entry, shown = db.session.execute(_panel_entry(), {"thread_id": thread_id}).first() or (None, None)
    values = EntryValues(entry.thread_id, entry.title, entry.hide_asker) if entry is not None else None
    return values, shown is not None


@bp.app_template_global()
def knowledge_panel(thread: Thread, question: Question, user, found: tuple | None = None) -> KnowledgePanel | None:
    """The knowledge-base block of a question's panel, or None when this reader has nothing to see there. `found` is
    what `panel_entry` read (the panel keeps it); else it is read now (one query)."""
    entry, shown = found if found is not None else panel_entry(question.thread_id)
    needs_consent = policy.needs_publish_consent(question)
    panel = KnowledgePanel(
        entry, shown, needs_consent,
        may_consent=needs_consent and policy.can_consent_to_publish(user, question),
        may_publish=policy.can_publish_to_knowledge_base(user, question),
        may_edit=policy.can_edit_knowledge_entry(user) and policy.can_view_thread(user, thread),
        awaits_consent=needs_consent and question.publish_consent_at is None and _resolved_with_answer(question),
    )  # fmt: skip
    editing = panel.may_edit and (entry is not None or panel.may_publish or panel.awaits_consent)
    return panel if shown or panel.may_consent or editing else None


# --- views --------------------------------------------------------------------------------------------------------


@bp.get("/consultations/kb")
def kb_list():
    """Everyone: the published consultations, newest first, filtered by title words, subject and level."""
    form = KnowledgeFilterForm(request.args)
    filters = form.cleaned()
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    return render_template(
        "consultations/kb_list.html", form=form, filtered=bool(filters), page=entries_page(filters, page)
    )


@bp.get(f"/consultations/kb/{_ID}")
def kb_entry(thread_id):
    """Everyone: one published consultation; 404 when unknown, withdrawn or no longer shown."""
    page = entry_page(thread_id)
    if page is None:
        abort(404)
    return render_template("consultations/kb_entry.html", page=page)


def _me() -> User:
    return current_user._get_current_object()


def _thread_question(thread_id: int) -> Question:
    """The question of a thread the user may see; 404 for unknown ids, other threads and threads hidden from them."""
    thread = db.session.get(Thread, thread_id)
    if thread is None:
        abort(404)
    require(policy.can_view_thread(current_user, thread), hide=True)
    return question_of(thread) or abort(404)


def _to_thread(thread_id: int) -> str:
    return url_for("discussions.thread_show", thread_id=thread_id, _anchor="kb")


def _act(back: str, action, success: str):
    """Run one service and come back: committed with `success` (or the message the service returned), or nothing
    changed and the reason said (a rule that forbids it is a 403 page with the reason)."""
    try:
        said = action()
    except ConsultationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    except PermissionDenied as exc:
        db.session.rollback()
        flash(str(exc), "error")
        abort(403)
    db.session.commit()
    flash(said if isinstance(said, str) else success, "success")
    return redirect(back)


def _refuse(back: str, message: str):
    flash(message, "error")
    return redirect(back)


@bp.post(f"/threads/{_ID}/kb/publish")
@login_required
def kb_publish(thread_id):
    question = _thread_question(thread_id)
    require(policy.can_edit_knowledge_entry(current_user))
    form = PublishForm()
    if not form.validate_on_submit():
        return _refuse(_to_thread(thread_id), form.first_error())
    action = partial(publish_question, _me(), question, title=form.title.data, hide_asker=form.hide_asker.data)
    return _act(_to_thread(thread_id), action, _("Вопрос опубликован в базе консультаций."))


def _entry_back(entry: KnowledgeEntry, elsewhere: str) -> str:
    """Back to the thread's panel when the form came from there, else to `elsewhere` (fixed values: no open
    redirect)."""
    return _to_thread(entry.thread_id) if request.form.get("back") == "thread" else elsewhere


@bp.post(f"/consultations/kb/{_ID}/edit")
@login_required
def kb_edit(thread_id):
    entry = db.get_or_404(KnowledgeEntry, thread_id)
    require(policy.can_edit_knowledge_entry(current_user))
    back = _entry_back(entry, url_for("knowledge_base.kb_entry", thread_id=thread_id))
    form = TitleForm()
    if not form.validate_on_submit():
        return _refuse(back, form.first_error())
    return _act(back, partial(retitle_entry, _me(), entry, title=form.title.data), _("Заголовок записи изменён."))


@bp.post(f"/consultations/kb/{_ID}/withdraw")
@login_required
def kb_withdraw(thread_id):
    entry = db.get_or_404(KnowledgeEntry, thread_id)
    require(policy.can_edit_knowledge_entry(current_user))
    back = _entry_back(entry, url_for("knowledge_base.kb_list"))
    return _act(back, partial(withdraw_entry, _me(), entry), _("Запись снята с базы консультаций."))


@bp.post(f"/threads/{_ID}/kb/consent")
@login_required
def kb_consent(thread_id):
    question = _thread_question(thread_id)
    require(policy.can_consent_to_publish(current_user, question))
    success = _("Спасибо: методист сможет опубликовать вопрос в базе консультаций без вашего имени.")
    return _act(_to_thread(thread_id), partial(consent_to_publish, _me(), question), success)


@bp.post(f"/threads/{_ID}/kb/consent/withdraw")
@login_required
def kb_consent_withdraw(thread_id):
    question = _thread_question(thread_id)
    require(policy.can_consent_to_publish(current_user, question))

    def withdraw():
        if withdraw_publish_consent(_me(), question):
            return _("Согласие отозвано, вопрос снят с базы консультаций.")
        return None

    return _act(_to_thread(thread_id), withdraw, _("Согласие на публикацию отозвано."))
