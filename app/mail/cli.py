"""`flask mail …`: the worker, one round of it, the digest, bounces reported out of band, the queue's state."""

import click
from flask import current_app
from flask.cli import with_appcontext

mail_cli = click.Group("mail", help="E-mail: the outbox worker, digests, bounces.")


@mail_cli.command("worker")
@click.option("--once", is_flag=True, help="One round (jobs that are due, then the due e-mail), then exit.")
@click.option("--interval", type=float, default=None, help="Seconds between rounds (default MAIL_WORKER_INTERVAL).")
@with_appcontext
def worker_command(once: bool, interval: float | None) -> None:
    """Send queued e-mail and run the periodic jobs (digests, reminders), until stopped."""
    from app.mail import worker

    app = current_app._get_current_object()
    if once:
        with worker.in_worker_context(app):
            click.echo(str(worker.run_once()))
        return
    worker.run_forever(app, interval or worker.current_interval())


@mail_cli.command("digest")
@with_appcontext
def digest_command() -> None:
    """Write the daily digests that are due now (the worker does this on schedule)."""
    from app.extensions import db
    from app.mail import worker
    from app.notifications.digest import queue_due_digests

    with worker.in_worker_context(current_app._get_current_object()):
        count = queue_due_digests()
        db.session.commit()
    click.echo(f"Digests queued: {count}.")


@mail_cli.command("bounce")
@click.argument("email")
@click.option("--reason", default="адрес не существует (сообщение почтового сервера)", help="Shown to the user.")
@with_appcontext
def bounce_command(email: str, reason: str) -> None:
    """Mark an address as bouncing (from a bounce report that came back by mail): it gets no more notices."""
    from app.auth.services import mark_email_bounced
    from app.extensions import db

    if not mark_email_bounced(email, reason):
        raise click.ClickException(f"No account with the address {email}.")
    db.session.commit()
    click.echo(f"{email}: no more notices until the user fixes the address.")


@mail_cli.command("status")
@with_appcontext
def status_command() -> None:
    """How many messages are queued, being sent, sent and failed."""
    from app.mail.queries import queue_counts

    for status, count in queue_counts().items():
        click.echo(f"{status}: {count}")
