"""Signed, expiring links for e-mail confirmation, password reset and a change of address (itsdangerous, keyed by
SECRET_KEY).

Each purpose has its own salt, so a token made for one purpose is worthless for the other. The reset token carries a
fingerprint of the current password hash: once the password changes, every earlier reset link stops working. The
change-of-address token carries a fingerprint of the current address and password: once either changes (this link or
another one was confirmed, or the password was reset), every earlier change link stops working.
"""

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from app.auth.models import User
from app.extensions import db

CONFIRM_SALT = "vmk.email-confirm"
RESET_SALT = "vmk.password-reset"
EMAIL_CHANGE_SALT = "vmk.email-change"


class TokenInvalid(Exception):
    """The link is damaged, forged, or for an account that no longer exists."""


class TokenExpired(TokenInvalid):
    """The link was genuine but is too old."""


class TokenUsed(TokenInvalid):
    """The link was genuine and has done its work already (the address is the one it changed to)."""

    def __init__(self, user: User):
        super().__init__()
        self.user = user


def serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(stamp: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, stamp.encode(), hashlib.sha256).hexdigest()[:24]


def password_fingerprint(user: User) -> str:
    """Changes whenever the password does (the hash has a fresh salt each time)."""
    return _fingerprint(
        f"{user.password_hash}|{user.password_changed_at.isoformat() if user.password_changed_at else ''}"
    )


def address_fingerprint(user: User) -> str:
    """Changes whenever the address or the password does."""
    return _fingerprint(f"{user.email}|{password_fingerprint(user)}")


def make_confirm_token(user: User) -> str:
    return serializer(CONFIRM_SALT).dumps({"uid": user.id, "email": user.email})


def make_reset_token(user: User) -> str:
    return serializer(RESET_SALT).dumps({"uid": user.id, "fp": password_fingerprint(user)})


def make_email_change_token(user: User, new_email: str) -> str:
    return serializer(EMAIL_CHANGE_SALT).dumps({"uid": user.id, "email": new_email, "fp": address_fingerprint(user)})


def _load(salt: str, token: str, max_age: int) -> dict:
    try:
        data = serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenExpired from exc
    except BadData as exc:
        raise TokenInvalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise TokenInvalid
    return data


def user_from_confirm_token(token: str) -> User:
    data = _load(CONFIRM_SALT, token, current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    user = db.session.get(User, data["uid"])
    # The address in the link must still be the account's address.
    if user is None or user.email != data.get("email"):
        raise TokenInvalid
    return user


def user_from_reset_token(token: str) -> User:
    data = _load(RESET_SALT, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, data["uid"])
    if user is None or not hmac.compare_digest(str(data.get("fp", "")), password_fingerprint(user)):
        raise TokenInvalid  # used already (the password changed since), or forged
    return user


def email_change_from_token(token: str) -> tuple[User, str]:
    """The account and the new address a change link carries; TokenUsed when it is that address already."""
    data = _load(EMAIL_CHANGE_SALT, token, current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    user = db.session.get(User, data["uid"])
    new_email = data.get("email")
    if user is None or not isinstance(new_email, str):
        raise TokenInvalid
    if not hmac.compare_digest(str(data.get("fp", "")), address_fingerprint(user)):
        if user.email == new_email:
            raise TokenUsed(user)
        raise TokenInvalid  # another change, or a new password, came since: the link is spent
    return user, new_email
