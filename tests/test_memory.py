"""A worker that serves pages loads no code it needs only for writing, mailing, feeds or `flask db`, nor the other
database's SQLAlchemy dialect.

Every module imported stays in a worker's memory for its whole life (issue 3's budget: RSS ≤ 60 MB a worker), so
what only some requests need is imported by them (`app/markup.py`, `app/mailer.py`, `app/discussions/feeds.py`,
`app/discussions/attachments.py`, `app/extensions.py`). The check runs in a fresh interpreter: in this one, other
tests have imported everything already.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVE_PAGES = """
import json, sys
import babel.core
from app import create_app
from app.extensions import db
from config import TestConfig

app = create_app(TestConfig)
with app.app_context():
    db.create_all()
client = app.test_client()
statuses = [client.get(path).status_code for path in ("/", "/associations/", "/login", "/healthz")]
print(json.dumps({"statuses": statuses, "modules": sorted(sys.modules),
                  "babel_globals": sorted(babel.core._global_data or {})}))
"""

# Imported by the requests that need them, never by a worker that only serves pages.
ON_FIRST_USE = [
    "markdown_it",  # app/markup.py: rendering what someone wrote
    "linkify_it",
    "nh3",
    "flask_mail",  # app/mailer.py: sending
    "smtplib",
    "xml.etree.ElementTree",  # app/discussions/feeds.py
    "PIL",  # app/discussions/attachments.py: uploads and thumbnails
    "Stemmer",  # app/search/text.py: stemming a search or what a write indexes
    "flask_migrate",  # app/extensions.py: `flask db`
    "alembic",
]


# The other database's SQLAlchemy dialect: models give dialect options only for the app's database
# (`app.models.give_dialect_kwargs`), the search vector finds PostgreSQL's type when compiled for it
# (`app.search.models.SearchVector`), and drafts and upserts import the dialect they run on.
NOT_ON_SQLITE = ["sqlalchemy.dialects.postgresql"]
NOT_ON_POSTGRESQL = ["sqlalchemy.dialects.sqlite"]

# The app on PostgreSQL, built without a server (create_app connects to nothing): what it imported, and the DDL of
# the indexes and column whose PostgreSQL options are given at start.
ON_POSTGRESQL = """
import json, sys
from sqlalchemy.schema import CreateIndex, CreateTable
from app import create_app
from app.extensions import db
from config import TestConfig

app = create_app(type("PostgreSQLConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": sys.argv[1]}))
with app.app_context():
    dialect = db.engine.dialect
    ddl = [str(CreateIndex(index).compile(dialect=dialect)).strip()
           for table in ("threads", "search_documents") for index in db.metadata.tables[table].indexes]
    ddl += [line.strip() for line in str(CreateTable(db.metadata.tables["search_documents"]).compile(dialect=dialect))
            .splitlines() if "search_vector" in line]
print(json.dumps({"modules": sorted(sys.modules), "ddl": sorted(ddl)}))
"""


def _in_a_fresh_interpreter(code: str, *args: str) -> dict:
    env = dict(os.environ, TEST_DATABASE_URL="", PYTHONDONTWRITEBYTECODE="1")  # SQLite in memory, whatever the run
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def _serve_pages_in_a_fresh_interpreter() -> dict:
    return _in_a_fresh_interpreter(SERVE_PAGES)


def test_serving_pages_imports_nothing_only_writing_needs():
    seen = _serve_pages_in_a_fresh_interpreter()
    assert seen["statuses"] == [200, 200, 200, 200]
    assert [name for name in ON_FIRST_USE if name in seen["modules"]] == []
    assert [name for name in NOT_ON_SQLITE if name in seen["modules"]] == []
    # Babel's global CLDR data: only the table a locale load needs is kept (app.extensions.load_babel_globals_on_demand)
    assert seen["babel_globals"] == ["parent_exceptions"]


def test_the_app_on_postgresql_gets_its_partial_and_gin_indexes_without_the_sqlite_dialect():
    seen = _in_a_fresh_interpreter(ON_POSTGRESQL, "postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert [name for name in NOT_ON_POSTGRESQL if name in seen["modules"]] == []
    assert seen["ddl"] == [
        "CREATE INDEX ix_search_documents_association_post ON search_documents (association_id, post_id)",
        "CREATE INDEX ix_search_documents_kind_post ON search_documents (kind, post_id)",
        "CREATE INDEX ix_search_documents_opening_vector ON search_documents USING gin (search_vector)"
        " WHERE is_opening",
        "CREATE INDEX ix_search_documents_search_vector ON search_documents USING gin (search_vector)",
        "CREATE INDEX ix_search_documents_thread_id ON search_documents (thread_id)",
        "CREATE INDEX ix_threads_activity ON threads (last_posted_at, id)",
        "CREATE INDEX ix_threads_association_activity ON threads (association_id, last_posted_at)",
        "CREATE INDEX ix_threads_association_pinned ON threads (association_id, last_posted_at)"
        " WHERE pinned_at IS NOT NULL",
        "CREATE INDEX ix_threads_author_id ON threads (author_id)",
        "CREATE INDEX ix_threads_private ON threads (association_id, author_id) WHERE is_private",
        "search_vector TSVECTOR,",
    ]  # fmt: skip


def test_the_pinned_threads_index_is_partial_on_the_suites_database(app):
    from sqlalchemy.schema import CreateIndex

    from app.extensions import db

    with app.app_context():
        index = next(i for i in db.metadata.tables["threads"].indexes if i.name == "ix_threads_association_pinned")
        ddl = str(CreateIndex(index).compile(dialect=db.engine.dialect))
    assert ddl.strip().endswith("WHERE pinned_at IS NOT NULL")


def test_babel_global_data_not_kept_is_read_when_asked_for(monkeypatch):
    import babel.core
    from babel.core import get_global
    from babel.dates import get_timezone_name

    from app.extensions import load_babel_globals_on_demand

    monkeypatch.setattr(babel.core, "_global_data", None)
    load_babel_globals_on_demand()
    assert list(babel.core._global_data) == ["parent_exceptions"]
    assert get_global("parent_exceptions") == babel.core._global_data["parent_exceptions"]
    assert get_global("zone_aliases")["Asia/Calcutta"] == "Asia/Kolkata"
    assert get_global("likely_subtags")["ru"] == "ru_Cyrl_RU"
    assert get_timezone_name("Europe/Moscow", locale="ru") == "Москва"


def test_gunicorn_serves_with_the_production_config(tmp_path):
    """gunicorn.conf.py (preloaded app, frozen GC, each worker's own connection pool) as the README runs it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, VMK_ENV="production", SECRET_KEY="test-gunicorn-config", PYTHONOPTIMIZE="2",
               DATABASE_URL=f"sqlite:///{tmp_path / 'vmk.sqlite3'}", RATELIMIT_ENABLED="false")  # fmt: skip
    command = [str(Path(sys.executable).with_name("gunicorn")), "--config", "gunicorn.conf.py", "--workers", "2",
               "--bind", f"127.0.0.1:{port}", "wsgi:app"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        answers = []
        deadline = time.monotonic() + 60
        while len(answers) < 4 and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    answers.append((response.status, response.read()))
            except OSError:
                time.sleep(0.2)
        assert answers == [(200, b"ok")] * 4
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0].decode()
    assert "Traceback" not in log, log
