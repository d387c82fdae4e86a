"""`flask posts rerender` rebuilds stored HTML from the Markdown source, in batches, and says how much changed."""

import sqlalchemy as sa

from app.associations.models import Association
from app.discussions.models import Post
from app.extensions import db
from app.markup import render_markdown
from tests.discussions.editing_helpers import make_world
from tests.factories import make_association, make_post


def _corrupt(post_ids, association_id):
    db.session.execute(
        sa.update(Post).where(Post.id.in_(post_ids)).values(body_html='<p onclick="x()">старый HTML</p>')
    )
    db.session.execute(
        sa.update(Association)
        .where(Association.id == association_id)
        .values(description_html="<script>evil()</script>")
    )
    db.session.flush()


def test_rerender_rebuilds_corrupted_html(app):
    w = make_world()
    mention = make_post(w.thread, w.other, body=f"Спросите @[{w.author.full_name}], **важно**.")
    described = make_association(description="Районное МО: *план* на год.")
    good_html = mention.body_html
    assert "/users/" in good_html
    _corrupt([w.reply.id, mention.id], described.id)

    result = app.test_cli_runner().invoke(args=["posts", "rerender", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "Posts: 2 of" in result.output
    assert "Association descriptions: 1 of" in result.output

    db.session.expire_all()
    assert db.session.get(Post, w.reply.id).body_html == render_markdown("Первый вариант ответа про дроби.")
    assert db.session.get(Post, mention.id).body_html == good_html  # mentions linked again
    assert db.session.get(Association, described.id).description_html == render_markdown("Районное МО: *план* на год.")


def test_rerender_with_nothing_to_change(app):
    make_world()
    result = app.test_cli_runner().invoke(args=["posts", "rerender"])
    assert result.exit_code == 0, result.output
    assert "Posts: 0 of" in result.output and "Association descriptions: 0 of" in result.output
