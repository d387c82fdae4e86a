"""Reports of posts and the association's moderation queue (issue 6): filled by its task."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
