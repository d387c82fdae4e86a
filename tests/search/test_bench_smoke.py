"""bench/search.py on a tiny generated district, so the search benchmark cannot rot: it indexes, measures every
case and the pages, and prints its table."""

import subprocess
import sys
from pathlib import Path

from tests.test_bench_smoke import TINY

ROOT = Path(__file__).resolve().parent.parent.parent


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(ROOT / "bench" / script), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_search_bench_runs_on_a_tiny_district(tmp_path):
    path = tmp_path / "bench.sqlite3"
    generated = _run("generate.py", str(path), *TINY)
    assert generated.returncode == 0, generated.stderr
    measured = _run("search.py", str(path), "--reindex", "--repeat", "2")
    assert measured.returncode in (0, 1), measured.stderr  # 1: a budget missed on a busy machine, still a table
    assert "reindex: " in measured.stdout
    assert "синквейн" in measured.stdout and "similar:" in measured.stdout
    assert "page /search?q=урок" in measured.stdout
