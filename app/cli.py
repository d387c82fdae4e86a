"""Command-line interface: `flask seed-demo`, `flask user create`, `flask mail …`. Commands call the same services
as the views."""

import click
from flask.cli import with_appcontext


def init_app(app) -> None:
    from app.auth.cli import user_cli
    from app.discussions.cli import posts_cli
    from app.mail.cli import mail_cli

    app.cli.add_command(mail_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(posts_cli)
    app.cli.add_command(seed_demo_command)


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo district (idempotent: running it twice changes nothing)."""
    from app.demo import seed_demo
    from app.extensions import db

    created = seed_demo()
    db.session.commit()
    click.echo(f"Demo district: {created} new records." if created else "Demo district already present.")
