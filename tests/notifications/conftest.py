"""The consultations' `signed_in` fixture, shared (a new client signed in as a user)."""

from tests.consultations.conftest import signed_in  # noqa: F401
