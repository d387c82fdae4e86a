"""Where one request's time goes: cProfile of a GET through the test client on the generated district, with its SQL.

.venv/bin/python bench/profile_page.py /tmp/vmk-bench.sqlite3 /threads/1 [--member] [--top 30]
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import MEMBER_EMAIL, PASSWORD, database_url

from app import create_app
from app.extensions import db


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", nargs="?", help="SQLite file path or SQLAlchemy URL (else BENCH_DATABASE_URL)")
    parser.add_argument("path", help="the page, e.g. /threads/1")
    parser.add_argument("--member", action="store_true", help=f"signed in as {MEMBER_EMAIL}")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sql-width", type=int, default=300, help="characters of each statement to print")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key: cumulative, tottime …")
    args = parser.parse_args(argv)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(args.database), "SECRET_KEY": "bench-profile",
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})  # fmt: skip
    client = app.test_client()
    if args.member:
        assert client.post("/login", data={"email": MEMBER_EMAIL, "password": PASSWORD}).status_code == 302
    for _ in range(3):
        client.get(args.path)  # warm-up: templates compiled, statement caches filled
    statements = []

    def before(_conn, _cursor, statement, _params, context, _many):
        context._bench_start = time.perf_counter()

    def after(_conn, _cursor, statement, _params, context, _many):
        statements.append(((time.perf_counter() - context._bench_start) * 1000, " ".join(statement.split())))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    response = client.get(args.path)
    profiler.disable()
    total = (time.perf_counter() - start) * 1000
    sa.event.remove(engine, "before_cursor_execute", before)
    sa.event.remove(engine, "after_cursor_execute", after)
    print(f"GET {args.path}: {response.status_code}, {len(response.data)} bytes, {total:.1f} ms (under the profiler), "
          f"{len(statements)} queries, {sum(ms for ms, _ in statements):.1f} ms in SQL")  # fmt: skip
    for ms, statement in sorted(statements, reverse=True):
        print(f"  {ms:7.1f} ms  {statement[: args.sql_width]}")
    pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
