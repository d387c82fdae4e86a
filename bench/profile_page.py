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


def by_package(stats: pstats.Stats) -> dict[str, float]:
    """Own time summed by where the code lives: a site-package, the app, templates, or the standard library."""
    totals: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        if "site-packages/" in filename:
            key = filename.split("site-packages/")[1].split("/")[0]
        elif filename.endswith(".html") or filename.endswith(".txt"):
            key = "templates (compiled Jinja)"
        elif "/work/main/app/" in filename or "/app/" in filename:
            key = "app/" + filename.split("/app/")[-1]
        elif filename == "~":
            key = f"builtin: {function}"[:60]
        else:
            key = "stdlib and other"
        totals[key] = totals.get(key, 0.0) + tottime
    return totals


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", nargs="?", help="SQLite file path or SQLAlchemy URL (else BENCH_DATABASE_URL)")
    parser.add_argument("path", help="the page, e.g. /threads/1")
    parser.add_argument("--member", action="store_true", help=f"signed in as {MEMBER_EMAIL}")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sql-width", type=int, default=300, help="characters of each statement to print")
    parser.add_argument("--repeat", type=int, default=1, help="profile this many requests (less noise)")
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
    for _ in range(args.repeat):
        response = client.get(args.path)
    profiler.disable()
    total = (time.perf_counter() - start) * 1000
    sa.event.remove(engine, "before_cursor_execute", before)
    sa.event.remove(engine, "after_cursor_execute", after)
    n = args.repeat
    sql_ms = sum(ms for ms, _ in statements) / n
    print(f"GET {args.path}: {response.status_code}, {len(response.data)} bytes, {total / n:.1f} ms a request under "
          f"the profiler, {len(statements) // n} queries, {sql_ms:.1f} ms in SQL")  # fmt: skip
    by_statement: dict[str, list[float]] = {}
    for ms, statement in statements:
        by_statement.setdefault(statement, []).append(ms)
    for statement, times in sorted(by_statement.items(), key=lambda item: -sum(item[1])):
        print(f"  {sum(times) / n:7.1f} ms  ×{len(times) // n}  {statement[: args.sql_width]}")
    stats = pstats.Stats(profiler)
    print("own time by package, ms a request:")
    for package, seconds in sorted(by_package(stats).items(), key=lambda item: -item[1])[:12]:
        print(f"  {seconds * 1000 / n:7.1f}  {package}")
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
