"""Helpers for the association tests."""

import pytest

from app.associations.models import Association, Membership
from app.db import utcnow
from app.extensions import db


@pytest.fixture
def switch_to(client, login):
    """Sign the test client out (if signed in) and in again as another user."""

    def do_switch(user):
        client.post("/logout")
        return login(user)

    return do_switch


def text(response) -> str:
    return response.get_data(as_text=True)


def member_count(association: Association) -> int:
    """The stored counter, read fresh from the database."""
    return db.session.scalar(db.select(Association.member_count).where(Association.id == association.id))


def membership_of(user, association) -> Membership | None:
    """The membership as the database has it now (requests run in their own session)."""
    return db.session.scalar(
        db.select(Membership)
        .where(Membership.user_id == user.id, Membership.association_id == association.id)
        .execution_options(populate_existing=True)
    )


def archive(association: Association) -> Association:
    association.archived_at = utcnow()
    db.session.flush()
    return association
