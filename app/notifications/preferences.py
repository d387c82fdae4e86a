"""A user's e-mail choices: delivery per category, the digest's hour, pausing all e-mail, and what an unsubscribe
link turns off."""

import sqlalchemy as sa
from flask import current_app

from app import policy
from app.extensions import db
from app.notifications.kinds import Audience, Category, Delivery
from app.notifications.models import EmailState, Notification, NotificationPreference


def categories_for(user) -> list[Category]:
    """The categories whose notices can reach the user (the settings page shows only these)."""
    shown = []
    for category in Category:
        if category.audience == Audience.CONSULTANTS and not policy.can_receive_queue_notices(user):
            continue
        if category.audience == Audience.MODERATORS and not policy.can_receive_leading_notices(user):
            continue
        shown.append(category)
    return shown


def deliveries(user) -> dict[Category, Delivery]:
    """The user's delivery for every category (their choice, else the category's default)."""
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.category, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {category: category.delivery(chosen.get(category.value)) for category in Category}


def set_deliveries(user, wanted: dict[Category, Delivery]) -> None:
    """Keep a row only where the choice differs from the default; a category turned off or moved out of the digest
    or the immediate e-mail takes its waiting notices with it."""
    table = NotificationPreference.__table__
    for category, delivery in wanted.items():
        delivery = Delivery(delivery)
        db.session.execute(sa.delete(table).where(table.c.user_id == user.id, table.c.category == category.value))
        if delivery != category.default:
            db.session.execute(sa.insert(table).values(user_id=user.id, category=category.value, delivery=delivery))
        _move_waiting(user.id, category, delivery)


def _move_waiting(user_id: int, category: Category, delivery: Delivery) -> None:
    from app.notifications.kinds import KINDS

    kinds = [kind for kind, of in KINDS.items() if of == category]
    state = {Delivery.IMMEDIATE: EmailState.PENDING, Delivery.DIGEST: EmailState.DIGEST, Delivery.OFF: None}[delivery]
    table = Notification.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.user_id == user_id, table.c.kind.in_(kinds),
               table.c.email_state.in_([EmailState.PENDING, EmailState.DIGEST]))
        .values(email_state=state)
    )  # fmt: skip


def save_settings(user, wanted: dict[Category, Delivery], *, digest_hour: int, paused: bool) -> None:
    """The settings page: deliveries, the digest's hour (the site's DIGEST_HOUR is stored as «none»: it follows the
    site's setting) and pausing all e-mail."""
    set_deliveries(user, wanted)
    user.digest_hour = None if digest_hour == current_app.config["DIGEST_HOUR"] else digest_hour
    pause_all(user, paused)


def turn_off(user, categories) -> None:
    set_deliveries(user, dict.fromkeys(categories, Delivery.OFF))


def pause_all(user, paused: bool = True) -> None:
    user.email_paused = paused
    if paused:  # what waited is not sent later in a burst
        table = Notification.__table__
        db.session.execute(
            sa.update(table)
            .where(table.c.user_id == user.id, table.c.email_state.in_([EmailState.PENDING, EmailState.DIGEST]))
            .values(email_state=None)
        )
    db.session.flush()
