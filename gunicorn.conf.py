"""gunicorn settings for ВМК, used by the production command in the README and by bench/load.py:

    PYTHONOPTIMIZE=2 .venv/bin/gunicorn --config gunicorn.conf.py --workers 4 --bind 127.0.0.1:8000 wsgi:app

The command line gives what differs between hosts (workers, bind address, logs); this file gives how workers share
memory (issue 3: RSS ≤ 60 MB a worker; bench/README.md, "Worker memory", has the measurements).

- `preload_app`: the master imports the app once and forks the workers from it, so the code, the models and all
  that is built at start sit in pages the workers share with the master and with each other (copy-on-write) instead
  of each worker importing its own copy: a worker's own (private) memory after serving drops from ~61 to ~40 MB, and
  its RSS by 3–5 MB. New code therefore needs a restart of the master (`systemctl restart …`): `kill -HUP` forks new
  workers from the code the master already holds.
- `gc.freeze()` before each fork: the collector then never scans, and so never writes to, the objects the workers
  inherit, which would copy the shared pages one by one (Python's recipe for fork without exec).
- No database connection crosses the fork: the app opens none at start, and each worker drops the pool it inherited
  (`post_fork`), so that two processes can never share one.
- PYTHONOPTIMIZE=2 (in the command, not here: it must be set before Python starts) leaves docstrings and asserts out
  of memory: ~4 MB a worker. The app relies on neither.
"""

import gc
import sys

preload_app = True


def on_starting(server) -> None:
    if sys.flags.optimize < 2:
        server.log.warning("PYTHONOPTIMIZE=2 is not set: each worker holds ~4 MB more (README, Production)")


def pre_fork(server, worker) -> None:
    gc.freeze()


def post_fork(server, worker) -> None:
    from app.extensions import db

    with server.app.wsgi().app_context():
        db.engine.dispose(close=False)  # connections made before the fork stay the master's
