"""The PostgreSQL concurrency tests: an app of their own, real commits, workers released at once.

These tests need real commits on several connections at once, which the suite's rolled-back savepoint connection
cannot give: they run on an app of their own (same TEST_DATABASE_URL, its own engine), commit real rows and delete
them at the end. On SQLite writers are serialised by the database anyway, so the whole folder is skipped.
"""

import pytest

from app import create_app
from app.extensions import db
from config import TestConfig


@pytest.fixture(autouse=True)
def _transaction():
    """Not the suite's rolled-back connection: these tests commit for real on connections of their own."""
    if not TestConfig.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
        pytest.skip("concurrent writers need PostgreSQL (set TEST_DATABASE_URL); SQLite serialises writers anyway")
    yield


@pytest.fixture(scope="module")
def live_app():
    app = create_app(TestConfig)
    with app.app_context():
        db.create_all()  # normally present already (the session's app made them); harmless when so
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
