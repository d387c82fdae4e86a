"""E-mail through a transactional outbox: a message is a row written in the transaction of the action that caused
it; the worker (`flask mail worker`) sends it, retries temporary failures and never sends a row twice."""

PRUNE_SECONDS = 3600


def init_app(app) -> None:
    from app.mail import outbox, worker

    worker.register_job("mail-prune", PRUNE_SECONDS, outbox.prune_sent)
