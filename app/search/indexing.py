"""Keeping the index in step with threads and posts, in the same transaction as the write.

Discussions know nothing of search: SQLAlchemy session events watch the writes and note what changed.
- `after_flush`: posts and threads added or changed through the ORM (create, reply, edit, title change, hide,
  move to another association, a post moved to another thread, a removed post).
- `do_orm_execute`: UPDATE statements on posts or threads that change what search sees (`deleted_at`, `hidden_at`,
  …), as the soft delete and restore run them. The ids they touch are read with the statement's own WHERE clause
  just before it runs; counter updates (`post_count = post_count + 1`) are let through untouched.
The noted changes are written when the transaction commits (`before_commit`, still inside it), and before a search
in the same session reads the index (`apply_pending`). Writing them last keeps the order of row locks the
discussions take (post, then thread, then the index): written as each statement ran, a reply's delete and its
thread's delete at the same moment deadlocked on PostgreSQL (tests/discussions/concurrency).
A post's row is rewritten from the database (`index_posts`, an upsert on PostgreSQL so two writers of one post do
not collide); a thread's change is copied to its posts' rows in one UPDATE (`refresh_threads`). `reindex_all`
rebuilds everything in batches (`flask search reindex`).
"""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.discussions.models import Post, Thread
from app.search.models import FTS_CREATE, FTS_DROP, FTS_TABLE, SearchDocument, facets_sql
from app.search.text import index_stems, index_text, plain_text

POST_FIELDS = frozenset({"body", "body_html", "deleted_at", "hidden_at", "thread_id", "author_id", "number"})
THREAD_FIELDS = frozenset({"title", "deleted_at", "hidden_at", "association_id", "kind", "tags"})


docs = SearchDocument.__table__
posts = Post.__table__
threads = Thread.__table__


def _is_postgresql(connection) -> bool:
    return connection.dialect.name == "postgresql"


# --- writing rows -------------------------------------------------------------------------------------------------


def _post_rows(connection, post_ids) -> list:
    visible = sa.and_(
        posts.c.deleted_at.is_(None),
        posts.c.hidden_at.is_(None),
        threads.c.deleted_at.is_(None),
        threads.c.hidden_at.is_(None),
    )
    stmt = (
        sa.select(
            posts.c.id, posts.c.thread_id, posts.c.number, posts.c.author_id, posts.c.created_at, posts.c.body_html,
            threads.c.association_id, threads.c.kind, threads.c.title, visible.label("visible"),
        )
        .join(threads, threads.c.id == posts.c.thread_id)
        .where(posts.c.id.in_(list(post_ids)))
    )  # fmt: skip
    return connection.execute(stmt).all()


def index_posts(connection, post_ids, *, fresh: bool = False) -> int:
    """Write the index rows of these posts from their current state; `fresh`: none of them is indexed yet."""
    post_ids = list(post_ids)
    if not post_ids:
        return 0
    rows = _post_rows(connection, post_ids)
    values, texts = [], []
    for row in rows:
        values.append(
            {
                "post_id": row.id, "thread_id": row.thread_id, "association_id": row.association_id,
                "author_id": row.author_id, "kind": row.kind, "is_opening": row.number == 1,
                "visible": bool(row.visible), "created_at": row.created_at,
            }
        )  # fmt: skip
        texts.append((row.title if row.number == 1 else "", plain_text(row.body_html)))
    if _is_postgresql(connection):
        if not fresh and (gone := set(post_ids) - {value["post_id"] for value in values}):
            _forget_posts(connection, gone)
        if values:
            _upsert_postgresql(connection, values, texts)
    else:  # SQLite runs one writer at a time: delete and insert again
        if not fresh:
            _forget_posts(connection, post_ids)
        if values:
            _insert_sqlite(connection, values, texts)
    return len(values)


def _forget_posts(connection, post_ids) -> None:
    connection.execute(sa.delete(docs).where(docs.c.post_id.in_(post_ids)))
    if not _is_postgresql(connection):
        connection.execute(
            sa.text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({','.join(map(str, map(int, post_ids)))})")  # noqa: S608  (ints)
        )


def _weighted(param: str, weight: str):
    config = sa.literal_column("'russian'::regconfig")
    return sa.func.setweight(
        sa.func.to_tsvector(config, sa.bindparam(param)), sa.literal_column(f"'{weight}'::\"char\"")
    )


def _upsert_postgresql(connection, values, texts) -> None:
    from sqlalchemy.dialects.postgresql import insert

    vector = _weighted("title_text", "A").op("||")(_weighted("body_text", "B"))
    for value, (title, body) in zip(values, texts, strict=True):
        value["title_text"] = index_text(title)
        value["body_text"] = index_text(body)
    stmt = insert(docs).values(search_vector=vector)
    columns = [column.name for column in docs.columns if column.name != "post_id"]
    stmt = stmt.on_conflict_do_update(
        index_elements=[docs.c.post_id], set_={name: stmt.excluded[name] for name in columns}
    )
    connection.execute(stmt, values)


def _insert_sqlite(connection, values, texts) -> None:
    connection.execute(sa.insert(docs), values)
    connection.execute(
        sa.text(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body, facets) "  # noqa: S608  (constants)
            f"SELECT :id, :title, :body, {facets_sql()} FROM search_documents WHERE post_id = :id"
        ),
        [
            {"id": value["post_id"], "title": index_stems(title), "body": index_stems(body)}
            for value, (title, body) in zip(values, texts, strict=True)
        ],
    )


def refresh_threads(connection, thread_ids) -> None:
    """Copy a thread's association, kind and visibility to its posts' rows (one UPDATE, no text re-read)."""
    thread_ids = list(thread_ids)
    if not thread_ids:
        return
    post = posts.alias("p")
    visible = (
        sa.select(
            sa.and_(
                post.c.deleted_at.is_(None),
                post.c.hidden_at.is_(None),
                threads.c.deleted_at.is_(None),
                threads.c.hidden_at.is_(None),
            )
        )
        .select_from(post.join(threads, threads.c.id == post.c.thread_id))
        .where(post.c.id == docs.c.post_id)
        .scalar_subquery()
    )
    connection.execute(
        sa.update(docs)
        .where(docs.c.thread_id.in_(thread_ids))
        .values(
            association_id=sa.select(threads.c.association_id)
            .where(threads.c.id == docs.c.thread_id)
            .scalar_subquery(),
            kind=sa.select(threads.c.kind).where(threads.c.id == docs.c.thread_id).scalar_subquery(),
            visible=visible,
        )
    )
    if not _is_postgresql(connection):  # the association, the kind and the tags are facet words too
        ids = ",".join(map(str, map(int, thread_ids)))
        connection.exec_driver_sql(
            f"UPDATE {FTS_TABLE} SET facets = (SELECT {facets_sql('d')} FROM search_documents AS d "  # noqa: S608  (ints)
            f"WHERE d.post_id = {FTS_TABLE}.rowid) "
            f"WHERE rowid IN (SELECT post_id FROM search_documents WHERE thread_id IN ({ids}))"
        )


def opening_posts(connection, thread_ids) -> list[int]:
    stmt = sa.select(posts.c.id).where(posts.c.thread_id.in_(list(thread_ids)), posts.c.number == 1)
    return list(connection.scalars(stmt))


def apply_changes(connection, *, post_ids=(), thread_ids=(), retitled=()) -> None:
    refresh_threads(connection, set(thread_ids))
    index_posts(connection, set(post_ids) | set(opening_posts(connection, retitled) if retitled else ()))


# --- rebuilding ---------------------------------------------------------------------------------------------------


def reindex_all(session: Session, *, batch: int = 2000, progress=None) -> int:
    """Empty the index and write every post again, `batch` posts per statement, committing after each batch."""
    connection = session.connection()
    connection.execute(sa.delete(docs))
    if not _is_postgresql(connection):
        connection.exec_driver_sql(FTS_DROP)
        connection.exec_driver_sql(FTS_CREATE)
    session.commit()
    done, last_id = 0, 0
    while True:
        connection = session.connection()
        ids = list(
            connection.scalars(sa.select(posts.c.id).where(posts.c.id > last_id).order_by(posts.c.id).limit(batch))
        )
        if not ids:
            break
        done += index_posts(connection, ids, fresh=True)
        session.commit()
        last_id = ids[-1]
        if progress is not None:
            progress(done)
    # The planner's statistics still describe the emptied index: without fresh ones PostgreSQL picks plans for a
    # tiny table (searches of common words took 400–1 100 ms instead of 60 on the bench district until autovacuum).
    session.connection().exec_driver_sql("ANALYZE search_documents")
    session.commit()
    return done


# --- session events -----------------------------------------------------------------------------------------------


def _changed(obj, fields) -> set[str]:
    state = sa.inspect(obj)
    return {name for name in fields if state.attrs[name].history.has_changes()}


def _pending(session: Session) -> dict[str, set[int]]:
    return session.info.setdefault("search_pending", {"posts": set(), "threads": set(), "retitled": set()})


def _after_flush(session: Session, _flush_context) -> None:
    pending = _pending(session)
    for obj in session.new:
        if isinstance(obj, Post):
            pending["posts"].add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Post) and _changed(obj, POST_FIELDS):
            pending["posts"].add(obj.id)
        elif isinstance(obj, Thread) and (changed := _changed(obj, THREAD_FIELDS)):
            pending["threads"].add(obj.id)
            if "title" in changed:
                pending["retitled"].add(obj.id)
    pending["posts"].update(obj.id for obj in session.deleted if isinstance(obj, Post))  # found gone, forgotten


def _updated_fields(statement) -> set[str]:
    values = getattr(statement, "_values", None) or {}
    return {getattr(key, "key", key) for key in values}


def _on_orm_execute(state) -> None:
    if not state.is_update:
        return
    statement = state.statement
    entity = (statement.entity_description or {}).get("entity")
    fields = POST_FIELDS if entity is Post else THREAD_FIELDS if entity is Thread else None
    if fields is None:
        return
    changed = _updated_fields(statement)
    if not changed & fields:
        return
    ids = set(state.session.scalars(sa.select(entity.id).where(statement.whereclause)))
    pending = _pending(state.session)
    if entity is Post:
        pending["posts"].update(ids)
    else:
        pending["threads"].update(ids)
        if "title" in changed:
            pending["retitled"].update(ids)


def apply_pending(session: Session) -> None:
    """Write the noted changes to the index (at commit, and before a search reads it)."""
    pending = session.info.pop("search_pending", None)
    if pending and any(pending.values()):
        apply_changes(
            session.connection(), post_ids=pending["posts"], thread_ids=pending["threads"], retitled=pending["retitled"]
        )


def _before_commit(session: Session) -> None:
    session.flush()  # the last changes are flushed after this event otherwise, and would be noted too late
    apply_pending(session)


def _after_rollback(session: Session) -> None:
    session.info.pop("search_pending", None)


def title_stems(title: str) -> str:
    """A knowledge-base entry's `title_stems`: the stems search reads for a title, between spaces."""
    return f" {index_stems(title)} "


def _keep_title_stems(_mapper, _connection, entry) -> None:
    entry.title_stems = title_stems(entry.title or "")


def listen() -> None:
    """Watch every session (the app's, the CLI's, the tests'), and the knowledge base's titles; registering twice is
    harmless."""
    from app.consultations.models import KnowledgeEntry

    handlers = (
        ("after_flush", _after_flush),
        ("do_orm_execute", _on_orm_execute),
        ("before_commit", _before_commit),
        ("after_rollback", _after_rollback),
    )
    for name, handler in handlers:
        if not sa.event.contains(Session, name, handler):
            sa.event.listen(Session, name, handler)
    for name in ("before_insert", "before_update"):
        if not sa.event.contains(KnowledgeEntry, name, _keep_title_stems):
            sa.event.listen(KnowledgeEntry, name, _keep_title_stems)
