"""Atom feeds of public associations and their threads."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)
