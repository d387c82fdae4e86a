"""The knowledge base of consultations (`/consultations/kb`): built by the knowledge-base task."""

from flask import Blueprint

bp = Blueprint("knowledge_base", __name__)
