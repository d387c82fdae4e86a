"""bench/generate.py at a tiny scale, so the generator cannot rot: it runs, refuses a filled database without
--reset, and leaves counters that agree with the rows."""

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--threads", "20", "--posts", "200", "--users", "40", "--associations", "5", "--reactions", "120",
        "--attachments", "20", "--body-pool", "30"]  # fmt: skip


def _generate(path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(path), *TINY, *extra],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip


def _scalar(engine, sql: str):
    with engine.connect() as connection:
        return connection.execute(sa.text(sql)).scalar()


def test_generator_fills_a_consistent_district_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "bench.sqlite3"
    result = _generate(path)
    assert result.returncode == 0, result.stderr
    assert "done:" in result.stdout
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        assert _scalar(engine, "SELECT COUNT(*) FROM associations") == 5
        assert _scalar(engine, "SELECT COUNT(*) FROM threads") == 20
        assert _scalar(engine, "SELECT COUNT(*) FROM posts") >= 200
        assert _scalar(engine, "SELECT COUNT(*) FROM reactions") > 0
        assert _scalar(engine, "SELECT COUNT(*) FROM users WHERE email = 'member@bench.example'") == 1
        assert "учител" in _scalar(engine, "SELECT name FROM associations WHERE id = 1")
        assert "<p>" in _scalar(engine, "SELECT body_html FROM posts WHERE id = 1")
        # every question thread has its consultation side, and an accepted answer lies in its own thread
        assert (
            _scalar(
                engine,
                "SELECT COUNT(*) FROM threads t LEFT JOIN questions q ON q.thread_id = t.id "
                "WHERE t.kind = 'question' AND q.thread_id IS NULL",
            )
            == 0
        )
        assert (
            _scalar(
                engine,
                "SELECT COUNT(*) FROM questions q JOIN posts p ON p.id = q.accepted_post_id "
                "WHERE p.thread_id != q.thread_id",
            )
            == 0
        )
        # Counters agree with the rows.
        assert (
            _scalar(
                engine,
                """SELECT COUNT(*) FROM threads t WHERE
            post_count != (SELECT COUNT(*) FROM posts p WHERE p.thread_id = t.id)
            OR reply_count != (SELECT COUNT(*) FROM posts p WHERE p.thread_id = t.id AND p.number > 1
                               AND p.deleted_at IS NULL)
            OR useful_count != (SELECT COUNT(*) FROM reactions r JOIN posts p ON p.id = r.post_id
                                WHERE p.thread_id = t.id)
            OR last_posted_at != (SELECT MAX(created_at) FROM posts p WHERE p.thread_id = t.id)
            OR last_poster_id != (SELECT author_id FROM posts p WHERE p.thread_id = t.id
                                  ORDER BY number DESC LIMIT 1)""",
            )
            == 0
        )
        assert (
            _scalar(
                engine,
                """SELECT COUNT(*) FROM posts p WHERE
            useful_count != (SELECT COUNT(*) FROM reactions r WHERE r.post_id = p.id)""",
            )
            == 0
        )
        assert (
            _scalar(
                engine,
                """SELECT COUNT(*) FROM associations a WHERE
            thread_count != (SELECT COUNT(*) FROM threads t WHERE t.association_id = a.id AND NOT t.is_private)
            OR post_count != (SELECT COUNT(*) FROM posts p JOIN threads t ON t.id = p.thread_id
                              WHERE t.association_id = a.id AND p.deleted_at IS NULL AND NOT t.is_private)
            OR member_count != (SELECT COUNT(*) FROM memberships m WHERE m.association_id = a.id)""",
            )
            == 0
        )
        assert (
            _scalar(
                engine,
                "SELECT COUNT(*) FROM reactions r JOIN posts p ON p.id = r.post_id JOIN threads t "
                "ON t.id = p.thread_id LEFT JOIN memberships m ON m.user_id = r.user_id "
                "AND m.association_id = t.association_id WHERE m.id IS NULL",
            )
            == 0
        )
    finally:
        engine.dispose()

    again = _generate(path)
    assert again.returncode == 2
    assert "--reset" in again.stderr
    assert _generate(path, "--reset").returncode == 0
