"""Latency and query counts of the foundation's pages on a large generated district.

Bulk-inserts the data with SQL (fast), then times GET requests through the test client, signed in as an admin.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app.associations.models import Association, AssociationKind, MemberRole, Membership
from app.auth.models import Role, User, UserStatus
from app.db import utcnow
from app.directory.models import School, SchoolKind, Subject
from app.extensions import db

PASSWORD = "bench-password-2026"
BUDGET_MS = 100


def build(users: int, associations: int, per_user: int) -> None:
    now = utcnow()
    rng = random.Random(7)
    db.session.execute(sa.insert(School), [
        {"name": f"МКОУ СОШ № {i}", "short_name": f"СОШ № {i}", "kind": SchoolKind.SCHOOL, "created_at": now}
        for i in range(1, 61)
    ])  # fmt: skip
    db.session.execute(sa.insert(Subject), [{"name": f"Предмет {i}", "slug": f"s{i}"} for i in range(1, 31)])
    probe = User(email="probe")
    probe.set_password(PASSWORD)
    hashed = probe.password_hash
    db.session.execute(sa.insert(User), [
        {"email": f"user{i}@bench.example", "full_name": f"Педагог Номер {i}", "position": "учитель",
         "school_id": rng.randint(1, 60), "role": Role.ADMIN if i == 1 else Role.TEACHER,
         "status": UserStatus.ACTIVE if i % 50 else UserStatus.PENDING, "password_hash": hashed,
         "session_token": f"t{i}", "email_confirmed_at": now, "consent_at": now, "locale": "ru",
         "timezone": "Europe/Moscow", "created_at": now}
        for i in range(1, users + 1)
    ])  # fmt: skip
    db.session.execute(sa.insert(Association), [
        {"slug": f"mo-{i}", "name": f"Методическое объединение {i}", "description": "", "description_html": "",
         "kind": AssociationKind.DISTRICT, "visibility": "public", "join_policy": "open", "member_count": 0,
         "created_at": now}
        for i in range(1, associations + 1)
    ])  # fmt: skip
    rows, seen = [], set()
    for user_id in range(2, users + 1):
        for assoc_id in rng.sample(range(1, associations + 1), per_user):
            seen.add((user_id, assoc_id))
            rows.append({"user_id": user_id, "association_id": assoc_id, "role": MemberRole.MEMBER,
                         "status": "active", "requested_at": now, "joined_at": now, "message": ""})  # fmt: skip
    for assoc_id in range(1, associations + 1):
        leader = rng.randint(2, users)
        if (leader, assoc_id) not in seen:
            rows.append({"user_id": leader, "association_id": assoc_id, "role": MemberRole.LEADER,
                         "status": "active", "requested_at": now, "joined_at": now, "message": ""})  # fmt: skip
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(Membership), rows[start : start + 5000])
    db.session.execute(
        sa.update(Association).values(
            member_count=sa.select(sa.func.count(Membership.id))
            .where(Membership.association_id == Association.id)
            .scalar_subquery()
        )
    )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))  # what autovacuum would have done after a bulk load
        db.session.commit()


def measure(app, client, url: str, requests: int) -> tuple[list[float], int, int]:
    counter = {"n": 0}

    def count(*_args):
        counter["n"] += 1

    response = client.get(url)  # warm-up
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        counter["n"] = 0
        client.get(url)
        queries = counter["n"]
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return timings, queries, response.status_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--associations", type=int, default=600)
    parser.add_argument("--per-user", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL")
    tmp = tempfile.TemporaryDirectory()
    database = url or f"sqlite:///{tmp.name}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "bench", "TESTING": True})  # fmt: skip
    with app.app_context():
        db.drop_all()
        db.create_all()
        start = time.perf_counter()
        build(args.users, args.associations, args.per_user)
        print(f"database: {db.engine.dialect.name}; built {args.users} users, {args.associations} associations "
              f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
    client = app.test_client()
    client.post("/login", data={"email": "user1@bench.example", "password": PASSWORD})
    pages = [
        "/",
        "/associations/",
        "/associations/?page=20",
        "/associations/?q=" + "объединение 5",
        "/associations/mo-7/",
        "/associations/mo-7/members",
        "/users/2",
        "/admin/",
        "/admin/users",
        "/admin/users?q=Номер 1999",
        "/admin/users?page=100",
        "/admin/associations",
        "/admin/audit",
    ]
    failed = False
    print(f"{'page':40} {'status':>6} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for page in pages:
        timings, queries, status = measure(app, client, page, args.requests)
        p50 = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[18]
        over = p95 > BUDGET_MS
        failed |= over or status != 200
        print(f"{page:40} {status:>6} {queries:>7} {p50:>8.1f} {p95:>8.1f}{'  OVER BUDGET' if over else ''}")
    tmp.cleanup()
    print(f"budget p95 ≤ {BUDGET_MS} ms: {'FAILED' if failed else 'met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
