"""`flask db upgrade` on an empty database builds exactly the models' schema, and `downgrade base` undoes it.

Runs on an empty SQLite file and, when TEST_DATABASE_URL is PostgreSQL, on a freshly created PostgreSQL database.
Compares against whatever migrations/ holds, so a model change without its migration fails here.
"""

import logging
import os
import secrets
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.stamps import trigger_names
from config import TestConfig, _database_url

ROOT = Path(__file__).resolve().parent.parent
PG_URL = TestConfig.SQLALCHEMY_DATABASE_URI
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL.startswith("postgresql") else [])


@contextmanager
def _empty_sqlite(tmp_path):
    yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"


@contextmanager
def _empty_postgresql(_tmp_path):
    name = f"vmk_migrations_{secrets.token_hex(6)}"
    server = sa.create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with server.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        server.dispose()


EMPTY_DATABASES = {"sqlite": _empty_sqlite, "postgresql": _empty_postgresql}


@contextmanager
def _app_on(uri):
    config = type("MigrationTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri})
    app = create_app(config)
    with app.app_context():
        try:
            yield app
        finally:
            db.engine.dispose()


def _not_fts5(name, type_, _parent_names) -> bool:
    """SQLite's FTS5 search table and its shadow tables (search_fts_data, …) are not models; everything else is."""
    return not (type_ == "table" and (name == "search_fts" or name.startswith("search_fts_")))


def _for_this_database(dialect: str):
    """An index the models make on one database only (`Index(...).ddl_if(dialect=...)`) is not expected elsewhere."""

    def include_object(obj, _name, type_, reflected, _compare_to) -> bool:
        only_on = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
        return reflected or type_ != "index" or only_on in (None, dialect)

    return include_object


def _schema_differences() -> list:
    with db.engine.connect() as conn:
        opts = {"compare_type": True, "compare_server_default": True, "include_name": _not_fts5,
                "include_object": _for_this_database(conn.dialect.name)}  # fmt: skip
        context = MigrationContext.configure(conn, opts=opts)
        return compare_metadata(context, db.metadata)


def _triggers() -> set[str]:
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            found = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            found = conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return set(found.scalars())


def _tables() -> set[str]:
    with db.engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


@pytest.fixture(params=DATABASES)
def empty_database(request, tmp_path):
    with EMPTY_DATABASES[request.param](tmp_path) as uri:
        yield uri


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(empty_database):
    with _app_on(empty_database):
        assert _schema_differences(), "the comparison must see an empty database as different"
        upgrade()
        assert _schema_differences() == []
        assert set(db.metadata.tables) <= _tables()
        assert set(trigger_names(db.engine.dialect.name)) <= _triggers()  # change stamps (app/stamps.py)

        downgrade(revision="base")
        assert _tables() <= {"alembic_version"}

        upgrade()  # and back up again: the downgrade left nothing behind that blocks a fresh upgrade
        assert _schema_differences() == []


def _flask(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("VMK_ENV", "TEST_DATABASE_URL")}
    env.update(FLASK_APP="wsgi.py", DATABASE_URL=database_url, SECRET_KEY="migration-test-key")
    env.update(UPLOAD_FOLDER=str(Path(tempfile.gettempdir()) / "vmk-test-uploads"))  # seed-demo's attachments
    return subprocess.run(  # the real command line, as `make run` calls it
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_make_run_flow_upgrade_then_seed_demo_twice(empty_database):
    upgraded = _flask(empty_database, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    seeded = _flask(empty_database, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "new records" in seeded.stdout
    again = _flask(empty_database, "seed-demo")
    assert again.returncode == 0, again.stderr
    assert "already present" in again.stdout


def test_upgrade_leaves_the_app_logger_working(tmp_path):
    # Alembic's env.py configures logging from alembic.ini; it must not silence the loggers that already exist.
    with _empty_sqlite(tmp_path) as uri, _app_on(uri) as app:
        upgrade()
        assert not app.logger.disabled
        assert not logging.getLogger("flask_limiter").disabled


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://vmk@db/vmk", "postgresql+psycopg://vmk@db/vmk"),
        ("postgresql://vmk@db/vmk", "postgresql+psycopg://vmk@db/vmk"),
        ("postgresql+psycopg://vmk@db/vmk", "postgresql+psycopg://vmk@db/vmk"),
        ("sqlite:////srv/vmk.sqlite3", "sqlite:////srv/vmk.sqlite3"),
    ],
    ids=["postgres-scheme", "postgresql-scheme", "driver-named", "sqlite"],
)
def test_database_urls_name_the_installed_driver(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    monkeypatch.setenv("TEST_DATABASE_URL", given)
    assert _database_url() == expected
    assert _database_url("TEST_DATABASE_URL", "sqlite://") == expected


def test_tree_path_migration_places_existing_posts_as_the_service_does(empty_database):
    """d8e1f3a5b7c9 fills posts.tree_path for posts written before it, by the rule of services.place_in_tree."""
    from app.discussions.services import MAX_REPLY_DEPTH, place_in_tree

    with _app_on(empty_database):
        upgrade(revision="c5d2a8e4f1b6")
        now = "2026-11-25 10:00:00"
        parents = {2: None, 3: 2, 4: 3, 5: 4, 6: 5, 7: 6, 8: 1, 9: 3}  # number → the number it answers
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO users (id, email, full_name, search_name, position, role, status, password_hash,"
                " session_token, locale, timezone, created_at, consent_at) VALUES (1, 'a@example.org', 'А', 'а', '',"
                f" 'teacher', 'active', 'x', 't', 'ru', 'Europe/Moscow', '{now}', '{now}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO associations (id, slug, name, search_name, description, description_html, kind,"
                " visibility, join_policy, member_count, thread_count, post_count, created_at) VALUES"
                f" (1, 'mo', 'МО', 'мо', '', '', 'district', 'public', 'open', 0, 1, 9, '{now}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO threads (id, association_id, author_id, kind, title, search_title, experience_grade,"
                " hidden_reason, experience_method, created_at, post_count, reply_count, useful_count, last_posted_at)"
                " VALUES"
                f" (1, 1, 1, 'discussion', 'Тема', 'тема', '', '', '', '{now}', 9, 8, 0, '{now}')"
            )
            for number in range(1, 10):
                parent = parents.get(number) or "NULL"
                conn.exec_driver_sql(
                    "INSERT INTO posts (id, thread_id, number, author_id, reply_to_id, depth, body, body_html,"
                    " created_at, revision_count, useful_count, hidden_reason) VALUES"
                    f" ({number}, 1, {number}, 1, {parent}, 0, 'т', '<p>т</p>', '{now}', 0, 0, '')"
                )
        upgrade()
        with db.engine.connect() as conn:
            stored = dict(conn.exec_driver_sql("SELECT number, tree_path FROM posts").all())
    expected, placed = {}, {}
    for number in range(1, 10):
        parent = placed.get(parents.get(number))
        depth, path = place_in_tree(number, parent)
        placed[number] = type("Placed", (), {"number": number, "depth": depth, "tree_path": path})
        expected[number] = path
    assert stored == expected
    assert stored[7].count("/") == MAX_REPLY_DEPTH  # capped: beside its parent, not below it


def _a_tagged_question(conn, now: str) -> None:
    """Rows as the app wrote them before the search facets: a user, an association, a tagged question thread (5) with
    its opening post (11) and that post's search index rows."""
    conn.exec_driver_sql(
        "INSERT INTO users (id, email, full_name, search_name, position, role, status, password_hash,"
        " session_token, locale, timezone, created_at, consent_at) VALUES (7, 'a@example.org', 'А', 'а', '',"
        f" 'teacher', 'active', 'x', 't', 'ru', 'Europe/Moscow', '{now}', '{now}')"
    )
    conn.exec_driver_sql(
        "INSERT INTO associations (id, slug, name, search_name, description, description_html, kind,"
        " visibility, join_policy, member_count, thread_count, post_count, created_at) VALUES"
        f" (3, 'mo', 'МО', 'мо', '', '', 'district', 'public', 'open', 0, 1, 1, '{now}')"
    )
    conn.exec_driver_sql(
        "INSERT INTO threads (id, association_id, author_id, kind, title, search_title, experience_grade,"
        " hidden_reason, experience_method, created_at, post_count, reply_count, useful_count, last_posted_at)"
        f" VALUES (5, 3, 7, 'question', 'Урок', 'урок', '', '', '', '{now}', 1, 0, 0, '{now}')"
    )
    conn.exec_driver_sql("INSERT INTO tags (id, name) VALUES (4, 'впр'), (9, 'фгос')")
    conn.exec_driver_sql("INSERT INTO thread_tags (thread_id, tag_id) VALUES (5, 4), (5, 9)")
    conn.exec_driver_sql(
        "INSERT INTO posts (id, thread_id, number, author_id, depth, tree_path, body, body_html, created_at,"
        f" revision_count, useful_count, hidden_reason) VALUES (11, 5, 1, 7, 0, '0001', 'т', '<p>т</p>',"
        f" '{now}', 0, 0, '')"
    )
    conn.exec_driver_sql(
        "INSERT INTO search_documents (post_id, thread_id, association_id, author_id, kind, is_opening,"
        f" visible, created_at) VALUES (11, 5, 3, 7, 'question', true, true, '{now}')"
    )
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("INSERT INTO search_fts (rowid, title, body) VALUES (11, 'урок', 'текст')")


def test_search_facets_migration_keeps_the_stems_and_adds_the_facet_words(tmp_path):
    """a9c3e5f7b1d2 rebuilds SQLite's FTS5 table with the facet words, from the index already there (no reindex)."""
    with _app_on(f"sqlite:///{tmp_path / 'facets.sqlite3'}"):
        upgrade(revision="d4f6a8c0e2b5")
        with db.engine.begin() as conn:
            _a_tagged_question(conn, "2026-11-25 10:00:00")
        upgrade()
        with db.engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT rowid, title, body, facets FROM search_fts").one()
            found = (
                conn.exec_driver_sql(
                    'SELECT rowid FROM search_fts WHERE search_fts MATCH \'"урок" AND "_t9" AND "_kquestion"\''
                )
                .scalars()
                .all()
            )
        downgrade(revision="d4f6a8c0e2b5")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT rowid, title, body FROM search_fts").one() == (11, "урок", "текст")
    assert row[:3] == (11, "урок", "текст")
    assert set(row[3].split()) == {"_a3", "_kquestion", "_u7", "_m202611", "_t4", "_t9"}
    assert found == [11]


def test_knowledge_title_stems_migration_fills_the_published_entries(empty_database):
    """b3d5f7a9c1e4 gives entries published before it the stems the app now keeps (search finds them in SQL)."""
    with _app_on(empty_database):
        upgrade(revision="a9c3e5f7b1d2")
        now = "2026-11-25 10:00:00"
        with db.engine.begin() as conn:
            _a_tagged_question(conn, now)
            conn.exec_driver_sql(
                "INSERT INTO questions (thread_id, status, grade, topic, asked_at, rating_comment)"
                f" VALUES (5, 'resolved', '', '', '{now}', '')"
            )
            conn.exec_driver_sql(
                "INSERT INTO knowledge_entries (thread_id, title, hide_asker, published_at, updated_at)"
                f" VALUES (5, 'Подготовка к ВПР в 5 классе', false, '{now}', '{now}')"
            )
        upgrade()
        with db.engine.connect() as conn:
            stems = conn.exec_driver_sql("SELECT title_stems FROM knowledge_entries").scalar()
    assert stems == " подготовк впр 5 класс пят "
