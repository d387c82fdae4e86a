"""Consultation statistics (`/consultations/stats`, and the same tables as CSV): per association and per methodist,
for the questions asked in a period — how many were answered, resolved and closed, the median working time to the
first methodist answer, the share answered within the target (`CONSULTATION_TARGET_HOURS`) and the askers'
satisfaction.

The cohort is the questions ASKED in the period (Moscow dates, both inclusive), so a period's numbers settle as its
questions get answered. Three queries whatever the data: one row per question of the cohort (with the methodist who
gave its first answer), the methodists' answers given in the period, and their names. Medians and shares are computed
here, since the working-time clock (clock.py) lives in Python.
"""

import csv
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app import policy
from app.associations.models import Association
from app.associations.queries import visible_to
from app.auth.models import User
from app.consultations.clock import calendar_from_config
from app.consultations.models import Question, QuestionEvent, QuestionEventKind, QuestionStatus
from app.db import rows, utcnow
from app.discussions.models import Thread, ThreadKind
from app.i18n import format_number

bp = Blueprint("consultation_stats", __name__)

PRESETS = {
    "30d": _l("последние 30 дней"),
    "month": _l("этот месяц"),
    "year": _l("этот учебный год"),
    "all": _l("всё время"),
}
DEFAULT_PRESET = "30d"
# Dates outside these years are refused: nobody asked then, and their midnights could not even be converted to UTC.
_FIRST_YEAR, _LAST_YEAR = 2000, 2100
_HOUR = timedelta(hours=1)


# --- the period ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local dates of the district's zone, both inclusive; `start` None means since the first question."""

    start: date | None
    end: date
    preset: str = ""  # the preset it came from, "" for dates typed in

    def bounds(self, zone: ZoneInfo) -> tuple[datetime | None, datetime]:
        """The period as UTC instants [start, end): from the first midnight to the midnight after the last day."""
        start = None if self.start is None else _midnight(self.start, zone)
        return start, _midnight(self.end + timedelta(days=1), zone)

    def query_args(self) -> dict:
        if self.preset:
            return {"period": self.preset}
        return {"from": self.start.isoformat() if self.start else "", "to": self.end.isoformat()}


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def preset_period(name: str, today: date) -> Period:
    school_year = today.year if today.month >= 9 else today.year - 1
    start = {
        "30d": today - timedelta(days=29),
        "month": today.replace(day=1),
        "year": date(school_year, 9, 1),
        "all": None,
    }[name]
    return Period(start, today, name)


def _parse_date(raw: str) -> tuple[date | None, str | None]:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None, _("Дата «%(value)s» не распознана: укажите её в виде ГГГГ-ММ-ДД.", value=raw)
    if not _FIRST_YEAR <= day.year <= _LAST_YEAR:
        return None, _("Укажите дату между %(first)d и %(last)d годом.", first=_FIRST_YEAR, last=_LAST_YEAR)
    return day, None


def parse_period(args, today: date) -> tuple[Period, str | None]:
    """The period the request asks for, or the default one with the reason its input was refused.

    Typed dates win over a preset; an empty start means since the first question, an empty end means today."""
    raw_from, raw_to = (args.get(name, "").strip()[:40] for name in ("from", "to"))
    if raw_from or raw_to:
        start, error = _parse_date(raw_from) if raw_from else (None, None)
        end, end_error = _parse_date(raw_to) if raw_to else (today, None)
        error = error or end_error
        if error is None and start is not None and start > end:
            error = _("Начало периода позже его конца: проверьте даты.")
        if error is None:
            return Period(start, end), None
        return preset_period(DEFAULT_PRESET, today), error
    preset = args.get("period", "") or DEFAULT_PRESET
    if preset not in PRESETS:
        return preset_period(DEFAULT_PRESET, today), _("Такого периода нет: выберите его из списка или укажите даты.")
    return preset_period(preset, today), None


# --- the numbers --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fact:
    """One question of the cohort, as the statistics read it."""

    association_id: int
    association_name: str
    first_answerer_id: int | None
    status: QuestionStatus
    hours: float | None  # working hours from asking to the first methodist answer; None while unanswered
    on_time: bool | None  # answered within the target (False: late, or unanswered past it); None: not decided yet
    helped: bool | None


@dataclass
class Summary:
    """The numbers of one row of a table."""

    asked: int = 0
    answered: int = 0  # got a first methodist answer
    resolved: int = 0
    closed: int = 0
    median_hours: float | None = None
    on_time: int = 0
    due: int = 0  # whose target is decided: answered, or still unanswered past the deadline
    helped: int = 0
    rated: int = 0
    answers: int = 0  # a methodist's answers given in the period (any question)

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def satisfaction(self) -> float | None:
        return self.helped / self.rated if self.rated else None

    @classmethod
    def of(cls, facts: list[_Fact], answers: int = 0) -> "Summary":
        hours = [fact.hours for fact in facts if fact.hours is not None]
        return cls(
            asked=len(facts),
            answered=len(hours),
            resolved=sum(fact.status == QuestionStatus.RESOLVED for fact in facts),
            closed=sum(fact.status == QuestionStatus.CLOSED for fact in facts),
            median_hours=statistics.median(hours) if hours else None,
            on_time=sum(fact.on_time is True for fact in facts),
            due=sum(fact.on_time is not None for fact in facts),
            helped=sum(fact.helped is True for fact in facts),
            rated=sum(fact.helped is not None for fact in facts),
            answers=answers,
        )


@dataclass
class Report:
    period: Period
    leader_scope: bool  # only the associations the user leads (else every association the user may see)
    first_day: date | None  # the local date of the first question counted (names the all-time CSV)
    associations: list[tuple[str, Summary]] = field(default_factory=list)
    association_total: Summary = field(default_factory=Summary)
    methodists: list[tuple[str, Summary]] = field(default_factory=list)
    methodist_total: Summary = field(default_factory=Summary)

    @property
    def filename(self) -> str:
        start = self.period.start or self.first_day or self.period.end
        return f"consultations-{start.isoformat()}-{self.period.end.isoformat()}.csv"


def _leads_only(user) -> bool:
    return not (policy.is_admin(user) or policy.is_methodist(user))


def _scope(user):
    """Admins and methodists: every association they may see; a leader who is neither: the ones they lead."""
    if not _leads_only(user):
        return visible_to(user)
    led = [association_id for association_id, m in policy.memberships_of(user).items() if m.is_leader]
    return Association.id.in_(led)


def _in_scope(stmt, user, thread_id_column, moment_column, start, end):
    stmt = (
        stmt.join(Thread, Thread.id == thread_id_column)
        .join(Association, Association.id == Thread.association_id)
        .where(Thread.deleted_at.is_(None), Thread.hidden_at.is_(None), Thread.kind == ThreadKind.QUESTION)
        .where(_scope(user), moment_column < end)
    )
    return stmt if start is None else stmt.where(moment_column >= start)


def _cohort(user, start, end):
    """One row per question asked in the period, with the methodist of its earliest answer (one query)."""
    first_answerer = (
        sa.select(QuestionEvent.actor_id)
        .where(QuestionEvent.thread_id == Question.thread_id, QuestionEvent.kind == QuestionEventKind.ANSWERED)
        .order_by(QuestionEvent.created_at, QuestionEvent.id)
        .limit(1)
        .correlate(Question)
        .scalar_subquery()
    )
    columns = (
        Association.id.label("association_id"), Association.name.label("association_name"), Question.status,
        Question.asked_at, Question.first_answer_at, Question.resolved_at, Question.helped,
        first_answerer.label("first_answerer_id"),
    )  # fmt: skip
    return rows(_in_scope(sa.select(*columns), user, Question.thread_id, Question.asked_at, start, end)).all()


def _answers_given(user, start, end) -> dict[int | None, int]:
    """Methodists' answers (ANSWERED events) given in the period on questions in scope, by methodist (one query)."""
    stmt = sa.select(QuestionEvent.actor_id, sa.func.count()).where(QuestionEvent.kind == QuestionEventKind.ANSWERED)
    stmt = _in_scope(stmt, user, QuestionEvent.thread_id, QuestionEvent.created_at, start, end)
    return dict(rows(stmt.group_by(QuestionEvent.actor_id)).all())


def _names(user_ids) -> dict[int, str]:
    ids = sorted(i for i in user_ids if i is not None)
    if not ids:
        return {}
    return dict(rows(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all())


def _fact(row, calendar, target: timedelta, now: datetime) -> _Fact:
    hours = on_time = None
    if row.first_answer_at is not None:
        took = calendar.elapsed(row.asked_at, row.first_answer_at)
        hours, on_time = took / _HOUR, took <= target
    else:
        # Unanswered: missed once the deadline passed while it waited (closing without an answer stops the wait).
        stopped = now if row.status.is_open or row.resolved_at is None else min(row.resolved_at, now)
        if calendar.elapsed(row.asked_at, stopped) > target:
            on_time = False
    return _Fact(row.association_id, row.association_name, row.first_answerer_id, row.status, hours, on_time,
                 row.helped)  # fmt: skip


def _rows(groups: dict, names: dict, answers: dict | None = None) -> list[tuple[str, Summary]]:
    """A table's rows by name (then id, so that namesakes keep their order); an unknown id is a deleted user."""
    unknown = _("удалённый пользователь")
    ordered = sorted(groups.items(), key=lambda item: (names.get(item[0], unknown).casefold(), item[0] or 0))
    return [(names.get(key, unknown), Summary.of(facts, (answers or {}).get(key, 0))) for key, facts in ordered]


def build_report(user, period: Period) -> Report:
    """Both tables for the questions asked in the period within the user's scope (three queries at most)."""
    config = current_app.config
    calendar = calendar_from_config(config)
    start, end = period.bounds(calendar.zone)
    target, now = timedelta(hours=config["CONSULTATION_TARGET_HOURS"]), utcnow()
    found = _cohort(user, start, end)
    facts = [_fact(row, calendar, target, now) for row in found]
    answers = _answers_given(user, start, end)
    by_association, by_methodist = defaultdict(list), defaultdict(list)
    for fact in facts:
        by_association[fact.association_id].append(fact)
        if fact.hours is not None:
            by_methodist[fact.first_answerer_id].append(fact)
    for methodist_id in answers:
        by_methodist.setdefault(methodist_id, [])
    first = min((row.asked_at for row in found), default=None)
    return Report(
        period=period,
        leader_scope=_leads_only(user),
        first_day=first.astimezone(calendar.zone).date() if first else None,
        associations=_rows(by_association, {fact.association_id: fact.association_name for fact in facts}),
        association_total=Summary.of(facts),
        methodists=_rows(by_methodist, _names(by_methodist), answers),
        methodist_total=Summary.of([fact for fact in facts if fact.hours is not None], sum(answers.values())),
    )


# --- formatting ---------------------------------------------------------------------------------------------------


def hours_text(value: float | None) -> str:
    """A working time as hours with one decimal: «27,5 ч»; «—» when there is nothing to measure."""
    return "—" if value is None else _("%(hours)s ч", hours=format_number(value, 1))


def percent_text(share: float | None) -> str:
    return "—" if share is None else _("%(percent)s %%", percent=format_number(share * 100, 1))


def _decimal(value: float | None) -> str:
    """A number for the CSV: one decimal with a comma, as Excel reads it in Russian; empty when there is none."""
    return "" if value is None else f"{value:.1f}".replace(".", ",")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A name as a CSV cell that a spreadsheet will not run as a formula (OWASP's advice: a leading apostrophe)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _csv_headers() -> list[str]:
    return [
        _("Решено"), _("Закрыто"), _("Медиана до первого ответа, рабочих ч"), _("Ответов в срок"),
        _("Учтено для срока"), _("Доля в срок, %"), _("Помогло"), _("Оценок"), _("Удовлетворённость, %"),
    ]  # fmt: skip


def _csv_cells(summary: Summary) -> list:
    share, satisfaction = summary.on_time_share, summary.satisfaction
    return [
        summary.resolved, summary.closed, _decimal(summary.median_hours), summary.on_time, summary.due,
        _decimal(None if share is None else share * 100), summary.helped, summary.rated,
        _decimal(None if satisfaction is None else satisfaction * 100),
    ]  # fmt: skip


def report_csv(report: Report) -> str:
    """Both tables, one after the other with a blank line between, each with its header; `;` between cells and a
    decimal comma, which is what Excel expects in a Russian locale, and a BOM so that it reads UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    section = _("по объединениям")
    writer.writerow([_("Раздел"), _("Объединение"), _("Задано"), _("Отвечено"), *_csv_headers()])
    for name, s in [*report.associations, (_("Всего"), report.association_total)]:
        writer.writerow([section, csv_text(name), s.asked, s.answered, *_csv_cells(s)])
    writer.writerow([])
    section = _("по методистам")
    writer.writerow([_("Раздел"), _("Методист"), _("Первых ответов"), _("Всех ответов за период"), *_csv_headers()])
    for name, s in [*report.methodists, (_("Всего"), report.methodist_total)]:
        writer.writerow([section, csv_text(name), s.answered, s.answers, *_csv_cells(s)])
    return "\ufeff" + out.getvalue()


# --- views --------------------------------------------------------------------------------------------------------


def _report() -> tuple[Report, str | None]:
    policy.require(policy.can_view_consultation_stats(current_user))
    today = utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    period, error = parse_period(request.args, today)
    return build_report(current_user, period), error


def _page(report: Report, error: str | None):
    body = render_template(
        "consultations/stats.html", report=report, error=error, presets=PRESETS,
        typed={name: request.args.get(name, "")[:40] for name in ("from", "to")},
        target_hours=current_app.config["CONSULTATION_TARGET_HOURS"], hours_text=hours_text,
        percent_text=percent_text,
    )  # fmt: skip
    return body, 400 if error else 200


@bp.get("/consultations/stats")
@login_required
def stats_show():
    return _page(*_report())


@bp.get("/consultations/stats.csv")
@login_required
def stats_download():
    report, error = _report()
    if error:  # the page says what is wrong, rather than a file of another period
        return _page(report, error)
    disposition = f'attachment; filename="{report.filename}"'
    return Response(report_csv(report), mimetype="text/csv", headers={"Content-Disposition": disposition})
