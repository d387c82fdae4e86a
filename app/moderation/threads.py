"""Moderators' actions on threads: pin, lock, hide, move, merge, split and slow mode. They flush, never commit.

Every action is logged (`log.record`) and told to those it affects (`notify`). Counters stay exact in the same
transaction: a thread's own (posts, replies, «Полезно», last activity) are recounted from its rows after its posts
moved, under its row lock; an association's `thread_count`/`post_count` change by the difference, in SQL, and its
`last_posted_at` is read again from its threads. Locks are taken in the discussions' order (posts, threads,
associations), so an action never deadlocks with a reply, an edit or a delete in the same thread.
"""

import math

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from app import policy
from app.associations.models import Association, Visibility
from app.auth.models import User
from app.consultations.models import Question
from app.db import prepared, utcnow
from app.discussions.editing import MAX_TITLE, MIN_TITLE
from app.discussions.models import Post, Thread, ThreadKind, ThreadReader, WatchLevel
from app.discussions.services import DiscussionError
from app.extensions import db
from app.moderation.log import record
from app.moderation.models import ModerationKind, Report
from app.moderation.posts import MAX_REASON
from app.moderation.thread_posts import (
    carry_readers,
    count_in_association,
    counted,
    lock_posts,
    placed,
    recount_threads,
    reserve_numbers,
    split_readers,
    visible_posts,
    write_places,
)
from app.notifications.services import notify

MAX_SLOW_MODE = 24 * 3600
_CHUNK = 300  # posts per UPDATE when posts are renumbered (bound parameters stay far below every limit)


class ModerationError(Exception):
    """An action the thread's state does not allow; the message is fit to show the moderator."""


class ConfirmationNeeded(ModerationError):
    """The action is allowed only once the moderator confirms it (a merge across a private/public boundary)."""


# --- pin, lock, hide, slow mode ---------------------------------------------------------------------------------------


def pin_thread(actor: User, thread: Thread, *, reason: str = "") -> None:
    """Keep the thread on top of its association's list."""
    _lock(thread)
    if thread.pinned_at is not None:
        raise ModerationError(_("Тема уже закреплена."))
    thread.pinned_at = utcnow()
    _done(actor, thread, ModerationKind.THREAD_PINNED, _reason(reason))


def unpin_thread(actor: User, thread: Thread, *, reason: str = "") -> None:
    _lock(thread)
    if thread.pinned_at is None:
        raise ModerationError(_("Тема не закреплена."))
    thread.pinned_at = None
    _done(actor, thread, ModerationKind.THREAD_UNPINNED, _reason(reason))


def lock_thread(actor: User, thread: Thread, reason: str) -> None:
    """No more replies; the reason is shown on the thread and told to its author."""
    reason = _reason(reason, required=True)
    _lock(thread)
    if thread.locked_at is not None:
        raise ModerationError(_("Тема уже закрыта для ответов."))
    thread.locked_at, thread.lock_reason = utcnow(), reason
    _done(actor, thread, ModerationKind.THREAD_LOCKED, reason, notice="thread_locked")


def unlock_thread(actor: User, thread: Thread, *, reason: str = "") -> None:
    reason = _reason(reason)
    _lock(thread)
    if thread.locked_at is None:
        raise ModerationError(_("Тема не закрыта."))
    thread.locked_at, thread.lock_reason = None, ""
    _done(actor, thread, ModerationKind.THREAD_UNLOCKED, reason, notice="thread_unlocked")


def hide_thread(actor: User, thread: Thread, reason: str) -> None:
    """Out of members' sight (moderators see it with the reason) and out of the association's counters."""
    reason = _reason(reason, required=True)
    _lock(thread)
    if thread.deleted_at is not None:
        raise ModerationError(_("Тема удалена: скрывать нечего."))
    if thread.hidden_at is not None:
        raise ModerationError(_("Тема уже скрыта."))
    shown = counted(thread)
    thread.hidden_at, thread.hidden_by_id, thread.hidden_reason = utcnow(), actor.id, reason
    db.session.flush()
    if shown:
        count_in_association(thread.association_id, threads=-1, posts=-visible_posts(thread.id))
    _done(actor, thread, ModerationKind.THREAD_HIDDEN, reason, notice="thread_hidden")


def unhide_thread(actor: User, thread: Thread, *, reason: str = "") -> None:
    reason = _reason(reason)
    _lock(thread)
    if thread.hidden_at is None:
        raise ModerationError(_("Тема не скрыта."))
    if thread.merged_into_id is not None:
        raise ModerationError(_("Тема объединена с другой: её сообщения теперь там."))
    if thread.held_at is not None:
        raise ModerationError(_("Тема ждёт проверки: одобрите или отклоните её в очереди модерации."))
    thread.hidden_at, thread.hidden_by_id, thread.hidden_reason = None, None, ""
    db.session.flush()
    if counted(thread):
        count_in_association(thread.association_id, threads=1, posts=visible_posts(thread.id))
    _done(actor, thread, ModerationKind.THREAD_UNHIDDEN, reason, notice="thread_unhidden")


def set_slow_mode(actor: User, thread: Thread, seconds: int, *, reason: str = "") -> None:
    """At most one post per member every `seconds` in this thread (0: off); moderators are exempt."""
    if not isinstance(seconds, int) or not 0 <= seconds <= MAX_SLOW_MODE:
        raise ModerationError(_("Выберите интервал медленного режима из списка."))
    _lock(thread)
    if thread.slow_mode_seconds == seconds:
        raise ModerationError(_("Медленный режим уже такой."))
    thread.slow_mode_seconds = seconds
    details = _("%(n)d с", n=seconds) if seconds else _("выключен")
    _done(actor, thread, ModerationKind.SLOW_MODE, _reason(reason), details=details)


def check_slow_mode(author: User, thread: Thread) -> None:
    """A REPLY_CHECKS check: refuse a member's reply while their previous post in the thread is too recent."""
    interval = thread.slow_mode_seconds or 0
    if interval <= 0 or policy.can_moderate(author, thread.association):
        return
    last = db.session.scalar(_last_post_of(), {"slow_thread_id": thread.id, "slow_author_id": author.id})
    if last is None:
        return
    wait = math.ceil(interval - (utcnow() - last).total_seconds())
    if wait > 0:
        raise DiscussionError(slow_mode_wait_message(wait))


def slow_mode_wait_message(seconds: int) -> str:
    if seconds >= 60:
        minutes = math.ceil(seconds / 60)
        return ngettext(
            "Медленный режим: следующее сообщение можно отправить через %(num)d минуту.",
            "Медленный режим: следующее сообщение можно отправить через %(num)d минут.",
            minutes,
        )
    return ngettext(
        "Медленный режим: следующее сообщение можно отправить через %(num)d секунду.",
        "Медленный режим: следующее сообщение можно отправить через %(num)d секунд.",
        seconds,
    )


@prepared
def _last_post_of():
    return sa.select(sa.func.max(Post.created_at)).where(
        Post.thread_id == sa.bindparam("slow_thread_id"), Post.author_id == sa.bindparam("slow_author_id")
    )


# --- move --------------------------------------------------------------------------------------------------------


def move_thread(actor: User, thread: Thread, target: Association, *, reason: str = "") -> None:
    """Into another association with all its posts; both associations' counters follow. The thread loses its pin
    (what is pinned is each association's leaders' choice); its author and watchers are told where it went."""
    reason = _reason(reason)
    if target.id == thread.association_id:
        raise ModerationError(_("Тема уже в этом объединении."))
    if target.is_archived:
        raise ModerationError(_("Объединение в архиве: переносить в него нельзя."))
    _lock(thread)
    source = thread.association
    record(actor, ModerationKind.THREAD_MOVED, thread=thread, reason=reason,
           details=f"«{source.name}» → «{target.name}»")  # fmt: skip
    shown = counted(thread)
    posts = visible_posts(thread.id) if shown else 0
    db.session.execute(
        sa.update(Thread).where(Thread.id == thread.id).values(association_id=target.id, pinned_at=None)
    )  # an ORM UPDATE: the search index notes the thread's new association
    _move_open_reports(sa.select(Post.id).where(Post.thread_id == thread.id), target.id)
    for association_id in sorted((source.id, target.id)):  # rows locked in a fixed order
        step = -1 if association_id == source.id else 1
        count_in_association(association_id, threads=step if shown else 0, posts=step * posts)
    db.session.expire(thread)
    for user in _watchers(thread, with_author=True):
        notify(user, "thread_moved", actor=actor, association_id=target.id, thread_id=thread.id,
               title=thread.title, association=target.name, **{"from": source.name, "to": target.name})  # fmt: skip
    db.session.flush()


def _move_open_reports(post_ids, association_id: int) -> None:
    """Open reports of the moved posts go to the queue of the association the posts are in now."""
    db.session.execute(
        sa.update(Report)
        .where(Report.post_id.in_(post_ids), Report.resolved_at.is_(None))
        .values(association_id=association_id),
        execution_options={"synchronize_session": False},
    )


# --- merge -------------------------------------------------------------------------------------------------------


def crosses_privacy(source: Thread, target: Thread) -> bool:
    """One side is read by fewer people (a private question, or an association only its members see)."""

    def closed(thread: Thread) -> tuple[bool, bool]:
        return thread.is_private, thread.association.visibility != Visibility.PUBLIC

    return closed(source) != closed(target)


def merge_threads(actor: User, source: Thread, target: Thread, *, confirmed: bool = False, reason: str = "") -> None:
    """Append the source's posts to the target in the order they were written (times, authors and answers kept);
    the source is hidden and marked merged (its address leads to the target); its readers read on in the target."""
    reason = _reason(reason)
    if source.id == target.id:
        raise ModerationError(_("Тему нельзя объединить с самой собой."))
    for thread in (source, target):
        if thread.deleted_at is not None or thread.merged_into_id is not None:
            raise ModerationError(_("Тема «%(title)s» удалена или уже объединена с другой.", title=thread.title))
        if thread.held_at is not None:
            raise ModerationError(_("Тема «%(title)s» ждёт проверки: сначала одобрите или отклоните её.",
                                    title=thread.title))  # fmt: skip
    if crosses_privacy(source, target) and not confirmed:
        raise ConfirmationNeeded(
            _("Подтвердите объединение: одна из тем закрыта от части читателей (личный вопрос или объединение только "
              "для участников), другая — нет, и сообщения увидят другие люди.")
        )  # fmt: skip
    lock_posts(source.id)
    _lock(source, target)
    source_counted, target_counted = counted(source), counted(target)
    moved = visible_posts(source.id)
    rows = db.session.execute(
        sa.select(Post.id, Post.number, Post.reply_to_id).where(Post.thread_id == source.id)
        .order_by(Post.created_at, Post.number)
    ).all()  # fmt: skip
    first = target.post_count + 1
    if rows:
        reserve_numbers(target.id, len(rows))
    carry_readers(source.id, target.id, offset=first - 1)
    write_places(placed(rows, target.id, first))
    if source.association_id != target.association_id:
        arrived = sa.select(Post.id).where(Post.thread_id == target.id, Post.number >= first)
        _move_open_reports(arrived, target.association_id)
    now = utcnow()
    db.session.execute(
        sa.update(Thread).where(Thread.id == source.id).values(
            merged_into_id=target.id, pinned_at=None, hidden_at=sa.func.coalesce(Thread.hidden_at, now),
            hidden_by_id=sa.func.coalesce(Thread.hidden_by_id, actor.id),
            hidden_reason=_("Объединена с темой «%(title)s».", title=target.title)[:MAX_REASON],
        ),
        execution_options={"synchronize_session": False},
    )  # fmt: skip
    # Threads merged into the source earlier lead straight to the target now.
    db.session.execute(
        sa.update(Thread).where(Thread.merged_into_id == source.id).values(merged_into_id=target.id),
        execution_options={"synchronize_session": False},
    )
    recount_threads(source.id, target.id)
    # The source's visible posts leave its association's counts with it (if it was counted there) and join the
    # target's (if the target is counted); the source thread itself is hidden now.
    for association_id in sorted({source.association_id, target.association_id}):
        out = source_counted and association_id == source.association_id
        into = target_counted and association_id == target.association_id
        count_in_association(association_id, threads=-int(out), posts=moved * (int(into) - int(out)))
    record(actor, ModerationKind.THREAD_MERGED, thread=source, reason=reason,
           details=f"→ «{target.title}» (#{target.id})")  # fmt: skip
    for user in _watchers(source, with_author=True):
        notify(user, "thread_merged", actor=actor, association_id=target.association_id, thread_id=target.id,
               title=source.title, into_title=target.title)  # fmt: skip
    db.session.expire(source)
    db.session.expire(target)
    db.session.flush()


# --- split -------------------------------------------------------------------------------------------------------


def split_thread(actor: User, thread: Thread, post_numbers, title: str, *, reason: str = "") -> Thread:
    """The selected replies become a new thread in the same association, titled `title`: the first of them is its
    opening post. Both threads are numbered again from 1 without gaps; readers keep their place in each."""
    reason = _reason(reason)
    title = " ".join((title or "").split())
    numbers = sorted({int(n) for n in post_numbers})
    _check_split(thread, numbers, title)
    lock_posts(thread.id)
    _lock(thread)
    rows = db.session.execute(
        sa.select(Post.id, Post.number, Post.reply_to_id, Post.author_id, Post.created_at, Post.deleted_at,
                  Post.hidden_at).where(Post.thread_id == thread.id).order_by(Post.number)
    ).all()  # fmt: skip
    by_number = {row.number: row for row in rows}
    if missing := [n for n in numbers if n not in by_number]:
        raise ModerationError(_("В теме нет сообщений с номерами: %(numbers)s.", numbers=", ".join(map(str, missing))))
    chosen = [by_number[n] for n in numbers]
    _check_opening(chosen[0], {row.id for row in chosen})
    new = _new_thread(thread, chosen[0], title)
    split_readers(thread.id, new.id, numbers)
    write_places(placed(chosen, new.id, 1))
    staying = [row for row in rows if row.number not in set(numbers)]
    # Numbers must be unique per thread at every row: the posts that move up go through negative numbers first. A
    # post keeping its number keeps its place in the tree too (its answers' chain has only smaller numbers).
    old_numbers = {row.id: row.number for row in staying}
    renumbered = {i: c for i, c in placed(staying, thread.id, 1).items() if c["number"] != old_numbers[i]}
    write_places(renumbered, negative=True)
    db.session.execute(
        sa.update(Post).where(Post.thread_id == thread.id, Post.number < 0).values(number=-Post.number),
        execution_options={"synchronize_session": False},
    )
    recount_threads(thread.id, new.id)
    if counted(new):
        count_in_association(thread.association_id, threads=1)
    record(actor, ModerationKind.THREAD_SPLIT, thread=thread, reason=reason,
           details=f"{len(numbers)} → «{title}» (#{new.id})")  # fmt: skip
    authors = {row.author_id for row in chosen} - {None}
    for user in db.session.scalars(sa.select(User).where(User.id.in_(authors))) if authors else ():
        notify(user, "thread_split", actor=actor, association_id=thread.association_id, thread_id=new.id,
               title=thread.title, new_title=title)  # fmt: skip
    db.session.expire(thread)
    db.session.flush()
    db.session.refresh(new)
    return new


def _check_split(thread: Thread, numbers: list[int], title: str) -> None:
    if not numbers:
        raise ModerationError(_("Отметьте сообщения, которые нужно выделить в новую тему."))
    if numbers[0] < 2:
        raise ModerationError(_("Первое сообщение остаётся в теме: отметьте только ответы."))
    if not MIN_TITLE <= len(title) <= MAX_TITLE:
        raise ModerationError(_("Заголовок — от %(min)d до %(max)d символов.", min=MIN_TITLE, max=MAX_TITLE))
    if thread.is_private:
        raise ModerationError(_("Из личного вопроса сообщения не выделяются: его видят не все."))
    if thread.deleted_at is not None or thread.merged_into_id is not None or thread.held_at is not None:
        raise ModerationError(_("Тема удалена, объединена с другой или ждёт проверки."))


def _check_opening(first, chosen_ids: set[int]) -> None:
    if first.deleted_at is not None or first.hidden_at is not None:
        raise ModerationError(_("Первое из отмеченных сообщений станет началом новой темы: оно должно быть видно."))
    accepted = sa.select(Question.thread_id).where(Question.accepted_post_id.in_(chosen_ids))
    if db.session.scalar(accepted.limit(1)) is not None:
        raise ModerationError(_("Среди отмеченных — решение вопроса: сначала снимите отметку решения."))


def _new_thread(thread: Thread, first, title: str) -> Thread:
    """The new thread, as its first post opened it; hidden like the thread it came from."""
    new = Thread(
        association_id=thread.association_id, author_id=first.author_id, kind=ThreadKind.DISCUSSION, title=title,
        created_at=first.created_at, last_posted_at=first.created_at, last_poster_id=first.author_id, post_count=0,
        hidden_at=thread.hidden_at, hidden_by_id=thread.hidden_by_id, hidden_reason=thread.hidden_reason,
    )  # fmt: skip
    db.session.add(new)
    db.session.flush()
    return new


# --- shared -------------------------------------------------------------------------------------------------------


def _reason(reason: str | None, *, required: bool = False) -> str:
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise ModerationError(_("Укажите причину."))
    if len(reason) > MAX_REASON:
        raise ModerationError(_("Причина длиннее %(n)d символов.", n=MAX_REASON))
    return reason


def _lock(*threads: Thread) -> None:
    """Read the threads again under their row locks (PostgreSQL), in id order: a reply waits, then counts right."""
    for thread in sorted(threads, key=lambda t: t.id):
        db.session.refresh(thread, with_for_update=True)


def _watchers(thread: Thread, *, with_author: bool) -> list[User]:
    """Who is told about the thread: those who watch or track it, and its author."""
    readers = sa.select(ThreadReader.user_id).where(
        ThreadReader.thread_id == thread.id, ThreadReader.level.in_([WatchLevel.WATCHING, WatchLevel.TRACKING])
    )
    condition = User.id.in_(readers)
    if with_author and thread.author_id is not None:
        condition = sa.or_(condition, User.id == thread.author_id)
    return list(db.session.scalars(sa.select(User).where(condition).order_by(User.id)))


def _done(actor: User, thread: Thread, kind: ModerationKind, reason: str, *, notice: str | None = None,
          details: str = "") -> None:  # fmt: skip
    """Log the action; tell the thread's author (`notice`: the notification's kind)."""
    record(actor, kind, thread=thread, reason=reason, details=details)
    if notice is not None:
        _tell_author(actor, thread, notice, reason=reason)
    db.session.flush()


def _tell_author(actor: User, thread: Thread, kind: str, **params) -> None:
    if thread.author_id is not None:
        notify(db.session.get(User, thread.author_id), kind, actor=actor, association_id=thread.association_id,
               thread_id=thread.id, title=thread.title, **params)  # fmt: skip
