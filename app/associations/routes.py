"""Association pages: list, detail, joining and leaving, join requests, invitations."""

from flask import Blueprint

bp = Blueprint("associations", __name__)
