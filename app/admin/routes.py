"""The admin area (/admin/): people, schools, associations, audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__)
