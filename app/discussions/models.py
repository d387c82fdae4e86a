"""Discussions: threads in an association, posts and their revisions, tags, reactions, bookmarks, read state,
watching, mentions, attachments and drafts."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.associations.models import Association
from app.auth.models import User
from app.db import UTCDateTime, enum_column, first_version, fold_for_search, utcnow
from app.extensions import db


class ThreadKind(enum.StrEnum):
    DISCUSSION = "discussion"
    QUESTION = "question"
    EXPERIENCE = "experience"
    LINK = "link"
    ANNOUNCEMENT = "announcement"

    @property
    def label(self) -> str:
        return str(_THREAD_KIND_LABELS[self])


_THREAD_KIND_LABELS = {
    ThreadKind.DISCUSSION: _l("обсуждение"),
    ThreadKind.QUESTION: _l("вопрос"),
    ThreadKind.EXPERIENCE: _l("опыт"),
    ThreadKind.LINK: _l("ссылка"),
    ThreadKind.ANNOUNCEMENT: _l("объявление"),
}


class WatchLevel(enum.StrEnum):
    WATCHING = "watching"  # notified of every post
    TRACKING = "tracking"  # unread counts shown; notified when addressed
    NORMAL = "normal"
    MUTED = "muted"

    @property
    def label(self) -> str:
        labels = {
            WatchLevel.WATCHING: _l("следить"),
            WatchLevel.TRACKING: _l("отслеживать"),
            WatchLevel.NORMAL: _l("обычный"),
            WatchLevel.MUTED: _l("без уведомлений"),
        }
        return str(labels[self])


thread_tags = sa.Table(
    "thread_tags",
    db.metadata,
    sa.Column("thread_id", sa.ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)  # folded: lower case, ё→е, single spaces


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (
        sa.Index("ix_threads_association_activity", "association_id", "last_posted_at"),
        # The district's latest threads (visitors' home page), walked newest first instead of sorting them all.
        sa.Index("ix_threads_activity", "last_posted_at", "id"),
        # The few pinned threads of an association, without walking all its threads by activity. Partial on both
        # databases: the option for the app's database is given at start (`app.models.give_dialect_kwargs`).
        sa.Index(
            "ix_threads_association_pinned",
            "association_id",
            "last_posted_at",
            info={
                "dialect_kwargs": {
                    "sqlite_where": sa.text("pinned_at IS NOT NULL"),
                    "postgresql_where": sa.text("pinned_at IS NOT NULL"),
                }
            },
        ),
        # The few private questions, for leaving them out of search results (app/search/queries.py `_readable`).
        sa.Index(
            "ix_threads_private",
            "association_id",
            "author_id",
            info={
                "dialect_kwargs": {
                    "sqlite_where": sa.text("is_private"),
                    "postgresql_where": sa.text("is_private"),
                }
            },
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[ThreadKind] = mapped_column(enum_column(ThreadKind), default=ThreadKind.DISCUSSION)
    title: Mapped[str] = mapped_column(sa.String(200))
    search_title: Mapped[str] = mapped_column(sa.String(200), default="")
    url: Mapped[str | None] = mapped_column(sa.String(2000))  # link threads
    url_domain: Mapped[str | None] = mapped_column(sa.String(255))
    # Experience threads: which class/level and which technology or method.
    experience_grade: Mapped[str] = mapped_column(sa.String(100), default="")
    experience_method: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Denormalised for lists; changed in SQL in the same transaction as the post.
    post_count: Mapped[int] = mapped_column(default=0)  # every post ever numbered, the opening post included
    reply_count: Mapped[int] = mapped_column(default=0)  # visible replies
    useful_count: Mapped[int] = mapped_column(default=0)  # «Полезно» on all its posts
    last_posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_poster_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A private question: only its author, methodists, the association's leaders and admins see it (policy
    # `can_view_thread`, SQL `queries.private_visible`); it stays out of the association's counters.
    is_private: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Moderation: why it is locked; the minimum seconds between one member's replies (slow mode, 0: off); the
    # thread it was merged into (its URL redirects there); held while its opening post awaits pre-moderation.
    lock_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default=sa.text("''"))
    slow_mode_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("threads.id", ondelete="SET NULL"))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by the database whenever its posts or their files change (app/stamps.py): the thread page's posts are
    # kept per worker under it.
    content_version: Mapped[int] = mapped_column(
        sa.BigInteger, default=first_version, server_default="0", server_onupdate=sa.FetchedValue()
    )

    association: Mapped[Association] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    last_poster: Mapped[User | None] = relationship(foreign_keys=[last_poster_id])
    tags: Mapped[list[Tag]] = relationship(secondary=thread_tags, order_by=Tag.name)

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        sa.UniqueConstraint("thread_id", "number", name="uq_posts_thread_number"),
        sa.UniqueConstraint("author_id", "submission_token", name="uq_posts_author_submission"),
        sa.Index("ix_posts_thread_tree", "thread_id", "tree_path"),
        # The few posts held for pre-moderation (the moderation queue), without walking all posts.
        sa.Index(
            "ix_posts_held",
            "held_at",
            info={
                "dialect_kwargs": {
                    "sqlite_where": sa.text("held_at IS NOT NULL"),
                    "postgresql_where": sa.text("held_at IS NOT NULL"),
                }
            },
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1 = the opening post; then 2, 3 … in order of posting
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reply_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    depth: Mapped[int] = mapped_column(default=0)  # 0 for the opening post and plain replies; nesting of reply_to
    # Place in the tree view, sorted as text: the numbers from its root down, 10 digits each ("0000000003/0000000007");
    # set once, when posted (services.place_in_tree).
    tree_path: Mapped[str] = mapped_column(sa.String(60), default="", server_default=sa.text("''"))
    body: Mapped[str] = mapped_column(sa.Text)  # Markdown source
    body_html: Mapped[str] = mapped_column(sa.Text)  # rendered by app.markup
    # A random token from the form: a double-submitted form finds the post it already made.
    submission_token: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revision_count: Mapped[int] = mapped_column(default=0)
    useful_count: Mapped[int] = mapped_column(default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # Pre-moderation: set while the post waits for a leader's approval (shown to its author as «на проверке»).
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread: Mapped[Thread] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reply_to: Mapped["Post | None"] = relationship(remote_side=[id])

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class PostRevision(db.Model):
    """The text of a post before an edit; the current text lives on the post."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1 = the original text
    body: Mapped[str] = mapped_column(sa.Text)
    title: Mapped[str | None] = mapped_column(sa.String(200))  # the thread title, for opening posts
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))  # who wrote it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when this text was written

    author: Mapped[User | None] = relationship()


class Reaction(db.Model):
    """«Полезно» — the one reaction."""

    __tablename__ = "reactions"

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class Bookmark(db.Model):
    __tablename__ = "bookmarks"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[Post] = relationship()


class ThreadReader(db.Model):
    """A user's relation to a thread: how closely they watch it and how far they have read."""

    __tablename__ = "thread_readers"
    # A user's read state from the index alone: all their rows (the unread counter) or those of a page's threads (a
    # seek by user and thread; with level second, SQLite scanned every row of a user who follows thousands).
    __table_args__ = (sa.Index("ix_thread_readers_user_state", "user_id", "thread_id", "level", "last_read_number"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        sa.ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[WatchLevel] = mapped_column(enum_column(WatchLevel), default=WatchLevel.NORMAL)
    last_read_number: Mapped[int] = mapped_column(default=0)  # Post.number of the last post shown to them
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssociationWatch(db.Model):
    __tablename__ = "association_watches"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    association_id: Mapped[int] = mapped_column(
        sa.ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[WatchLevel] = mapped_column(enum_column(WatchLevel), default=WatchLevel.NORMAL)


class Mention(db.Model):
    """A @mention of a member in a post, recorded for notifications."""

    __tablename__ = "mentions"

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(db.Model):
    """A file on a post, stored under a random name outside static/; the display name keeps the Cyrillic."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    uploader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    display_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    is_image: Mapped[bool] = mapped_column(default=False)
    width: Mapped[int | None]
    height: Mapped[int | None]
    thumbnail_name: Mapped[str | None] = mapped_column(sa.String(100))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Draft(db.Model):
    """Text being written, saved on the server so that nothing typed is lost."""

    __tablename__ = "drafts"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)  # "thread:<association id>", "reply:<thread id>"
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@sa.event.listens_for(Thread, "before_insert")
@sa.event.listens_for(Thread, "before_update")
def _keep_search_title(_mapper, _connection, thread: Thread) -> None:
    thread.search_title = fold_for_search(thread.title)
