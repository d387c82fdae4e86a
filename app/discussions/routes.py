"""Thread and post pages: list in an association, new thread, thread page, reply, edit, delete, history."""

from flask import Blueprint

bp = Blueprint("discussions", __name__)
