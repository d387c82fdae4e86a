"""Notifications: in-app (the bell, /notifications), e-mail (immediate, grouped; the daily digest), preferences and
one-click unsubscribe. Knows nothing of the features that notify: they call `services.notify*`, register target
resolvers (`inbox.TARGET_RESOLVERS`) and digest sections (`digest.DIGEST_SECTIONS`)."""


def init_app(app) -> None:
    from app.mail.models import OutboxKind
    from app.mail.outbox import RENDERERS
    from app.mail.worker import register_job
    from app.notifications import digest, emails, upkeep

    RENDERERS[OutboxKind.NOTICES] = emails.render_notices
    register_job("notifications-sweep", upkeep.SWEEP_SECONDS, upkeep.sweep)
    register_job("notifications-digest", digest.DIGEST_CHECK_SECONDS, digest.queue_due_digests)
    register_job("notifications-prune", upkeep.PRUNE_SECONDS, upkeep.prune)
