"""Moderation and notifications: reports, the moderation log, in-app notifications; mute and ban on memberships,
pre-moderation on associations, lock reason, slow mode, merge target and held state on threads, held state on posts.

Revision ID: c2e4a6b8d0f3
Revises: b9d1f3a5c7e9
Create Date: 2026-11-26 07:00:00
"""

import sqlalchemy as sa
from alembic import op

from app.stamps import create_triggers, drop_triggers

revision = "c2e4a6b8d0f3"
down_revision = "b9d1f3a5c7e9"
branch_labels = None
depends_on = None

_REASON = sa.Enum("spam", "insult", "off_topic", "pupils_data", "other", name="reportreason", native_enum=False,
                  create_constraint=False, length=20)  # fmt: skip
_OUTCOME = sa.Enum("dismissed", "hidden", "hidden_muted", name="reportoutcome", native_enum=False,
                   create_constraint=False, length=20)  # fmt: skip
_KIND = sa.Enum(
    "thread_pinned", "thread_unpinned", "thread_locked", "thread_unlocked", "thread_hidden", "thread_unhidden",
    "thread_moved", "thread_merged", "thread_split", "slow_mode", "post_hidden", "post_unhidden", "post_edited",
    "post_restored", "post_approved", "post_rejected", "member_muted", "member_unmuted", "member_removed",
    "member_banned", "member_unbanned", "report_dismissed", "report_upheld", "auto_hidden", "premoderation",
    "user_suspended", name="moderationkind", native_enum=False, create_constraint=False, length=30,
)  # fmt: skip
_EMPTY = sa.text("''")


def upgrade():
    # Plain ADD COLUMN on both databases (no batch copy, so the change-stamp triggers on these tables stay).
    op.add_column("associations", sa.Column("premoderation_posts", sa.Integer(), server_default="0", nullable=False))
    op.add_column("memberships", sa.Column("muted_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("memberships", sa.Column("mute_reason", sa.String(length=500), server_default=_EMPTY, nullable=False))
    op.add_column("memberships", sa.Column("ban_reason", sa.String(length=500), server_default=_EMPTY, nullable=False))
    op.add_column("threads", sa.Column("lock_reason", sa.String(length=500), server_default=_EMPTY, nullable=False))
    op.add_column("threads", sa.Column("slow_mode_seconds", sa.Integer(), server_default="0", nullable=False))
    op.add_column("threads", sa.Column("merged_into_id", sa.Integer(), nullable=True))
    op.add_column("threads", sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("posts", sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_posts_held", "posts", ["held_at"], sqlite_where=sa.text("held_at IS NOT NULL"),
                    postgresql_where=sa.text("held_at IS NOT NULL"))  # fmt: skip
    # SQLite adds a constraint by copying the table (batch), which fails while other tables' triggers name it and
    # loses the table's own: every trigger is dropped first and made again after.
    drop_triggers(op.get_bind())
    with op.batch_alter_table("threads") as batch:
        batch.create_foreign_key(op.f("fk_threads_merged_into_id_threads"), "threads", ["merged_into_id"], ["id"],
                                 ondelete="SET NULL")  # fmt: skip
    create_triggers(op.get_bind())
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reason", _REASON, nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", _OUTCOME, nullable=True),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_reports_post_id_posts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["association_id"], ["associations.id"],
                                name=op.f("fk_reports_association_id_associations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reporter_id"], ["users.id"], name=op.f("fk_reports_reporter_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["resolved_by_id"], ["users.id"], name=op.f("fk_reports_resolved_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("post_id", "reporter_id", name="uq_reports_post_reporter"),
    )  # fmt: skip
    op.create_index(op.f("ix_reports_post_id"), "reports", ["post_id"])
    op.create_index("ix_reports_association_open", "reports", ["association_id", "resolved_at", "created_at"])
    op.create_table(
        "moderation_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", _KIND, nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("details", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["association_id"], ["associations.id"],
                                name=op.f("fk_moderation_actions_association_id_associations"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_moderation_actions_actor_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_moderation_actions_thread_id_threads"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_moderation_actions_post_id_posts"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_moderation_actions_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_actions")),
    )  # fmt: skip
    op.create_index("ix_moderation_actions_association", "moderation_actions", ["association_id", "created_at"])
    op.create_index(op.f("ix_moderation_actions_created_at"), "moderation_actions", ["created_at"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_notifications_actor_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["association_id"], ["associations.id"],
                                name=op.f("fk_notifications_association_id_associations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_notifications_thread_id_threads"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_notifications_post_id_posts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )  # fmt: skip
    op.create_index("ix_notifications_user_created", "notifications", ["user_id", "created_at"])


def downgrade():
    op.drop_index("ix_notifications_user_created", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_moderation_actions_created_at"), table_name="moderation_actions")
    op.drop_index("ix_moderation_actions_association", table_name="moderation_actions")
    op.drop_table("moderation_actions")
    op.drop_index("ix_reports_association_open", table_name="reports")
    op.drop_index(op.f("ix_reports_post_id"), table_name="reports")
    op.drop_table("reports")
    # SQLite's batch copy of a table fails while other tables' triggers name it: drop them all, make them again.
    drop_triggers(op.get_bind())
    op.drop_index("ix_posts_held", table_name="posts")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("held_at")
    with op.batch_alter_table("threads") as batch:
        batch.drop_constraint(op.f("fk_threads_merged_into_id_threads"), type_="foreignkey")
        for column in ("held_at", "merged_into_id", "slow_mode_seconds", "lock_reason"):
            batch.drop_column(column)
    with op.batch_alter_table("memberships") as batch:
        for column in ("ban_reason", "mute_reason", "muted_until"):
            batch.drop_column(column)
    with op.batch_alter_table("associations") as batch:
        batch.drop_column("premoderation_posts")
    create_triggers(op.get_bind())
