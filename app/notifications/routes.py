"""The notifications inbox (`/notifications`): filled by its task."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
