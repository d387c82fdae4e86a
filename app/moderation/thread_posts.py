"""Posts moved between threads by moderation (merge, split): their new numbers and places in the tree, the readers'
places that follow them, and the counters recounted afterwards. Used by `app.moderation.threads`, under its locks."""

from types import SimpleNamespace

import sqlalchemy as sa

from app.associations.models import Association
from app.db import utcnow
from app.discussions.models import Post, Thread, ThreadReader, WatchLevel
from app.discussions.services import place_in_tree
from app.extensions import db

_CHUNK = 300  # posts per UPDATE when posts are renumbered (bound parameters stay far below every limit)


def reserve_numbers(thread_id: int, count: int) -> None:
    db.session.execute(
        sa.update(Thread).where(Thread.id == thread_id).values(post_count=Thread.post_count + count),
        execution_options={"synchronize_session": False},
    )


def carry_readers(source_id: int, target_id: int, *, offset: int) -> None:
    """Readers of the source read the target at least as far as before: up to where the source's posts they read
    are now (or further, if they had read further in the target). They keep their watch level of the target, or
    take the source's where they had the default one."""
    readers = ThreadReader.__table__
    src, tgt = readers.alias("src"), readers.alias("tgt")
    same_user = sa.and_(src.c.thread_id == source_id, src.c.user_id == readers.c.user_id)
    carried = sa.case((src.c.last_read_number > 0, src.c.last_read_number + offset), else_=0)
    further = sa.select(carried).where(same_user).scalar_subquery()
    level = sa.select(src.c.level).where(same_user).scalar_subquery()
    connection = db.session.connection()
    connection.execute(
        readers.update()
        .where(readers.c.thread_id == target_id, sa.exists().where(same_user))
        .values(
            last_read_number=sa.case((further > readers.c.last_read_number, further),
                                     else_=readers.c.last_read_number),
            level=sa.case((readers.c.level == WatchLevel.NORMAL, level), else_=readers.c.level),
        )
    )  # fmt: skip
    absent = ~sa.exists().where(tgt.c.thread_id == target_id, tgt.c.user_id == src.c.user_id)
    connection.execute(
        readers.insert().from_select(
            ["user_id", "thread_id", "level", "last_read_number", "updated_at"],
            sa.select(src.c.user_id, sa.literal(target_id), src.c.level, carried, _now_value(readers))
            .where(src.c.thread_id == source_id, absent),
        )
    )  # fmt: skip


def _now_value(readers):
    return sa.literal(utcnow(), readers.c.updated_at.type)


def split_readers(old_id: int, new_id: int, numbers: list[int]) -> None:
    """Each reader of the old thread keeps their place in both: read as many of each thread's posts as before (the
    counts are taken before the posts move). Watch levels carry over to the new thread."""
    readers = ThreadReader.__table__
    posts = Post.__table__
    moved = posts.c.number.in_(numbers)

    def read_of(reader, which):
        return (
            sa.select(sa.func.count())
            .select_from(posts)
            .where(posts.c.thread_id == old_id, which, posts.c.number <= reader.c.last_read_number)
            .scalar_subquery()
        )

    src = readers.alias("src")
    connection = db.session.connection()
    connection.execute(
        readers.insert().from_select(
            ["user_id", "thread_id", "level", "last_read_number", "updated_at"],
            sa.select(src.c.user_id, sa.literal(new_id), src.c.level, read_of(src, moved),
                      _now_value(readers))
            .where(src.c.thread_id == old_id, sa.or_(read_of(src, moved) > 0, src.c.level == WatchLevel.WATCHING)),
        )
    )  # fmt: skip
    connection.execute(
        readers.update()
        .where(readers.c.thread_id == old_id, readers.c.last_read_number > 0)
        .values(last_read_number=read_of(readers, ~moved))
    )


# --- posts renumbered, counters recounted -------------------------------------------------------------------------


def placed(rows, thread_id: int, first: int) -> dict[int, dict]:
    """New places of `rows` (in this order) numbered from `first` in `thread_id`: depth and tree path from the answers
    between them; an answer to a post that is not among them becomes a plain reply."""
    placed: dict[int, SimpleNamespace] = {}
    changes = {}
    for number, row in enumerate(rows, start=first):
        parent = placed.get(row.reply_to_id)
        depth, path = place_in_tree(number, parent)
        placed[row.id] = SimpleNamespace(number=number, depth=depth, tree_path=path)
        changes[row.id] = {"thread_id": thread_id, "number": number, "depth": depth, "tree_path": path,
                           "reply_to_id": row.reply_to_id if parent is not None else None}  # fmt: skip
    return changes


def write_places(changes: dict[int, dict], *, negative: bool = False) -> None:
    """Write the posts' new places in a few UPDATEs (ORM statements: the search index notes the posts)."""
    ids = list(changes)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]

        def column(name, kind, chunk=chunk):
            whens = {
                i: sa.literal(changes[i][name], kind) if changes[i][name] is not None else sa.cast(sa.null(), kind)
                for i in chunk
            }
            return sa.case(whens, value=Post.id)

        numbers = {i: -changes[i]["number"] if negative else changes[i]["number"] for i in chunk}
        db.session.execute(
            sa.update(Post).where(Post.id.in_(chunk)).values(
                thread_id=column("thread_id", sa.Integer), depth=column("depth", sa.Integer),
                tree_path=column("tree_path", sa.String), reply_to_id=column("reply_to_id", sa.Integer),
                number=sa.case({i: sa.literal(n, sa.Integer) for i, n in numbers.items()}, value=Post.id),
            ),
            execution_options={"synchronize_session": False},
        )  # fmt: skip


def recount_threads(*thread_ids: int) -> None:
    """Each thread's counters from its rows: posts numbered, visible replies, «Полезно», its latest visible post."""
    posts = Post.__table__
    mine = posts.c.thread_id == Thread.id
    visible = sa.and_(mine, posts.c.deleted_at.is_(None), posts.c.hidden_at.is_(None))
    latest = sa.select(posts.c.created_at, posts.c.author_id).where(visible)
    latest = latest.order_by(posts.c.created_at.desc(), posts.c.number.desc()).limit(1)
    has_visible = sa.exists().where(visible)
    db.session.execute(
        sa.update(Thread)
        .where(Thread.id.in_(thread_ids))
        .values(
            post_count=sa.select(sa.func.coalesce(sa.func.max(posts.c.number), 0)).where(mine).scalar_subquery(),
            reply_count=sa.select(sa.func.count()).where(visible, posts.c.number > 1).scalar_subquery(),
            useful_count=sa.select(sa.func.coalesce(sa.func.sum(posts.c.useful_count), 0))
            .where(mine)
            .scalar_subquery(),
            last_posted_at=sa.case(
                (has_visible, latest.with_only_columns(posts.c.created_at).scalar_subquery()),
                else_=Thread.last_posted_at,
            ),
            last_poster_id=sa.case(
                (has_visible, latest.with_only_columns(posts.c.author_id).scalar_subquery()),
                else_=Thread.last_poster_id,
            ),
        ),
        execution_options={"synchronize_session": False},
    )  # fmt: skip


def lock_posts(*thread_ids: int) -> None:
    """Posts before threads, as a delete or an edit takes them."""
    stmt = sa.select(Post.id).where(Post.thread_id.in_(thread_ids)).order_by(Post.id).with_for_update()
    db.session.execute(stmt).all()


def counted(thread: Thread) -> bool:
    """In its association's counters: shown to every reader (not deleted, hidden or private)."""
    return thread.deleted_at is None and thread.hidden_at is None and not thread.is_private


def visible_posts(thread_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Post.id)).where(
            Post.thread_id == thread_id, Post.deleted_at.is_(None), Post.hidden_at.is_(None)
        )
    )


def count_in_association(association_id: int, *, threads: int = 0, posts: int = 0) -> None:
    """Change the association's counters by the difference (taking its row lock), then read its latest activity
    again from its counted threads (a statement of its own, so that it sees every write committed before the lock)."""
    db.session.execute(
        sa.update(Association)
        .where(Association.id == association_id)
        .values(thread_count=Association.thread_count + threads, post_count=Association.post_count + posts),
        execution_options={"synchronize_session": False},
    )
    latest = sa.select(sa.func.max(Thread.last_posted_at)).where(
        Thread.association_id == association_id,
        Thread.deleted_at.is_(None),
        Thread.hidden_at.is_(None),
        ~Thread.is_private,
    )
    db.session.execute(
        sa.update(Association).where(Association.id == association_id).values(last_posted_at=latest.scalar_subquery()),
        execution_options={"synchronize_session": False},
    )
    if (association := db.session.identity_map.get(db.session.identity_key(Association, association_id))) is not None:
        db.session.expire(association)
