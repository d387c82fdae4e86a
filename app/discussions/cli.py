"""`flask posts rerender`: rebuild every stored HTML from its Markdown source (after the allow-list or the Markdown
rules change). Works in batches by id, committing each, so a large district neither holds one long transaction nor
loads every post at once."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.associations.models import Association
from app.discussions.models import Post, Thread
from app.discussions.services import render_post_body
from app.extensions import db
from app.markup import render_markdown

BATCH = 500

posts_cli = click.Group("posts", help="Discussion posts.")


def rerender_posts(batch: int = BATCH) -> tuple[int, int]:
    """Re-render every post's body_html; returns (changed, seen)."""
    changed = seen = 0
    last_id = 0
    while True:
        rows = db.session.execute(
            sa.select(Post.id, Post.body, Post.body_html, Thread.association_id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Post.id > last_id)
            .order_by(Post.id)
            .limit(batch)
        ).all()
        if not rows:
            return changed, seen
        for row in rows:
            html, _mentioned = render_post_body(row.association_id, row.body)
            if html != row.body_html:
                db.session.execute(sa.update(Post).where(Post.id == row.id).values(body_html=html))
                changed += 1
        seen += len(rows)
        last_id = rows[-1].id
        db.session.commit()


def rerender_associations(batch: int = BATCH) -> tuple[int, int]:
    """Re-render every association's description_html; returns (changed, seen)."""
    changed = seen = 0
    last_id = 0
    while True:
        rows = db.session.execute(
            sa.select(Association.id, Association.description, Association.description_html)
            .where(Association.id > last_id)
            .order_by(Association.id)
            .limit(batch)
        ).all()
        if not rows:
            return changed, seen
        for row in rows:
            html = render_markdown(row.description or "")
            if html != row.description_html:
                db.session.execute(sa.update(Association).where(Association.id == row.id).values(description_html=html))
                changed += 1
        seen += len(rows)
        last_id = rows[-1].id
        db.session.commit()


@posts_cli.command("rerender")
@click.option("--batch", default=BATCH, show_default=True, help="Rows per transaction.")
@with_appcontext
def rerender_command(batch: int) -> None:
    """Rebuild the HTML of every post and association description from its Markdown source."""
    posts, post_total = rerender_posts(batch)
    descriptions, description_total = rerender_associations(batch)
    click.echo(f"Posts: {posts} of {post_total} re-rendered.")
    click.echo(f"Association descriptions: {descriptions} of {description_total} re-rendered.")
