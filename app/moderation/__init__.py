"""Moderation by association leaders and admins: thread and post actions, reports, muting and bans, pre-moderation,
slow mode, and the moderation log. Nothing a user wrote is destroyed: hidden content stays for moderators."""
