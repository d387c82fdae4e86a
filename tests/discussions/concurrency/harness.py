"""Release several workers at once, each in its own app context, session and connection."""

import threading

from app.extensions import db


def run_at_once(live_app, jobs, *, commit: bool = False) -> list:
    """Run each job in its own OS thread and app context (own session, own connection), all released together;
    returns what each raised (or None). With `commit`, each job's session is committed after it."""
    start = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index: int) -> None:
        with live_app.app_context():
            try:
                start.wait(timeout=10)
                jobs[index]()
                if commit:
                    db.session.commit()
            except Exception as error:  # reported to the test, which decides whether it was expected
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    workers = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not any(worker.is_alive() for worker in workers), "a worker is stuck (deadlock?)"
    return outcomes
