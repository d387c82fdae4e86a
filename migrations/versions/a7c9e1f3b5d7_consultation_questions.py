"""Consultations: questions (status, subject and level, assignee, accepted answer) and their history.

Revision ID: a7c9e1f3b5d7
Revises: f4b6d8e0a2c3
Create Date: 2026-11-26 04:00:00
"""

import sqlalchemy as sa
from alembic import op

from app.stamps import create_triggers, drop_triggers

revision = "a7c9e1f3b5d7"
down_revision = "f4b6d8e0a2c3"
branch_labels = None
depends_on = None

TABLES = ("questions", "question_events")  # their changes raise their thread's change stamp (app/stamps.py)
_STATUS = sa.Enum("new", "in_progress", "answered", "resolved", "closed", name="questionstatus", native_enum=False,
                  create_constraint=False, length=20)  # fmt: skip
_LEVEL = sa.Enum("preschool", "primary", "basic", "secondary", name="educationlevel", native_enum=False,
                 create_constraint=False, length=20)  # fmt: skip
_EVENT = sa.Enum("asked", "taken", "assigned", "released", "answered", "reopened", "accepted", "unaccepted",
                 "closed_resolved", "closed_duplicate", "closed_not_a_question", name="questioneventkind",
                 native_enum=False, create_constraint=False, length=30)  # fmt: skip


def upgrade():
    op.create_table(
        "questions",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("status", _STATUS, nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("level", _LEVEL, nullable=True),
        sa.Column("grade", sa.String(length=40), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("accepted_post_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_answer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_questions_thread_id_threads"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_questions_subject_id_subjects"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_questions_assignee_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["accepted_post_id"], ["posts.id"], name=op.f("fk_questions_accepted_post_id_posts"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["duplicate_of_id"], ["threads.id"], name=op.f("fk_questions_duplicate_of_id_threads"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("thread_id", name=op.f("pk_questions")),
    )  # fmt: skip
    op.create_index("ix_questions_status_asked", "questions", ["status", "asked_at"])
    op.create_index(op.f("ix_questions_subject_id"), "questions", ["subject_id"])
    op.create_index(op.f("ix_questions_assignee_id"), "questions", ["assignee_id"])
    op.create_table(
        "question_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("kind", _EVENT, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("target_user_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("status", _STATUS, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_question_events_thread_id_threads"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_question_events_actor_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["target_user_id"], ["users.id"],
                                name=op.f("fk_question_events_target_user_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_question_events_post_id_posts"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_events")),
    )  # fmt: skip
    op.create_index(op.f("ix_question_events_thread_id"), "question_events", ["thread_id"])
    create_triggers(op.get_bind(), TABLES)


def downgrade():
    drop_triggers(op.get_bind(), TABLES)
    op.drop_index(op.f("ix_question_events_thread_id"), table_name="question_events")
    op.drop_table("question_events")
    op.drop_index(op.f("ix_questions_assignee_id"), table_name="questions")
    op.drop_index(op.f("ix_questions_subject_id"), table_name="questions")
    op.drop_index("ix_questions_status_asked", table_name="questions")
    op.drop_table("questions")
