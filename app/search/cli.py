"""`flask search reindex`: rebuild the search index from every post, in batches, committing each."""

import time

import click
from flask.cli import with_appcontext

from app.extensions import db

search_cli = click.Group("search", help="Full-text search.")


@search_cli.command("reindex")
@click.option("--batch", default=2000, show_default=True, help="Posts per batch (one commit each).")
@with_appcontext
def reindex_command(batch: int) -> None:
    """Empty the index and index every post again."""
    from app.search.indexing import reindex_all

    started = time.monotonic()
    done = reindex_all(db.session, batch=batch, progress=lambda n: click.echo(f"{n} posts…", err=True))
    click.echo(f"Indexed {done} posts in {time.monotonic() - started:.1f} s.")
