"""Uploading and serving attachments of posts."""

from flask import Blueprint

bp = Blueprint("attachments", __name__)
