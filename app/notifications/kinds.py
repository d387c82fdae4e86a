"""Every kind of notification, the category it belongs to, and each category's default e-mail delivery.

A category is what a user chooses a delivery for at /settings/notifications: immediately (within the grouping
window), in the daily digest, or not by e-mail. In-app notifications are always made; the choice is about e-mail.
Features notify with the kinds below (`services.notify`/`notify_many`); a kind not listed here is refused, so a typo
cannot make a notification nobody can turn off.
"""

import enum

from flask_babel import lazy_gettext as _l


class Delivery(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"

    @property
    def label(self) -> str:
        labels = {
            Delivery.IMMEDIATE: _l("сразу"),
            Delivery.DIGEST: _l("в ежедневной сводке"),
            Delivery.OFF: _l("не присылать"),
        }
        return str(labels[self])


class Audience(enum.StrEnum):
    """Who a category concerns, so the settings page offers only what can reach the user."""

    EVERYONE = "everyone"
    CONSULTANTS = "consultants"  # methodists, and leaders and admins for overdue questions
    MODERATORS = "moderators"  # leaders and admins


class Category(enum.StrEnum):
    REPLIES = "replies"
    MENTIONS = "mentions"
    WATCHED = "watched"
    MY_QUESTIONS = "my_questions"
    QUEUE = "queue"
    USEFUL = "useful"
    ASSOCIATION = "association"
    ANNOUNCEMENTS = "announcements"
    LEADING = "leading"
    MODERATION = "moderation"

    @property
    def label(self) -> str:
        return str(_LABELS[self][0])

    @property
    def hint(self) -> str:
        return str(_LABELS[self][1])

    @property
    def default(self) -> Delivery:
        return DEFAULTS[self]

    @property
    def audience(self) -> Audience:
        return AUDIENCES.get(self, Audience.EVERYONE)

    def delivery(self, chosen: str | None) -> Delivery:
        """The delivery a user's stored choice means (none, or one no longer known: the default)."""
        try:
            return Delivery(chosen) if chosen else self.default
        except ValueError:
            return self.default


_LABELS = {
    Category.REPLIES: (_l("Ответы на ваши сообщения"), _l("Кто-то ответил на ваше сообщение или в вашей теме.")),
    Category.MENTIONS: (_l("Упоминания"), _l("Вас упомянули через @.")),
    Category.WATCHED: (_l("Темы, за которыми вы следите"),
                       _l("Новые сообщения в темах с уровнем «следить» или «отслеживать».")),
    Category.MY_QUESTIONS: (_l("Ваши вопросы и ответы в консультациях"),
                            _l("Вопрос взят в работу, на него ответили, ответ отмечен решением или рекомендован, "
                               "вопрос снова в работе, напоминание оценить консультацию.")),
    Category.QUEUE: (_l("Очередь консультаций"),
                     _l("Новые вопросы по вашим предметам, назначенные вам, срок ответа истекает или истёк.")),
    Category.USEFUL: (_l("Отметки «Полезно»"), _l("Коллеги отметили ваше сообщение как полезное.")),
    Category.ASSOCIATION: (_l("Новые темы в объединениях"),
                           _l("Новые темы в объединениях, за которыми вы следите.")),
    Category.ANNOUNCEMENTS: (_l("Объявления"), _l("Объявления в ваших объединениях, кроме тех, где вы выбрали "
                                                  "«без уведомлений».")),
    Category.LEADING: (_l("Руководство объединением"),
                       _l("Заявки на вступление, жалобы, сообщения на премодерации.")),
    Category.MODERATION: (_l("Решения модераторов"),
                          _l("Действия модераторов с вашими сообщениями и темами, ответы на ваши жалобы.")),
}  # fmt: skip

# Questions and answers immediately, and what waits for a leader's decision; the rest in the digest.
DEFAULTS = {
    Category.REPLIES: Delivery.IMMEDIATE,
    Category.MENTIONS: Delivery.IMMEDIATE,
    Category.WATCHED: Delivery.IMMEDIATE,
    Category.MY_QUESTIONS: Delivery.IMMEDIATE,
    Category.QUEUE: Delivery.IMMEDIATE,
    Category.USEFUL: Delivery.DIGEST,
    Category.ASSOCIATION: Delivery.DIGEST,
    Category.ANNOUNCEMENTS: Delivery.DIGEST,
    Category.LEADING: Delivery.IMMEDIATE,  # a join request waits, a report of pupils' personal data must not
    Category.MODERATION: Delivery.DIGEST,
}

AUDIENCES = {Category.QUEUE: Audience.CONSULTANTS, Category.LEADING: Audience.MODERATORS}

KINDS: dict[str, Category] = {
    # discussions
    "thread_reply": Category.WATCHED,  # grouped per thread while unread
    "post_reply": Category.REPLIES,
    "mention": Category.MENTIONS,
    "post_useful": Category.USEFUL,  # grouped per post while unread
    "thread_new": Category.ASSOCIATION,
    "announcement": Category.ANNOUNCEMENTS,
    # consultations: the asker and the answers' authors
    "question_taken": Category.MY_QUESTIONS,
    "question_answered": Category.MY_QUESTIONS,
    "question_accepted": Category.MY_QUESTIONS,
    "question_solved": Category.MY_QUESTIONS,  # the asker, when someone else marked the solution
    "question_endorsed": Category.MY_QUESTIONS,
    "answer_endorsed": Category.MY_QUESTIONS,
    "question_reopened": Category.MY_QUESTIONS,
    "question_closed": Category.MY_QUESTIONS,
    "question_reminder": Category.MY_QUESTIONS,
    # consultations: methodists, and leaders and admins for overdue questions
    "question_new": Category.QUEUE,
    "question_assigned": Category.QUEUE,
    "question_due_soon": Category.QUEUE,
    "question_overdue": Category.QUEUE,
    # leaders
    "join_request": Category.LEADING,
    "report_new": Category.LEADING,
    "post_held": Category.LEADING,
    # moderation of one's own content
    "post_hidden": Category.MODERATION,
    "post_unhidden": Category.MODERATION,
    "post_edited": Category.MODERATION,
    "post_approved": Category.MODERATION,
    "post_rejected": Category.MODERATION,
    "post_restored": Category.MODERATION,
    "thread_hidden": Category.MODERATION,
    "thread_unhidden": Category.MODERATION,
    "thread_locked": Category.MODERATION,
    "thread_unlocked": Category.MODERATION,
    "thread_moved": Category.MODERATION,
    "thread_merged": Category.MODERATION,
    "thread_split": Category.MODERATION,
    "member_muted": Category.MODERATION,
    "member_unmuted": Category.MODERATION,
    "member_removed": Category.MODERATION,
    "member_banned": Category.MODERATION,
    "member_unbanned": Category.MODERATION,
    "report_resolved": Category.MODERATION,
}


def category_of(kind: str) -> Category:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown notification kind {kind!r}: add it to app/notifications/kinds.py") from None
