"""Consultation statistics (`/consultations/stats`, and its CSV): built by the statistics task."""

from flask import Blueprint

bp = Blueprint("consultation_stats", __name__)
