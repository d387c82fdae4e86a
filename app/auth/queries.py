"""The selects of accounts that run on every request."""

import sqlalchemy as sa

from app.auth.models import User
from app.db import prepared


@prepared
def user_by_id():
    """The signed-in user's row (:user_id), read on every request: a statement built once costs less than
    Session.get, which builds its own each time."""
    return sa.select(User).where(User.id == sa.bindparam("user_id"))
