"""The search index: one row per post, with what the filters and the permission check need.

On PostgreSQL `search_vector` holds the post's words (the thread title, weight A, on the opening post; the body,
weight B) under a GIN index. On SQLite the column stays empty and the words live in the FTS5 table `search_fts`
(rowid = post id; stems computed in Python), created next to this table (see `app.search.indexing`).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, enum_column
from app.discussions.models import ThreadKind
from app.extensions import db

FTS_TABLE = "search_fts"
# Stems only (computed in Python), so the tokenizer just splits on spaces; diacritics are kept (ё is folded before).
# `facets` holds the filters' values as words no query can spell (they start with "_", which a query's words never
# hold, see `app.search.text.words`): "_a12 _kquestion _u77 _m202406 _t3 _t9" — the association, the thread's kind,
# the author, the month (UTC) of the post and the thread's tags. FTS5 intersects a filter's words with the query's
# as it walks, so «урок» under one tag or in one month costs what the matches cost, not a walk of every «урок».
FTS_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, body, facets, "
    "tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\")"
)
FTS_DROP = f"DROP TABLE IF EXISTS {FTS_TABLE}"
FACET_PREFIX = "_"


def facets_sql(row: str = "search_documents") -> str:
    """The SQL expression of a search_documents row's facet words (SQLite), for the indexing and the thread refresh
    alike (migration a9c3e5f7b1d2 keeps its own copy, as migrations do)."""
    tags = (
        f"(SELECT ' _t' || group_concat(tag_id, ' _t') FROM thread_tags WHERE thread_tags.thread_id = {row}.thread_id)"  # noqa: S608
    )
    return (
        f"'_a' || {row}.association_id || ' _k' || {row}.kind || ' _u' || coalesce({row}.author_id, 0)"
        f" || ' _m' || strftime('%Y%m', {row}.created_at) || coalesce({tags}, '')"
    )


class SearchVector(sa.types.TypeDecorator):
    """PostgreSQL's `tsvector`; TEXT (always empty) on SQLite. The PostgreSQL type is looked up when the column meets
    a PostgreSQL dialect, so that a worker on SQLite never imports that dialect (~4 MB, issue 3's memory budget)."""

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import TSVECTOR

            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(sa.Text())


class SearchDocument(db.Model):
    __tablename__ = "search_documents"
    __table_args__ = (
        # PostgreSQL only (SQLite keeps its words in FTS5): every post's words, and the opening posts' alone, so that
        # «matching titles» is read from a small index instead of filtering every match of a common word.
        # (Their PostgreSQL options are given when the app's database is PostgreSQL: `app.models.give_dialect_kwargs`.)
        sa.Index(
            "ix_search_documents_search_vector",
            "search_vector",
            info={"dialect_kwargs": {"postgresql_using": "gin"}},
        ).ddl_if(dialect="postgresql"),
        sa.Index(
            "ix_search_documents_opening_vector",
            "search_vector",
            info={"dialect_kwargs": {"postgresql_using": "gin", "postgresql_where": sa.text("is_opening")}},
        ).ddl_if(dialect="postgresql"),
        # «Search in this association» and the kind filter: their posts newest first, walked until enough match.
        sa.Index("ix_search_documents_association_post", "association_id", "post_id").ddl_if(dialect="postgresql"),
        sa.Index("ix_search_documents_kind_post", "kind", "post_id").ddl_if(dialect="postgresql"),
        sa.Index("ix_search_documents_thread_id", "thread_id"),
    )

    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[ThreadKind] = mapped_column(enum_column(ThreadKind))
    is_opening: Mapped[bool] = mapped_column(default=False)
    # Neither the post nor its thread deleted or hidden: only these are ever found.
    visible: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    search_vector: Mapped[str | None] = mapped_column(SearchVector)


@sa.event.listens_for(SearchDocument.__table__, "after_create")
def _create_fts(_table, connection, **_kw) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(FTS_CREATE)


@sa.event.listens_for(SearchDocument.__table__, "before_drop")
def _drop_fts(_table, connection, **_kw) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(FTS_DROP)
