"""Notifications by e-mail: the mail outbox, per-category preferences, grouped and mailed notifications, the bell's
count, e-mail pause, bounce state and digest times on users.

Revision ID: d4f6a8c0e2b5
Revises: c2e4a6b8d0f3
Create Date: 2026-11-26 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d4f6a8c0e2b5"
down_revision = "c2e4a6b8d0f3"
branch_labels = None
depends_on = None

_WAITING = "email_state IN ('pending', 'digest')"
_NOTICES = "kind = 'notices' AND status = 'queued'"


def upgrade():
    # Plain ADD COLUMN on both databases (no batch copy, so the change-stamp triggers on users stay).
    op.add_column("users", sa.Column("unread_notifications", sa.Integer(), server_default="0", nullable=False))
    op.add_column("users", sa.Column("email_paused", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("users", sa.Column("email_bounced_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "users", sa.Column("email_bounce_reason", sa.String(length=500), server_default=sa.text("''"), nullable=False)
    )
    op.add_column("users", sa.Column("digest_hour", sa.SmallInteger(), nullable=True))
    op.add_column("users", sa.Column("last_digest_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("notifications", sa.Column("count", sa.Integer(), server_default="1", nullable=False))
    op.add_column("notifications", sa.Column("email_state", sa.String(length=8), nullable=True))
    op.create_index("ix_notifications_email_waiting", "notifications", ["email_state", "user_id"],
                    sqlite_where=sa.text(_WAITING), postgresql_where=sa.text(_WAITING))  # fmt: skip
    # The bell counts what was unread before this revision.
    op.execute(
        "UPDATE users SET unread_notifications = (SELECT count(*) FROM notifications "
        "WHERE notifications.user_id = users.id AND notifications.read_at IS NULL)"
    )
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "category", name=op.f("pk_notification_preferences")),
    )  # fmt: skip
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("send_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_mail_outbox_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )  # fmt: skip
    op.create_index("ix_mail_outbox_due", "mail_outbox", ["status", "send_after"])
    op.create_table(
        "mail_worker_jobs",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_mail_worker_jobs")),
    )
    op.create_index("uq_mail_outbox_waiting_notices", "mail_outbox", ["user_id"], unique=True,
                    sqlite_where=sa.text(_NOTICES), postgresql_where=sa.text(_NOTICES))  # fmt: skip


def downgrade():
    op.drop_table("mail_worker_jobs")
    op.drop_index("uq_mail_outbox_waiting_notices", table_name="mail_outbox")
    op.drop_index("ix_mail_outbox_due", table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_table("notification_preferences")
    op.drop_index("ix_notifications_email_waiting", table_name="notifications")
    op.drop_column("notifications", "email_state")
    op.drop_column("notifications", "count")
    for column in ("last_digest_at", "digest_hour", "email_bounce_reason", "email_bounced_at", "email_paused",
                   "unread_notifications"):  # fmt: skip
        op.drop_column("users", column)
