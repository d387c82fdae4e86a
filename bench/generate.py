"""Fill a database with a large generated district for bench/load.py.

    .venv/bin/python bench/generate.py /tmp/vmk-bench.sqlite3            # SQLite file
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/vmk_bench .venv/bin/python bench/generate.py

Refuses a database that already holds users unless --reset (which drops and recreates every table). Rows go in with
bulk Core inserts in batches; every counter the pages show (post/reply/useful counts, last activity, association
counters) is computed while generating, so it agrees with the rows. Only a pool of distinct post bodies is rendered
through app.markup.render_markdown and reused: rendering 500 000 posts one by one would take longer than the rest.
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import texts

from app import create_app
from app.associations.models import Association, Membership
from app.auth.models import User
from app.consultations.models import Question, QuestionEvent
from app.db import fold_for_search
from app.directory.models import School, Subject
from app.discussions.models import (
    AssociationWatch,
    Attachment,
    Bookmark,
    Post,
    PostRevision,
    Reaction,
    Tag,
    Thread,
    ThreadReader,
    thread_tags,
)
from app.discussions.services import place_in_tree
from app.extensions import db
from app.markup import render_markdown

PASSWORD = "bench-password-2026"
ADMIN_EMAIL = "admin@bench.example"
MEMBER_EMAIL = "member@bench.example"  # an ordinary teacher in several associations; bench/load.py signs in as them
BATCH = 5000
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
KINDS = ["discussion"] * 50 + ["question"] * 25 + ["experience"] * 12 + ["link"] * 10 + ["announcement"] * 3
ATTACHMENT_TYPES = [
    ("pdf", "application/pdf", False),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", False),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    ("jpg", "image/jpeg", True),
    ("png", "image/png", True),
]


class Inserter:
    """Buffers rows per table and inserts them in batches of BATCH, parents before children."""

    def __init__(self, order: list):
        self.order = order
        self.rows = {table: [] for table in order}
        self.counts = dict.fromkeys(order, 0)

    def add(self, table, row: dict) -> None:
        self.rows[table].append(row)
        if len(self.rows[table]) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for table in self.order:  # a child batch never goes in before the parents it points to
            rows = self.rows[table]
            if rows:
                db.session.execute(sa.insert(table), rows)
                self.counts[table] += len(rows)
                rows.clear()


def _table(model):
    return model.__table__


def log(message: str, started: float) -> None:
    print(f"{time.perf_counter() - started:7.1f} s  {message}", flush=True)


def build_people(rng: random.Random, args, out: Inserter) -> tuple[dict, dict]:
    """Schools, subjects, users, associations and memberships; returns members and leaders per association."""
    db.session.execute(sa.insert(School), [
        {"id": i, "name": f"МКОУ СОШ № {i}", "short_name": f"СОШ № {i}", "kind": "school", "created_at": NOW}
        for i in range(1, 41)
    ])  # fmt: skip
    db.session.execute(sa.insert(Subject), [
        {"id": i, "name": name, "slug": f"subject-{i}"} for i, (name, _gen, _dat) in enumerate(texts.SUBJECTS, 1)
    ])  # fmt: skip
    probe = User(email="probe")
    probe.set_password(PASSWORD)  # one scrypt hash shared by everyone: hashing 5 000 passwords would take minutes
    for user_id in range(1, args.users + 1):
        email = {1: ADMIN_EMAIL, 2: MEMBER_EMAIL}.get(user_id, f"user{user_id}@bench.example")
        name = texts.full_name(rng)
        out.add(User.__table__, {
            "id": user_id, "email": email, "full_name": name, "search_name": fold_for_search(name),
            "position": rng.choice(texts.POSITIONS), "school_id": rng.randint(1, 40),
            "role": "admin" if user_id == 1 else ("methodist" if user_id % 97 == 0 else "teacher"),
            "status": "active", "password_hash": probe.password_hash, "session_token": f"bench-{user_id}",
            "email_confirmed_at": NOW, "consent_at": NOW, "locale": "ru", "timezone": "Europe/Moscow",
            "created_at": NOW - timedelta(days=1200),
        })  # fmt: skip
    out.flush()
    members, leaders = {}, {}
    for assoc_id in range(1, args.associations + 1):
        subject = texts.SUBJECTS[(assoc_id - 1) % len(texts.SUBJECTS)]
        round_ = (assoc_id - 1) // len(texts.SUBJECTS)
        name = f"РМО учителей {subject[1]}" + (f" (группа {round_ + 1})" if round_ else "")
        public = assoc_id % 10 != 0
        description = f"Районное методическое объединение учителей {subject[1]}. " + texts.paragraph(rng, subject)
        out.add(Association.__table__, {
            "id": assoc_id, "slug": f"mo-{assoc_id}", "name": name, "search_name": fold_for_search(name),
            "description": description, "description_html": render_markdown(description), "kind": "district",
            "visibility": "public" if public else "members", "join_policy": "open" if public else "invitation",
            "member_count": 0, "thread_count": 0, "post_count": 0, "created_at": NOW - timedelta(days=1100),
        })  # fmt: skip
    out.flush()
    # Skewed sizes: a few big associations (maths, Russian) and many small ones.
    weights = [1 / (i**0.7) for i in range(1, args.associations + 1)]
    for user_id in range(2, args.users + 1):
        count = 4 if user_id == 2 else rng.choice([1, 1, 2, 2, 3])
        mine = {a for a in (1, 2, 3, 10) if a <= args.associations}
        chosen = mine if user_id == 2 else set(rng.choices(range(1, args.associations + 1), weights, k=count))
        for assoc_id in chosen:
            members.setdefault(assoc_id, []).append(user_id)
    for assoc_id in range(1, args.associations + 1):
        group = members.setdefault(assoc_id, [rng.randint(3, args.users)])
        leaders[assoc_id] = [uid for uid in group[:2] if uid != 2] or group[:1]
        for user_id in group:
            role = "leader" if user_id in leaders[assoc_id] else "member"
            out.add(Membership.__table__, {
                "user_id": user_id, "association_id": assoc_id, "role": role, "status": "active",
                "requested_at": NOW - timedelta(days=1000), "joined_at": NOW - timedelta(days=1000), "message": "",
            })  # fmt: skip
    out.flush()
    return members, leaders


def thread_sizes(rng: random.Random, threads: int, posts: int) -> list[int]:
    """Posts per thread: at least one (the opening post), long-tailed, summing to `posts`."""
    raw = [rng.paretovariate(1.6) for _ in range(threads)]
    scale = (posts - threads) / sum(raw)
    sizes = [1 + int(value * scale) for value in raw]
    sizes = [min(size, 3000) for size in sizes]
    missing = posts - sum(sizes)
    while missing > 0:  # hand out what rounding and the cap lost
        i = rng.randrange(threads)
        if sizes[i] < 3000:
            step = min(missing, 3000 - sizes[i], 50)
            sizes[i] += step
            missing -= step
    sizes[0] = max(sizes[0], 45)  # thread 1 always has more than two pages, for the benchmark
    return sizes


def build_discussions(rng: random.Random, args, members: dict, leaders: dict, out: Inserter, started: float) -> None:
    tag_ids = list(range(1, len(texts.TAGS) + 1))
    db.session.execute(sa.insert(Tag), [{"id": i, "name": name} for i, name in enumerate(texts.TAGS, 1)])
    pool = [texts.body(rng) for _ in range(args.body_pool)]
    pool_html = [render_markdown(text) for text in pool]
    log(f"rendered a pool of {len(pool)} distinct post bodies", started)
    sizes = thread_sizes(rng, args.threads, args.posts)
    reaction_rate = args.reactions / args.posts
    attachment_rate = args.attachments / args.posts
    assoc_weights = [len(members[a]) ** 0.8 for a in range(1, args.associations + 1)]
    assoc_totals = {a: {"threads": 0, "posts": 0, "last": None} for a in members}
    post_id = 0
    for thread_id, size in enumerate(sizes, 1):
        assoc_id = 1 if thread_id == 1 else rng.choices(range(1, args.associations + 1), assoc_weights)[0]
        group = members[assoc_id]
        kind = rng.choice(KINDS)
        author = rng.choice(leaders[assoc_id]) if kind == "announcement" else rng.choice(group)
        created = NOW - timedelta(minutes=rng.randint(60, 3 * 365 * 24 * 60))
        # a few private questions (never the benchmark's thread 1): they stay out of the association's counters
        private = kind == "question" and thread_id != 1 and rng.random() < 0.03
        when, posted, depths, last_poster, replies, useful = created, {}, {}, author, 0, 0
        children = []  # (table, row): added after the thread's own row, so a batch never precedes its parent
        for number in range(1, size + 1):
            post_id += 1
            poster = author if number == 1 else rng.choice(group)
            if number > 1:
                when = min(when + timedelta(minutes=rng.randint(1, 2000)), NOW)
            reply_to, parent = None, None
            if number > 2 and rng.random() < 0.3:
                target = rng.randint(max(1, number - 15), number - 1)
                reply_to, parent = posted[target], depths[target]
            depth, tree_path = place_in_tree(number, parent)  # the service's own rule
            posted[number], depths[number] = post_id, SimpleNamespace(number=number, depth=depth, tree_path=tree_path)
            deleted = number > 1 and rng.random() < 0.01
            edited = rng.random() < 0.02
            # 70 % of posts get no «Полезно»; the rest 1 + an exponential tail, so the mean is about the rate.
            k = 0 if rng.random() >= 0.3 else 1 + int(rng.expovariate(1 / max(reaction_rate / 0.3 - 0.5, 0.1)))
            k = min(k, len(group))
            pick = rng.randrange(len(pool))
            children.append((_table(Post), {
                "id": post_id, "thread_id": thread_id, "number": number, "author_id": poster,
                "reply_to_id": reply_to, "depth": depth, "tree_path": tree_path,
                "body": pool[pick], "body_html": pool_html[pick],
                "created_at": when, "edited_at": when + timedelta(minutes=5) if edited else None,
                "edited_by_id": poster if edited else None, "revision_count": 1 if edited else 0,
                "useful_count": k, "deleted_at": when + timedelta(hours=1) if deleted else None,
                "deleted_by_id": poster if deleted else None, "hidden_reason": "",
            }))  # fmt: skip
            if edited:
                children.append((_table(PostRevision), {
                    "post_id": post_id, "number": 1, "body": pool[(pick + 1) % len(pool)], "author_id": poster,
                    "created_at": when,
                }))  # fmt: skip
            for reactor in rng.sample(group, k):
                children.append((_table(Reaction), {"post_id": post_id, "user_id": reactor, "created_at": when}))
            useful += k
            if rng.random() < attachment_rate:
                children.append(_attachment(rng, post_id, poster, when))
            if not deleted:
                replies += number > 1
                assoc_totals[assoc_id]["posts"] += 0 if private else 1
            last_poster = poster
        title = texts.title(rng)
        url = f"https://{rng.choice(texts.DOMAINS)}/materials/{thread_id}" if kind == "link" else None
        out.add(_table(Thread), {
            "id": thread_id, "association_id": assoc_id, "author_id": author, "kind": kind, "title": title,
            "search_title": fold_for_search(title), "url": url, "url_domain": url.split("/")[2] if url else None,
            "experience_grade": f"{rng.choice(texts.GRADES)} класс" if kind == "experience" else "",
            "experience_method": rng.choice(texts.METHODS) if kind == "experience" else "",
            "created_at": created, "post_count": size, "reply_count": replies, "useful_count": useful,
            "last_posted_at": when, "last_poster_id": last_poster,
            "pinned_at": created if rng.random() < 0.003 else None, "hidden_reason": "", "is_private": private,
        })  # fmt: skip
        if kind == "question":
            _add_question(rng, out, thread_id, author, created, posted, children)
        for table, row in children:
            out.add(table, row)
        for tag_id in rng.sample(tag_ids, rng.choice([0, 1, 1, 2, 2, 3])):
            out.add(thread_tags, {"thread_id": thread_id, "tag_id": tag_id})
        _add_readers(rng, out, thread_id, author, group, size, posted)
        totals = assoc_totals[assoc_id]
        if not private:
            totals["threads"] += 1
            totals["last"] = max(totals["last"] or when, when)
        if thread_id % 2000 == 0:
            log(f"{thread_id} threads, {post_id} posts", started)
    out.flush()
    for assoc_id, totals in assoc_totals.items():
        db.session.execute(
            sa.update(Association)
            .where(Association.id == assoc_id)
            .values(thread_count=totals["threads"], post_count=totals["posts"], last_posted_at=totals["last"],
                    member_count=len(members[assoc_id]))
        )  # fmt: skip
    _add_bookmarks_and_watches(rng, args, out, post_id, members)


# A question's status: resolved ones are the most, then answered, waiting and closed.
STATUSES = ["resolved"] * 50 + ["answered"] * 20 + ["in_progress"] * 10 + ["new"] * 15 + ["closed"] * 5


def _add_question(rng, out: Inserter, thread_id: int, author: int, created: datetime, posted: dict, children) -> None:
    """The consultation side of a question thread: a status, a subject and level, the first answer's time (its
    second post's), the accepted answer of resolved ones, and the «asked» event. Queued before the thread's posts
    are (children follow the thread), after the thread's own row."""
    status = rng.choice(STATUSES) if len(posted) > 1 else rng.choice(["new", "in_progress"])
    answered = status in ("answered", "resolved")
    first_answer = created + timedelta(hours=rng.randint(1, 96)) if answered else None
    question = {
        "thread_id": thread_id, "status": status, "subject_id": rng.randint(1, len(texts.SUBJECTS)),
        "level": rng.choice(["primary", "basic", "secondary"]), "grade": "", "topic": "", "asked_at": created,
        "first_answer_at": first_answer, "accepted_post_id": posted[2] if status == "resolved" else None,
        "resolved_at": first_answer + timedelta(hours=5) if status == "resolved" else None,
        "helped": rng.random() < 0.8 if status == "resolved" and rng.random() < 0.5 else None,
        "rating_comment": "",
    }  # fmt: skip
    event = {"thread_id": thread_id, "kind": "asked", "actor_id": author, "status": "new", "created_at": created}
    # The question refers to its accepted post: it goes in after the posts.
    children.extend([(_table(Question), question), (_table(QuestionEvent), event)])


def _attachment(rng: random.Random, post_id: int, uploader: int, when: datetime) -> tuple:
    ext, content_type, is_image = rng.choice(ATTACHMENT_TYPES)
    stem = rng.choice(["Конспект урока", "Презентация", "Рабочая программа", "Контрольная работа", "Фото доски",
                       "Технологическая карта", "Задания"])  # fmt: skip
    return _table(Attachment), {
        "post_id": post_id, "uploader_id": uploader, "display_name": f"{stem} {rng.randint(1, 11)} класс.{ext}",
        "stored_name": f"{rng.getrandbits(128):032x}.{ext}", "content_type": content_type,
        "size": rng.randint(20_000, 8_000_000), "is_image": is_image,
        "width": 1600 if is_image else None, "height": 1200 if is_image else None,
        "thumbnail_name": f"{rng.getrandbits(128):032x}.webp" if is_image else None,
        "sha256": f"{rng.getrandbits(256):064x}", "created_at": when,
    }  # fmt: skip


def _add_readers(rng, out: Inserter, thread_id: int, author: int, group: list, size: int, posted: dict) -> None:
    """The author watches; a few members track the thread, read it to the end or part of the way."""
    readers = {author: ("watching", size)}
    for reader in rng.sample(group, min(len(group), rng.randint(0, 6))):
        readers.setdefault(reader, ("tracking", rng.randint(1, size)))
    if 2 in group:  # the benchmark's member: some threads read, some with unread posts
        readers.setdefault(2, ("tracking", rng.randint(1, size)))
    for user_id, (level, read) in readers.items():
        out.add(_table(ThreadReader), {
            "user_id": user_id, "thread_id": thread_id, "level": level, "last_read_number": read, "updated_at": NOW,
        })  # fmt: skip


def _add_bookmarks_and_watches(rng: random.Random, args, out: Inserter, posts: int, members: dict) -> None:
    seen = set()
    for _ in range(min(args.users * 2, posts)):
        key = (rng.randint(2, args.users), rng.randint(1, posts))
        if key not in seen:
            seen.add(key)
            out.add(_table(Bookmark), {"user_id": key[0], "post_id": key[1], "created_at": NOW})
    for assoc_id in (a for a, group in members.items() if 2 in group):
        out.add(_table(AssociationWatch), {"user_id": 2, "association_id": assoc_id, "level": "watching"})
    out.flush()


def _reset_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences at 1; move them past the rows so the app can insert."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement and isinstance(table.c.id.type, sa.Integer):
            db.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            ))  # fmt: skip


def database_url(target: str | None) -> str:
    if target:
        return target if "://" in target else f"sqlite:///{Path(target).resolve()}"
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    raise SystemExit("Give a SQLite file path or set BENCH_DATABASE_URL.")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", nargs="?", help="SQLite file path or SQLAlchemy URL (else BENCH_DATABASE_URL)")
    parser.add_argument("--reset", action="store_true", help="drop and recreate every table of a non-empty database")
    parser.add_argument("--associations", type=int, default=60)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=20000)
    parser.add_argument("--posts", type=int, default=500000)
    parser.add_argument("--reactions", type=int, default=300000, help="about this many «Полезно» reactions")
    parser.add_argument("--attachments", type=int, default=20000, help="about this many attachment records")
    parser.add_argument("--body-pool", type=int, default=3000, help="distinct post bodies rendered and reused")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.posts < args.threads or args.users < 10 or args.associations < 1:
        parser.error("need posts ≥ threads, at least 10 users and one association")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    url = database_url(args.database)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-generate"})
    started = time.perf_counter()
    with app.app_context():
        inspector = sa.inspect(db.engine)
        filled = inspector.has_table("users") and db.session.scalar(sa.select(sa.func.count()).select_from(User))
        if filled and not args.reset:
            print(f"{url} already holds data; run again with --reset to replace it.", file=sys.stderr)
            return 2
        db.session.rollback()  # end the read transaction: on SQLite it would lock out drop_all's connection
        if args.reset:
            db.drop_all()
        db.create_all()
        if db.engine.dialect.name == "postgresql":
            # A bulk load of a new district: no trigger is needed (the change stamps start at their clock value and
            # nothing is cached yet, the rows are consistent by construction), and psycopg's executemany runs each
            # row as its own statement, so statement-level triggers would fire per row (minutes).
            db.session.execute(sa.text("SET session_replication_role = replica"))
        log(f"{db.engine.dialect.name}: schema ready", started)
        rng = random.Random(args.seed)
        out = Inserter([User.__table__, Association.__table__, Membership.__table__, _table(Thread),
                        thread_tags, _table(Post), _table(PostRevision), _table(Reaction), _table(Attachment),
                        _table(Question), _table(QuestionEvent), _table(ThreadReader), _table(Bookmark),
                        _table(AssociationWatch)])  # fmt: skip
        members, leaders = build_people(rng, args, out)
        log(f"{args.users} users, {args.associations} associations, {out.counts[Membership.__table__]} memberships",
            started)  # fmt: skip
        build_discussions(rng, args, members, leaders, out, started)
        _reset_sequences()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum would do after a bulk load
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        summary = ", ".join(f"{table.name} {count}" for table, count in out.counts.items())
        log(f"done: {summary}", started)
    print(f"sign in as {MEMBER_EMAIL} (member) or {ADMIN_EMAIL} (admin), password {PASSWORD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
