"""Declarative base, naming convention and reusable column types."""

import enum
import functools
import time
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def fold_for_search(text: str | None) -> str:
    """Lower-case with ё→е: SQLite's lower() and LIKE fold only ASCII, so Cyrillic search compares folded copies."""
    return (text or "").strip().lower().replace("ё", "е")


def sync_level_rows(rows: list, levels, make_row) -> list:
    """The level rows for `levels`, keeping rows that stay (deleting and re-adding one key in a flush collides)."""
    wanted = list(dict.fromkeys(levels))
    kept = [row for row in rows if row.level in wanted]
    have = {row.level for row in kept}
    return kept + [make_row(level) for level in wanted if level not in have]


def prepared(build):
    """A statement built once, on first use, and run again and again with bound parameters.

    Building a select (coercing every column and condition, then computing its cache key) costs SQLAlchemy ten times
    more than running it on an indexed table: 1.5 ms against 0.14 ms for the unread counter. Hot pages therefore
    build their statements once, with `sa.bindparam()` where a request's values go, and pass those values when they
    execute. `build` takes hashable arguments (a limit, a dialect name); each distinct call is built once.
    """
    return functools.cache(build)


def rows(statement, params: dict | None = None):
    """Run a select of plain columns (no entities wanted back) on the session's connection: the same transaction, but
    without the ORM's per-statement work, 35–45 µs less a query. Pending changes are flushed first, as the session's
    own execute would (a no-op when there are none)."""
    from app.extensions import db

    db.session.flush()
    return db.session.connection().execute(statement, params or {})


_EPOCH_US = 1_767_225_600_000_000  # 2026-01-01 UTC, in microseconds


def dialect_insert(table, dialect: str | None = None):
    """`INSERT` of the session's database (or of `dialect`), which has `on_conflict_do_nothing()`: PostgreSQL's and
    SQLite's are separate constructs in SQLAlchemy."""
    from app.extensions import db

    if (dialect or db.session.get_bind().dialect.name) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def first_version() -> int:
    """Where a new row's change stamp starts (app/stamps.py): microseconds since 2026. SQLite may give a new row the
    id of a deleted one; starting from the clock, the new row's stamps never meet the old row's, and per-worker caches
    never mix them up. Small enough that SQLite's integer sum over all associations (the site stamp) cannot
    overflow."""
    return time.time_ns() // 1000 - _EPOCH_US


MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER: ids and numbers in URLs never go beyond it
MAX_PAGE = 100_000  # a ?page= beyond any list's end (an OFFSET past it would overflow)


def page_number(args, name: str = "page") -> int:
    """The page a request asks for: 1 for anything that is not a positive number, at most MAX_PAGE."""
    return min(max(args.get(name, 1, type=int) or 1, 1), MAX_PAGE)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite returns naive values
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    """A string column holding an enum's values (not names), portable across databases."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
