"""Where moderation plugs into discussions (which imports nothing of it): each task registers its hooks here."""


def init_app(app) -> None:
    """Register moderation's hooks in discussions' hook lists (idempotent: create_app may run many times)."""
