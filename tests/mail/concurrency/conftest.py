"""Two mail workers at once: committed data on an app of its own, as in tests/discussions/concurrency/ (whose
fixtures these are: the suite's rolled-back connection is replaced, and the folder is skipped on SQLite)."""

from tests.discussions.concurrency.conftest import _transaction, live_app  # noqa: F401
