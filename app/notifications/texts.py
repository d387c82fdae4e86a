"""What a notification says, by its kind: a table of Russian sentences with named parameters, filled from the
notification's `params` (plain JSON values the notifying feature chose), in the reader's language at reading time.

Parameters the texts read (any other is ignored, so a feature may store more):
- `reason` — a moderator's reason, shown on its own line («Причина: …») for every kind;
- `association` (or `association_name`) — an association's name (where a thread went, where a member was muted or
  banned);
- `until`, `due` — an ISO 8601 time (until when a member is muted, when a question's answer is due), shown in the
  reader's time zone;
- `quote` — a text the notice quotes when it is not about a post (a join request's message);
- `report_reason` — a report's reason ("spam", "insult", "off_topic", "pupils_data", "other");
- `outcome` — how a report was resolved: "dismissed", "hidden" or "hidden_muted"; how a question was closed:
  "duplicate", "not_a_question" or "resolved".
Titles of threads are never taken from `params`: the inbox links to the thread or post itself, with its current title,
and only while the reader may see it. A kind missing from the table gets a generic text.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.i18n import datetime_filter


@dataclass(frozen=True, slots=True)
class NoticeText:
    """`text` alone; `detailed` when every parameter in `needs` is given; `automatic` when nobody acted (an automatic
    action, such as a post hidden by members' reports)."""

    text: str
    detailed: str | None = None
    needs: tuple[str, ...] = ()
    automatic: str | None = None
    counted: Callable[[int], str] | None = None  # a grouped kind's text for more than one («3 коллеги отметили…»)


TEXTS: dict[str, NoticeText] = {
    # posts (moderation)
    "post_hidden": NoticeText(_l("Модератор скрыл ваше сообщение."),
                              automatic=_l("Ваше сообщение скрыто по жалобам участников до проверки модератором.")),
    "post_unhidden": NoticeText(_l("Ваше сообщение снова видно всем.")),
    "post_edited": NoticeText(_l("Модератор исправил ваше сообщение. Прежний текст сохранён в истории правок.")),
    "post_approved": NoticeText(_l("Ваше сообщение одобрено и опубликовано.")),
    "post_rejected": NoticeText(_l("Ваше сообщение отклонено руководителем объединения.")),
    "post_restored": NoticeText(_l("Ваше удалённое сообщение восстановлено модератором.")),
    # threads (moderation)
    "thread_hidden": NoticeText(_l("Модератор скрыл вашу тему.")),
    "thread_unhidden": NoticeText(_l("Ваша тема снова видна всем.")),
    "thread_locked": NoticeText(_l("Тема закрыта для ответов.")),
    "thread_unlocked": NoticeText(_l("Тема снова открыта для ответов.")),
    "thread_moved": NoticeText(_l("Тема перенесена в другое объединение."),
                               _l("Тема перенесена в объединение «%(association)s»."), ("association",)),
    "thread_merged": NoticeText(_l("Тема объединена с другой темой: её сообщения теперь там.")),
    "thread_split": NoticeText(_l("Сообщения темы выделены модератором в новую тему.")),
    # members (moderation)
    "member_muted": NoticeText(_l("Модератор временно лишил вас права писать в объединении."),
                               _l("Вы не можете писать в объединении «%(association)s» до %(until)s."),
                               ("association", "until")),
    "member_unmuted": NoticeText(_l("Вам снова можно писать в объединении."),
                                 _l("Вам снова можно писать в объединении «%(association)s»."), ("association",)),
    "member_removed": NoticeText(_l("Вас исключили из объединения."),
                                 _l("Вас исключили из объединения «%(association)s»."), ("association",)),
    "member_banned": NoticeText(_l("Вас исключили из объединения без права вернуться."),
                                _l("Вас исключили из объединения «%(association)s» без права вернуться."),
                                ("association",)),
    "member_unbanned": NoticeText(_l("Вы снова можете вступить в объединение."),
                                  _l("Вы снова можете вступить в объединение «%(association)s»."), ("association",)),
    # reports
    "report_resolved": NoticeText(_l("Ваша жалоба рассмотрена."), _l("Ваша жалоба рассмотрена: %(outcome)s."),
                                  ("outcome",)),
    # discussions
    "thread_reply": NoticeText(_l("Новый ответ в теме, за которой вы следите."),
                               counted=lambda n: ngettext("%(num)d новый ответ в теме, за которой вы следите.",
                                                          "%(num)d новых ответов в теме, за которой вы следите.", n)),
    "post_reply": NoticeText(_l("Ответ на ваше сообщение.")),
    "mention": NoticeText(_l("Вас упомянули в сообщении.")),
    "post_useful": NoticeText(_l("Коллега отметил ваше сообщение как полезное."),
                              counted=lambda n: ngettext("%(num)d коллега отметил ваше сообщение как полезное.",
                                                         "%(num)d коллег отметили ваше сообщение как полезное.", n)),
    "thread_new": NoticeText(_l("Новая тема в объединении, за которым вы следите.")),
    "announcement": NoticeText(_l("Новое объявление в вашем объединении.")),
    # consultations: the asker and the answers' authors
    "question_taken": NoticeText(_l("Методист взял ваш вопрос в работу.")),
    "question_answered": NoticeText(_l("Методист ответил на ваш вопрос.")),
    "question_accepted": NoticeText(_l("Ваш ответ отмечен как решение вопроса.")),
    "question_solved": NoticeText(_l("В вашем вопросе отмечено решение.")),
    "question_endorsed": NoticeText(_l("Методист рекомендовал ответ на ваш вопрос.")),
    "answer_endorsed": NoticeText(_l("Методист рекомендовал ваш ответ.")),
    "question_reopened": NoticeText(_l("Ваш вопрос снова в работе.")),
    "question_closed": NoticeText(_l("Ваш вопрос закрыт."), _l("Ваш вопрос закрыт: %(outcome)s."), ("outcome",)),
    "question_reminder": NoticeText(_l("На ваш вопрос ответили. Отметьте ответ, который помог, или оцените "
                                       "консультацию.")),
    # consultations: methodists, leaders and admins
    "question_new": NoticeText(_l("Новый вопрос по вашему предмету.")),
    "question_assigned": NoticeText(_l("Вам назначен вопрос.")),
    "question_due_soon": NoticeText(_l("Срок ответа на вопрос скоро истекает."),
                                    _l("Срок ответа на вопрос истекает %(due)s."), ("due",)),
    "question_overdue": NoticeText(_l("Срок ответа на вопрос истёк.")),
    # leaders
    "join_request": NoticeText(_l("Новая заявка на вступление в объединение."),
                               _l("Новая заявка на вступление в объединение «%(association)s»."), ("association",)),
    "report_new": NoticeText(_l("Новая жалоба на сообщение."),
                             _l("Новая жалоба на сообщение: %(report_reason)s."), ("report_reason",)),
    "post_held": NoticeText(_l("Сообщение нового участника ждёт проверки (премодерация).")),
}  # fmt: skip

GENERIC = _l("Новое уведомление.")

# Other names features use for a parameter.
ALIASES = {"association": ("association_name",)}

# Words some parameters stand for, translated when read.
PARAM_WORDS = {
    "outcome": {
        "dismissed": _l("нарушений не найдено"),
        "hidden": _l("сообщение скрыто"),
        "hidden_muted": _l("сообщение скрыто, автор временно лишён права писать"),
        # a question closed (consultations)
        "duplicate": _l("это повтор другого вопроса"),
        "not_a_question": _l("это не вопрос"),
        "resolved": _l("вопрос решён"),
    },
    "report_reason": {
        "spam": _l("спам или реклама"),
        "insult": _l("оскорбление"),
        "off_topic": _l("не по теме"),
        "pupils_data": _l("персональные данные учеников"),
        "other": _l("другое"),
    },
}


def _value(name: str, value) -> str | None:
    """A parameter as the reader reads it; None when it is missing or not understood."""
    if value is None or value == "":
        return None
    if name in PARAM_WORDS:
        word = PARAM_WORDS[name].get(str(value))
        return str(word) if word is not None else None
    if name in ("until", "due"):
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None
        return datetime_filter(moment if moment.tzinfo else moment.replace(tzinfo=UTC))  # stored times are UTC
    return str(value)


def _param(params: dict, name: str):
    for key in (name, *ALIASES.get(name, ())):
        if params.get(key) not in (None, ""):
            return params[key]
    return None


def notice_text(kind: str, params: dict | None, *, automatic: bool = False, count: int = 1) -> str:
    """The sentence of a notification of `kind` (the reason is shown apart: `notice_reason`)."""
    spec = TEXTS.get(kind)
    if spec is None:
        return str(GENERIC)
    if automatic and spec.automatic is not None:
        return str(spec.automatic)
    if count > 1 and spec.counted is not None:
        return spec.counted(count)
    params = params if isinstance(params, dict) else {}
    if spec.detailed is not None:
        values = {name: _value(name, _param(params, name)) for name in spec.needs}
        if all(value is not None for value in values.values()):
            return str(spec.detailed) % values
    return str(spec.text)


QUOTE_LENGTH = 300


def notice_quote(target_excerpt: str, params: dict | None) -> str:
    """What a notice quotes: the post it is about, else the text the notifying feature gave (`quote`: a join
    request's message)."""
    if target_excerpt:
        return target_excerpt
    quote = params.get("quote") if isinstance(params, dict) else None
    if not isinstance(quote, str) or not quote.strip():
        return ""
    quote = " ".join(quote.split())
    return quote if len(quote) <= QUOTE_LENGTH else quote[:QUOTE_LENGTH].rstrip() + "…"


def notice_reason(params: dict | None) -> str:
    reason = params.get("reason") if isinstance(params, dict) else None
    return reason.strip() if isinstance(reason, str) else ""
