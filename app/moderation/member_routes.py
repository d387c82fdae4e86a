"""Moderators' actions on members and pre-moderation (issue 6): filled by its task."""

from flask import Blueprint

bp = Blueprint("member_moderation", __name__)
