"""Change stamps kept by the database itself: what per-worker caches of query results key on.

- `associations.content_version` goes up whenever anything an association's lists show changes: its own row, its
  threads (every post updates its thread's counters), their tags, its memberships, subjects and levels, the school,
  subject or user names shown beside them.
- `threads.content_version` goes up whenever the thread's posts or their attachments change (what the thread page
  shows of them, kept per worker: reactions' counts, edits, deletions, new replies, authors removed).
- `users.view_version` goes up whenever what only this user's lists depend on changes: their read state and watch
  levels (thread_readers, association_watches) and their memberships.

Triggers do the counting, so no write path can forget it: the ORM's, Core UPDATEs and INSERT … SELECTs, the CLI,
cascades, a DBA's psql session. On PostgreSQL they are statement-level with transition tables (one UPDATE of the
stamped rows per statement, whatever it changed: «mark all read» writes thousands of reader rows); SQLite has only
row-level triggers. The triggers update rows the writing transaction usually locks already (the association whose
counters a post changes, the user who reads), so they add no contention between associations.

A cache may only key on these stamps for data read from the tables listed in `_SOURCES` (and the stamped rows
themselves). Post bodies are not stamped: a post's own HTML is cached by its values (app/fragments.py).

The site stamp of a signed-in request (`site_stamp()`) is the number of associations and the sum of their versions,
read in the login loader's query: it changes with every committed change to any association's content, and it is read
before the data it guards (READ COMMITTED: data read later is never older than the stamp, so nothing stale can be
stored under a newer stamp).

Changing the triggers needs a new migration that recreates them (`drop_triggers` then `create_triggers` of the new
definition). SQLite's batch migrations (`op.batch_alter_table`) recreate a table and lose its triggers:
`tests/test_stamps.py` checks that the migrated schema has them all.
"""

import sqlalchemy as sa

# table → (when, [(stamped table, the SQL that selects the ids to bump from the changed rows `{rows}`)])
# `when` is "all" (insert, update, delete) or "update".
_ASSOCIATIONS = "associations"
_THREADS = "threads"
_USERS = "users"
_SOURCES: dict[str, tuple[str, tuple[str, ...], list[tuple[str, str]]]] = {
    "threads": ("all", ("association_id",), [(_ASSOCIATIONS, "SELECT association_id FROM {rows}")]),
    "thread_tags": (
        "all",
        ("thread_id",),
        [(_ASSOCIATIONS, "SELECT association_id FROM threads WHERE id IN (SELECT thread_id FROM {rows})")],
    ),
    "memberships": (
        "all",
        ("association_id", "user_id"),
        [(_ASSOCIATIONS, "SELECT association_id FROM {rows}"), (_USERS, "SELECT user_id FROM {rows}")],
    ),
    "association_subjects": ("all", ("association_id",), [(_ASSOCIATIONS, "SELECT association_id FROM {rows}")]),
    "association_levels": ("all", ("association_id",), [(_ASSOCIATIONS, "SELECT association_id FROM {rows}")]),
    "schools": (
        "update",
        ("id",),
        [(_ASSOCIATIONS, "SELECT id FROM associations WHERE school_id IN (SELECT id FROM {rows})")],
    ),
    "subjects": (
        "update",
        ("id",),
        [
            (
                _ASSOCIATIONS,
                "SELECT association_id FROM association_subjects WHERE subject_id IN (SELECT id FROM {rows})",
            ),
            # a question's panel names its subject
            (_THREADS, "SELECT thread_id FROM questions WHERE subject_id IN (SELECT id FROM {rows})"),
        ],
    ),
    # a thread's posts and their files (the thread page's cached posts); raising the thread's stamp updates the
    # thread, which raises its association's
    "posts": ("all", ("thread_id",), [(_THREADS, "SELECT thread_id FROM {rows}")]),
    "attachments": (
        "all",
        ("post_id",),
        [(_THREADS, "SELECT thread_id FROM posts WHERE id IN (SELECT post_id FROM {rows})")],
    ),
    # a question's status, assignee and solution, and its history (consultations)
    "questions": ("all", ("thread_id",), [(_THREADS, "SELECT thread_id FROM {rows}")]),
    "question_events": ("all", ("thread_id",), [(_THREADS, "SELECT thread_id FROM {rows}")]),
    "answer_endorsements": ("all", ("thread_id",), [(_THREADS, "SELECT thread_id FROM {rows}")]),
    "knowledge_entries": ("all", ("thread_id",), [(_THREADS, "SELECT thread_id FROM {rows}")]),
    "thread_readers": ("all", ("user_id",), [(_USERS, "SELECT user_id FROM {rows}")]),
    "association_watches": ("all", ("user_id",), [(_USERS, "SELECT user_id FROM {rows}")]),
}
_STAMP_COLUMN = {_ASSOCIATIONS: "content_version", _THREADS: "content_version", _USERS: "view_version"}
# A user's name and status are shown in lists of every association (authors, last posters, people): a change to them
# bumps every association. Rare, and one statement.
_USER_SHOWN = ("full_name", "status")


def _bump(target: str, selector: str) -> str:
    column = _STAMP_COLUMN[target]
    return f"UPDATE {target} SET {column} = {column} + 1 WHERE id IN ({selector})"  # noqa: S608 (constants only)


# --- SQLite: row-level triggers --------------------------------------------------------------------------------------


def _sqlite_rows(columns, alias: str) -> str:
    return "(SELECT " + ", ".join(f"{alias}.{c} AS {c}" for c in columns) + ")"


def _sources(tables) -> dict:
    """The watched tables among `tables` (all when None)."""
    return {t: spec for t, spec in _SOURCES.items() if tables is None or t in tables}


def _own(tables, table: str) -> bool:
    """Whether the trigger on the stamped table's own rows (associations, users) is among `tables`."""
    return tables is None or table in tables


def _sqlite_statements(tables=None) -> list[str]:
    statements = []
    for table, (when, columns, bumps) in _sources(tables).items():
        events = [("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))]
        for event, aliases in events:
            if when == "update" and event != "UPDATE":
                continue
            body = "; ".join(
                _bump(target, selector.format(rows=_sqlite_rows(columns, alias)))
                for alias in aliases
                for target, selector in bumps
            )
            statements.append(
                f"CREATE TRIGGER vmk_stamp_{table}_{event.lower()} AFTER {event} ON {table} BEGIN {body}; END"
            )
    # The association's own row: any change but the stamp's own bumps the stamp (recursive triggers are off).
    if _own(tables, "associations"):
        statements.append(
            "CREATE TRIGGER vmk_stamp_associations_update AFTER UPDATE ON associations "
            "WHEN NEW.content_version = OLD.content_version "
            "BEGIN UPDATE associations SET content_version = content_version + 1 WHERE id = NEW.id; END"
        )
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _USER_SHOWN)
    if _own(tables, "users"):
        statements.append(
            f"CREATE TRIGGER vmk_stamp_users_shown AFTER UPDATE OF {', '.join(_USER_SHOWN)} ON users WHEN {changed} "  # noqa: S608
            "BEGIN UPDATE associations SET content_version = content_version + 1; END"
        )
    return statements


def _sqlite_names(tables=None) -> list[str]:
    names = [f"vmk_stamp_{t}" for t, name in (("associations_update", "associations"), ("users_shown", "users"))
             if _own(tables, name)]  # fmt: skip
    for table, (when, _columns, _bumps) in _sources(tables).items():
        names += [f"vmk_stamp_{table}_{e}" for e in ("insert", "update", "delete") if when == "all" or e == "update"]
    return names


# --- PostgreSQL: statement-level triggers with transition tables ------------------------------------------------------


def _pg_body(bumps, rows: str) -> str:
    return " ".join(_bump(target, selector.format(rows=rows)) + ";" for target, selector in bumps)


def _postgresql_statements(tables=None) -> list[str]:
    statements = []
    for table, (when, _columns, bumps) in _sources(tables).items():
        both = "(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows) AS changed"
        statements.append(
            f"CREATE OR REPLACE FUNCTION vmk_stamp_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {_pg_body(bumps, 'new_rows')} "
            f"ELSIF TG_OP = 'DELETE' THEN {_pg_body(bumps, 'old_rows')} "
            f"ELSE {_pg_body(bumps, both)} "
            "END IF; RETURN NULL; END $$"
        )
        events = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                  "DELETE": "OLD TABLE AS old_rows"}  # fmt: skip
        for event, referencing in events.items():
            if when == "update" and event != "UPDATE":
                continue
            statements.append(
                f"CREATE TRIGGER vmk_stamp_{table}_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION vmk_stamp_{table}()"
            )
    # The association's own row: a BEFORE trigger raises the stamp within the same row version, whatever changed.
    if _own(tables, "associations"):
        statements.append(
            "CREATE OR REPLACE FUNCTION vmk_stamp_associations() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "NEW.content_version := OLD.content_version + 1; RETURN NEW; END $$"
        )
        statements.append(
            "CREATE TRIGGER vmk_stamp_associations_update BEFORE UPDATE ON associations "
            "FOR EACH ROW EXECUTE FUNCTION vmk_stamp_associations()"
        )
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in _USER_SHOWN)
    if _own(tables, "users"):
        statements.append(
            "CREATE OR REPLACE FUNCTION vmk_stamp_users_shown() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE associations SET content_version = content_version + 1; RETURN NULL; END $$"
        )
        statements.append(
            f"CREATE TRIGGER vmk_stamp_users_shown AFTER UPDATE OF {', '.join(_USER_SHOWN)} ON users "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION vmk_stamp_users_shown()"
        )
    return statements


def _postgresql_drops(tables=None) -> list[str]:
    drops = []
    for table, (when, _columns, _bumps) in _sources(tables).items():
        for event in ("insert", "update", "delete"):
            if when == "all" or event == "update":
                drops.append(f"DROP TRIGGER IF EXISTS vmk_stamp_{table}_{event} ON {table}")
        drops.append(f"DROP FUNCTION IF EXISTS vmk_stamp_{table}()")
    if _own(tables, "associations"):
        drops += [
            "DROP TRIGGER IF EXISTS vmk_stamp_associations_update ON associations",
            "DROP FUNCTION IF EXISTS vmk_stamp_associations()",
        ]
    if _own(tables, "users"):
        drops += [
            "DROP TRIGGER IF EXISTS vmk_stamp_users_shown ON users",
            "DROP FUNCTION IF EXISTS vmk_stamp_users_shown()",
        ]
    return drops


# --- installing ------------------------------------------------------------------------------------------------------


def trigger_names(dialect: str) -> list[str]:
    """The names of the triggers `create_triggers` makes on this database (the tests check they all exist)."""
    if dialect == "sqlite":
        return _sqlite_names()
    return [s.split()[2] for s in _postgresql_statements() if s.startswith("CREATE TRIGGER")]


def create_triggers(connection, tables=None) -> None:
    """Create (or recreate: idempotent, `create_all()` on existing tables calls it again) the triggers on `tables`
    (all watched tables when None). A migration names the tables it adds triggers for, so that an old migration never
    makes triggers on tables a later one creates."""
    drop_triggers(connection, tables)
    sqlite = connection.dialect.name == "sqlite"
    statements = _sqlite_statements(tables) if sqlite else _postgresql_statements(tables)
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_triggers(connection, tables=None) -> None:
    if connection.dialect.name == "sqlite":
        drops = [f"DROP TRIGGER IF EXISTS {name}" for name in _sqlite_names(tables)]
    else:
        drops = _postgresql_drops(tables)
    for statement in drops:
        connection.exec_driver_sql(statement)


def _after_create(_target, connection, **_kw) -> None:
    create_triggers(connection)


def install(metadata: sa.MetaData) -> None:
    """Create the triggers whenever `metadata.create_all()` creates the tables (the tests, `flask init-db`); the
    migrations create them with `create_triggers` (revision f4b6d8e0a2c3)."""
    if not sa.event.contains(metadata, "after_create", _after_create):
        sa.event.listen(metadata, "after_create", _after_create)


# --- reading ---------------------------------------------------------------------------------------------------------


def site_stamp_columns() -> tuple:
    """Columns for the login loader's query: the number of associations and the sum of their versions."""
    from app.associations.models import Association

    number = sa.select(sa.func.count(Association.id)).scalar_subquery().label("site_associations")
    total = sa.select(sa.func.coalesce(sa.func.sum(Association.content_version), 0)).scalar_subquery()
    return number, total.label("site_versions")


# --- the request's own writes ----------------------------------------------------------------------------------------

_WROTE = "vmk_wrote"
_WRITES = ("INSERT", "UPDATE", "DELETE")


def _note_write(connection, _cursor, statement, _parameters, _context, _executemany) -> None:
    if statement.lstrip()[:6].upper() in _WRITES:
        connection.info[_WROTE] = True


def _new_transaction(_session, _transaction, connection) -> None:
    connection.info.pop(_WROTE, None)


def written_in_this_transaction() -> bool:
    """Whether the session's current transaction has written: its changes are not in the stamps this request read,
    so what it reads now must not be kept under them."""
    from app.extensions import db

    return bool(db.session.connection().info.get(_WROTE))


def listen() -> None:
    """Note writes on every engine's connections, forgotten when a session begins its next transaction."""
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    for target, name, handler in ((Engine, "before_cursor_execute", _note_write),
                                  (Session, "after_begin", _new_transaction)):  # fmt: skip
        if not sa.event.contains(target, name, handler):
            sa.event.listen(target, name, handler)


# --- the site stamp of a signed-in request ----------------------------------------------------------------------------


def remember_site_stamp(value: tuple) -> None:
    from flask import g

    g.vmk_site_stamp = value


def site_stamp() -> tuple | None:
    """(number of associations, sum of their versions), as the login loader read them; None outside a signed-in
    request (then nothing keyed on it may be cached)."""
    from flask import g

    return g.get("vmk_site_stamp")


def _site_stamp_statement():
    return sa.select(*site_stamp_columns())


def read_site_stamp() -> tuple:
    """The site stamp for a request that has none from the login loader (a visitor's): one small query, then kept
    for the request."""
    stamp = site_stamp()
    if stamp is None:
        from app.db import rows

        stamp = tuple(rows(_site_stamp_statement()).one())
        remember_site_stamp(stamp)
    return stamp


def user_stamps(user) -> tuple | None:
    """What a cached result for this signed-in user keys on: who they are (the role decides what an admin sees), their
    view version and the site stamp; None when the request read no site stamp."""
    stamp = site_stamp()
    if stamp is None or getattr(user, "id", None) is None:
        return None
    return (user.id, user.role, user.view_version, *stamp)
