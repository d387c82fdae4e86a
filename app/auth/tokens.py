"""Signed, expiring links for e-mail confirmation and password reset (itsdangerous, keyed by SECRET_KEY).

Each purpose has its own salt, so a token made for one purpose is worthless for the other. The reset token carries a
fingerprint of the current password hash: once the password changes, every earlier reset link stops working.
"""

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from app.auth.models import User
from app.extensions import db

CONFIRM_SALT = "vmk.email-confirm"
RESET_SALT = "vmk.password-reset"


class TokenInvalid(Exception):
    """The link is damaged, forged, or for an account that no longer exists."""


class TokenExpired(TokenInvalid):
    """The link was genuine but is too old."""


def serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def password_fingerprint(user: User) -> str:
    """Changes whenever the password does (the hash has a fresh salt each time)."""
    stamp = f"{user.password_hash}|{user.password_changed_at.isoformat() if user.password_changed_at else ''}"
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, stamp.encode(), hashlib.sha256).hexdigest()[:24]


def make_confirm_token(user: User) -> str:
    return serializer(CONFIRM_SALT).dumps({"uid": user.id, "email": user.email})


def make_reset_token(user: User) -> str:
    return serializer(RESET_SALT).dumps({"uid": user.id, "fp": password_fingerprint(user)})


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
