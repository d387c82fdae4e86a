"""The moderation log pages (issue 6): filled by its task."""

from flask import Blueprint

bp = Blueprint("moderation_log", __name__)
