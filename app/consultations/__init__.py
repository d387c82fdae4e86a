"""Consultations: a teacher asks, methodists answer (issue 5)."""
