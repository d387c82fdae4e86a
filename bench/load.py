"""Load test: the app under gunicorn on 127.0.0.1, driven by concurrent keep-alive clients, against budgets.

    .venv/bin/python bench/generate.py /tmp/vmk-bench.sqlite3      # once
    .venv/bin/python bench/load.py /tmp/vmk-bench.sqlite3
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/vmk_bench .venv/bin/python bench/load.py

For each page, as a visitor and as a signed-in member, it prints requests/s and p50/p95 latency beside GET /healthz
measured the same way under the same server (the ceiling: a Flask endpoint that does nothing), each page's share of
that ceiling against its budget, a worker's resident memory after the run, and the thread page's gzip size with its
CSS and JS. Exits 1 when a budget is missed. gunicorn is stopped at the end whatever happens.

`--memory-only` skips the timing: it requests each page 50 times (or N) one at a time, as a visitor and as the member,
and prints the workers' memory, in seconds and without loading the machine for anyone else's measurements.
"""

import argparse
import gzip
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import MEMBER_EMAIL, PASSWORD, database_url  # noqa: E402

HOST = "127.0.0.1"
SHARE_BUDGETS = {"thread": 0.08, "association": 0.15, "home": 0.15}  # of the /healthz ceiling
RSS_BUDGET_MB = 60
GZIP_BUDGET_KB = 50
# Sync workers, as the README's production command runs them: one request at a time per process, no GIL shared
# between requests, so two workers use both cores fully and a worker's memory is that of one request. They close
# the connection after each response; the clients reconnect, as nginx does in front of them. `--worker-class gthread`
# compares (4 threads a worker, keep-alive).
WORKER_CLASS = "sync"


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    cpu: float = 0.0  # seconds of CPU the workers spent meanwhile

    @property
    def cpu_ms(self) -> float:
        """Worker CPU per request: steadier than requests/s when something else shares the machine."""
        return self.cpu * 1000 / len(self.latencies) if self.latencies else 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100)[p - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def get(port: int, path: str, cookie: str = "", method: str = "GET", body: str | None = None, headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        all_headers = {"Cookie": cookie} if cookie else {}
        all_headers.update(headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def start_server(database: str, port: int, workers: int, log_path: Path, worker_class: str) -> subprocess.Popen:
    """gunicorn as the README's production command runs it: gunicorn.conf.py, PYTHONOPTIMIZE=2."""
    env = dict(os.environ, DATABASE_URL=database, SECRET_KEY="bench-load-secret", RATELIMIT_ENABLED="false",
               VMK_ENV="production", PYTHONOPTIMIZE="2")  # fmt: skip
    write_optimized_bytecode(env)
    threads = ["--threads", "4"] if worker_class == "gthread" else []
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
               "--workers", str(workers), "--worker-class", worker_class, *threads, "--bind", f"{HOST}:{port}",
               "--timeout", "60", "wsgi:app"]  # fmt: skip
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    with open(log_path, "wb") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def write_optimized_bytecode(env: dict) -> None:
    """The `.opt-2.pyc` files that PYTHONOPTIMIZE=2 imports, written by importing the app once (up to date after the
    first run): without them gunicorn would compile every module from source at start."""
    preload = "import wsgi, gunicorn.app.wsgiapp, gunicorn.arbiter, gunicorn.workers.sync, gunicorn.glogging"
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", preload], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def wait_until_up(server: subprocess.Popen, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited while starting")
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # the master stops its workers
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def log_in(port: int) -> str:
    """Sign the member in through the real form (CSRF token from the page); returns the Cookie header to reuse."""
    status, headers, body = get(port, "/login")
    cookie = _cookies(headers)
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', body
    )
    if status != 200 or match is None:
        raise RuntimeError(f"/login: status {status}, no CSRF token")
    form = f"csrf_token={match.group(1).decode()}&email={MEMBER_EMAIL}&password={PASSWORD}"
    status, headers, _ = get(port, "/login", cookie, "POST", form.replace("@", "%40"),
                             {"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    if status != 302:
        raise RuntimeError(f"login as {MEMBER_EMAIL} answered {status}, not a redirect")
    return _cookies(headers) or cookie


def _cookies(headers) -> str:
    return "; ".join(v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie")


def workers_cpu(master_pid: int) -> float:
    """User + system CPU seconds of the workers so far, from /proc/<pid>/stat."""
    total = 0
    for pid in worker_pids(master_pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def drive(port: int, path: str, cookie: str, clients: int, seconds: float, master_pid: int = 0) -> Result:
    """`clients` threads request `path` in a loop for `seconds`, each on its own keep-alive connection."""
    result, lock = Result(), threading.Lock()
    headers = {"Cookie": cookie} if cookie else {}
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        latencies, errors = [], 0
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()  # sync workers close; the next request reconnects
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            if ok:
                latencies.append((time.perf_counter() - start) * 1000)
            else:
                errors += 1
        connection.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    cpu_before = workers_cpu(master_pid) if master_pid else 0.0
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.monotonic() - started
    result.cpu = workers_cpu(master_pid) - cpu_before if master_pid else 0.0
    return result


def worker_pids(master_pid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid):
            pids.append(int(entry.name))
    return sorted(pids)


def memory_mb(pid: int) -> dict[str, float]:
    """Rss (the budget), and Pss/Private (its share of pages shared with the master and the other worker)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return {}
    fields = {line.split(":")[0]: int(line.split()[1]) for line in text.splitlines()[1:] if line.endswith("kB")}
    return {"rss": fields["Rss"] / 1024, "pss": fields["Pss"] / 1024,
            "private": (fields["Private_Clean"] + fields["Private_Dirty"]) / 1024}  # fmt: skip


def worker_memory(master_pid: int) -> list[dict[str, float]]:
    return [m for m in (memory_mb(pid) for pid in worker_pids(master_pid)) if m]


def _memory_line(memory: list[dict[str, float]]) -> str:
    return "; ".join(f"RSS {m['rss']:.1f} (PSS {m['pss']:.1f}, private {m['private']:.1f})" for m in memory)


def page_weight(port: int, path: str, cookie: str) -> tuple[int, list[tuple[str, int]]]:
    """Gzip sizes (level 6, as a web server would send them) of the page and of the CSS and JS it links."""
    _, _, body = get(port, path, cookie)
    sizes = [(path, len(gzip.compress(body, 6)))]
    html = body.decode("utf-8", "replace")
    assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    assets += re.findall(r'<link[^>]+href="([^"]+)"[^>]+rel="stylesheet"', html)
    assets += re.findall(r'<script[^>]+src="([^"]+)"', html)
    for asset in dict.fromkeys(unescape(a) for a in assets):
        status, _, content = get(port, asset)
        if status == 200:
            sizes.append((asset, len(gzip.compress(content, 6))))
    return sum(size for _, size in sizes), sizes


def pick_targets(database: str) -> dict[str, str]:
    """A public association's page and a thread of it with at least 20 visible posts (a full first page)."""
    engine = sa.create_engine(database)
    try:
        with engine.connect() as connection:
            row = connection.execute(sa.text(
                "SELECT t.id, a.slug FROM threads t JOIN associations a ON a.id = t.association_id "
                "WHERE a.visibility = 'public' AND t.deleted_at IS NULL AND t.hidden_at IS NULL "
                "AND t.reply_count >= 30 ORDER BY t.id LIMIT 1"
            )).one()  # fmt: skip
    finally:
        engine.dispose()
    return {"thread": f"/threads/{row.id}", "association": f"/associations/{row.slug}/", "home": "/"}


HEADER = f"  {'page':12} {'path':28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6} {'cpu ms':>7}  share"


def report(name: str, path: str, result: Result, ceiling: Result | None) -> float:
    share = result.rps / ceiling.rps if ceiling and ceiling.rps else 1.0
    budget = SHARE_BUDGETS.get(name)
    verdict = ""
    if budget is not None and ceiling is not None:
        by_cpu = ceiling.cpu_ms / result.cpu_ms if result.cpu_ms else 0.0
        verdict = f"{share:6.1%} (≥ {budget:.0%}) {'ok' if share >= budget else 'MISSED'}; by CPU {by_cpu:.1%}"
    print(f"  {name:12} {path:28} {result.rps:8.1f} {result.percentile(50):8.1f} {result.percentile(95):8.1f} "
          f"{result.errors:6} {result.cpu_ms:7.2f}  {verdict}")  # fmt: skip
    return share


def memory_only(port: int, master_pid: int, targets: dict[str, str], requests: int) -> list[str]:
    """`--memory-only`: each page `requests` times as a visitor and as the member, one at a time and untimed, then the
    workers' memory. Seconds instead of the timed run's minute and a half, and it does not load the machine."""
    cookie = log_in(port)
    idle = worker_memory(master_pid)
    for who in ("", cookie):
        for path in [*targets.values(), "/healthz"]:
            for _ in range(requests):
                status = get(port, path, who)[0]
                if status != 200:
                    return [f"{path} answered {status}"]
    after = worker_memory(master_pid)
    print(f"workers' memory, MB, after start: {_memory_line(idle)}")
    print(f"workers' memory, MB, after {requests} requests a page: {_memory_line(after)} "
          f"(budget: RSS ≤ {RSS_BUDGET_MB} MB)")  # fmt: skip
    rss = max((m["rss"] for m in after), default=0)
    return [f"worker RSS {rss:.1f} MB (budget ≤ {RSS_BUDGET_MB} MB)"] if not after or rss > RSS_BUDGET_MB else []


def run(args) -> list[str]:
    database = database_url(args.database)
    targets = pick_targets(database)
    port = free_port()
    log_path = Path(tempfile.gettempdir()) / f"vmk-bench-gunicorn-{port}.log"
    server = start_server(database, port, args.workers, log_path, args.worker_class)
    failures = []
    try:
        wait_until_up(server, port)
        if args.memory_only:
            failures = memory_only(port, server.pid, targets, args.memory_only)
            log_path.unlink(missing_ok=True)
            return failures
        cookie = log_in(port)
        idle = worker_memory(server.pid)
        print(f"gunicorn {args.workers} {args.worker_class} workers on {HOST}:{port}, {db_name(database)}; "
              f"{args.clients} clients, {args.seconds:g} s per page; {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.2f} before the run (anything else running skews the numbers)")  # fmt: skip
        for path in [*targets.values(), "/healthz"]:
            drive(port, path, "", args.clients, min(1.0, args.seconds))  # warm-up: imports, caches, connections
        # The ceiling is measured without a cookie, as a load balancer calls it: with one, the signed-in user is
        # loaded from the database before any view runs, and the endpoint would no longer be trivial.
        print(HEADER)
        ceiling = drive(port, "/healthz", "", args.clients, args.seconds, server.pid)
        report("ceiling", "/healthz", ceiling, None)
        for label, who in (("visitor", ""), ("member", cookie)):
            print(f"{label}:")
            for name, path in targets.items():
                result = drive(port, path, who, args.clients, args.seconds, server.pid)
                share = report(name, path, result, ceiling)
                if result.errors or not result.latencies:
                    failures.append(f"{label} {path}: {result.errors} failed requests")
                if share < SHARE_BUDGETS[name]:
                    failures.append(f"{label} {name} page at {share:.1%} of the ceiling (budget ≥ "
                                    f"{SHARE_BUDGETS[name]:.0%})")  # fmt: skip
        after = worker_memory(server.pid)
        rss = [m["rss"] for m in after]
        print(f"workers' memory, MB, after start: {_memory_line(idle)}")
        print(f"workers' memory, MB, after the run: {_memory_line(after)} (budget: RSS ≤ {RSS_BUDGET_MB} MB)")
        if not rss or max(rss) > RSS_BUDGET_MB:
            failures.append(f"worker RSS {max(rss, default=0):.1f} MB (budget ≤ {RSS_BUDGET_MB} MB)")
        posts = len(re.findall(rb'id="post-\d+"', get(port, targets["thread"])[2]))
        print(f"thread page {targets['thread']}: {posts} posts shown")
        if posts != 20:
            failures.append(f"the thread page shows {posts} posts, not 20: not the page the budget is about")
        total, parts = page_weight(port, targets["thread"], cookie)
        detail = ", ".join(f"{path} {size / 1024:.1f}" for path, size in parts)
        print(f"thread page gzip with CSS and JS: {total / 1024:.1f} KB ({detail}) (budget ≤ {GZIP_BUDGET_KB} KB)")
        if total > GZIP_BUDGET_KB * 1024:
            failures.append(f"thread page weighs {total / 1024:.1f} KB gzipped (budget ≤ {GZIP_BUDGET_KB} KB)")
    except Exception:
        print(f"gunicorn log: {log_path}", file=sys.stderr)
        raise
    else:
        log_path.unlink(missing_ok=True)
    finally:
        stop_server(server)
    return failures


def db_name(url: str) -> str:
    return sa.engine.make_url(url).get_backend_name()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", nargs="?", help="SQLite file path or SQLAlchemy URL (else BENCH_DATABASE_URL)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measuring time per page (at most 60)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (at most 32)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default=WORKER_CLASS)
    parser.add_argument("--memory-only", type=int, nargs="?", const=50, default=0, metavar="N",
                        help="untimed: each page N times (50) as visitor and member, then memory")  # fmt: skip
    args = parser.parse_args(argv)
    args.seconds = min(max(args.seconds, 1.0), 60.0)
    args.clients = min(max(args.clients, 1), 32)
    # A plain `kill` of this script must still stop gunicorn: turn SIGTERM into SystemExit, so `finally` runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    failures = run(args)
    for failure in failures:
        print(f"BUDGET MISSED: {failure}")
    print("all budgets met" if not failures else f"{len(failures)} budget(s) missed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
