"""Moderators' actions on threads (issue 6): filled by its task."""

from flask import Blueprint

bp = Blueprint("thread_moderation", __name__)
