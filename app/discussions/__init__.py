"""Discussions: threads and posts in every association."""


def init_app(app) -> None:
    """Jinja helpers the association page uses without importing discussions (associations know nothing of it);
    the notifications discussions send (`notices`)."""
    from app.discussions import digest, notices, post_cards, queries
    from app.discussions.models import ThreadKind

    app.jinja_env.globals["association_threads"] = queries.association_threads
    app.jinja_env.globals["thread_kinds"] = list(ThreadKind)
    app.jinja_env.globals["post_card"] = post_cards.post_card
    app.jinja_env.globals["render_posts"] = post_cards.render_posts
    notices.init_app(app)  # who hears of new threads, replies, mentions and «Полезно»
    digest.init_app(app)  # the new threads in the daily digest
