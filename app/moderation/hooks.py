"""Where moderation plugs into discussions (which imports nothing of it): each task registers its hooks here."""


def init_app(app) -> None:
    """Register moderation's hooks in discussions' hook lists (idempotent: create_app may run many times)."""
    from app.discussions import post_cards
    from app.moderation import post_hooks
    from app.moderation.reports import REPORT_LINKS

    if REPORT_LINKS not in post_cards.POST_MARK_SOURCES:  # «Пожаловаться» on the posts a reader may report
        post_cards.POST_MARK_SOURCES.append(REPORT_LINKS)
    post_hooks.init_app(app)  # hide / show again on posts, moderators' edits logged, the inbox's links
    from app.discussions import services as discussions
    from app.moderation.premoderation import holds

    if holds not in discussions.HOLD_CHECKS:  # pre-moderation: a new member's first posts wait for approval
        discussions.HOLD_CHECKS.append(holds)
    from app.moderation.leader_notices import held

    if held not in discussions.HELD_HOOKS:  # the leaders hear of each post waiting for their approval
        discussions.HELD_HOOKS.append(held)
    from app.discussions.services import REPLY_CHECKS
    from app.moderation.thread_forms import SLOW_MODE_CHOICES
    from app.moderation.threads import check_slow_mode

    if check_slow_mode not in REPLY_CHECKS:  # slow mode: a member's replies at most one per N seconds
        REPLY_CHECKS.append(check_slow_mode)
    app.jinja_env.globals["slow_mode_choices"] = SLOW_MODE_CHOICES  # the thread page's «Модерация» block
