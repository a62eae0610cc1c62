"""The forum: categories hold threads, threads hold posts. Nothing here is ever deleted:
posts are hidden with a reason, edits keep their history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.auth.models import Person
from network.core.audience import Audience
from network.core.db import enum_type
from network.core.text import slugify
from network.core.time import now
from network.extensions import db
from network.members.models import Organisation

POST_MAX = 20_000
TITLE_MAX = 120
HELD_UNTIL_APPROVED = 3  # a new member's first posts wait for a coordinator


class PostState(StrEnum):
    VISIBLE = "visible"
    HELD = "held"  # waiting for a coordinator's approval
    HIDDEN = "hidden"  # by a coordinator, with a reason; the author still sees it


class Category(db.Model):
    __tablename__ = "forum_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
    audience: Mapped[Audience] = mapped_column(enum_type(Audience), default=Audience.MEMBERS)
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    thread_count: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime | None]

    @property
    def slug(self) -> str:
        return slugify(self.name)


class Thread(db.Model):
    __tablename__ = "forum_thread"
    __table_args__ = (
        Index("ix_forum_thread_listing", "category_id", "pinned", "last_activity_at"),
        # The few threads waiting for approval, counted beside a category's thread_count.
        Index("ix_forum_thread_held", "category_id", sqlite_where=text("held IS 1"),
              postgresql_where=text("held")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_category.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    # Counted over posts that are not held: what readers see.
    reply_count: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime] = mapped_column(default=now)
    last_post_id: Mapped[int | None]
    held: Mapped[bool] = mapped_column(default=False)  # its first post awaits approval
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)

    category: Mapped[Category] = relationship()
    author: Mapped[Person] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def slug(self) -> str:
        return slugify(self.title)


class Post(db.Model):
    __tablename__ = "forum_post"
    __table_args__ = (Index("ix_forum_post_thread", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    edited_at: Mapped[datetime | None]
    state: Mapped[PostState] = mapped_column(enum_type(PostState), default=PostState.VISIBLE,
                                             index=True)
    moderation_reason: Mapped[str | None] = mapped_column(String(500))
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # A random key from the form: the same form sent twice makes one post.
    submission_key: Mapped[str | None] = mapped_column(String(43), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    thread: Mapped[Thread] = relationship()
    author: Mapped[Person] = relationship(foreign_keys=[author_id])
    organisation: Mapped[Organisation | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class PostRevision(db.Model):
    """A post's text as it was before an edit."""

    __tablename__ = "forum_post_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime]  # when this text was saved
    replaced_at: Mapped[datetime] = mapped_column(default=now)


class ThreadRead(db.Model):
    """How far a person has read a thread: the newest post they have been shown."""

    __tablename__ = "forum_thread_read"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id"), primary_key=True,
                                           index=True)
    last_read_post_id: Mapped[int] = mapped_column(default=0)


class ThreadWatch(db.Model):
    """Watching a thread notifies of replies; a muted thread never notifies."""

    __tablename__ = "forum_thread_watch"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id"), primary_key=True,
                                           index=True)
    muted: Mapped[bool] = mapped_column(default=False)


class Flag(db.Model):
    __tablename__ = "forum_flag"
    __table_args__ = (UniqueConstraint("post_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=now)
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    resolution: Mapped[str | None] = mapped_column(String(40))

    post: Mapped[Post] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])


class PostingPause(db.Model):
    """A coordinator's pause on someone's posting, with the reason and an end."""

    __tablename__ = "forum_posting_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    until: Mapped[datetime]
    set_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    lifted_at: Mapped[datetime | None]


def active_pause(person) -> PostingPause | None:
    """The posting pause in force for a person now, if any; asked once per request (for the
    person asking, with their session: forum.policies registers the viewer fact)."""
    if not person.is_authenticated:
        return None
    cached = person.__dict__.get("_active_pause", ...)
    if cached is not ...:
        return cached
    facts = person.__dict__.get("facts") or {}
    if "posting_pause_id" in facts:
        pause_id = facts["posting_pause_id"]
        pause = db.session.get(PostingPause, pause_id) if pause_id else None
    else:
        pause = db.session.scalar(
            db.select(PostingPause).where(paused(person.id)).order_by(PostingPause.until.desc())
            .limit(1))
    person.__dict__["_active_pause"] = pause
    return pause


def paused(person_id, at=None):
    """The condition for a pause in force on the person (an id, or a column of one) now, or
    at the moment given (a time, or a bound parameter)."""
    return db.and_(PostingPause.person_id == person_id, PostingPause.lifted_at.is_(None),
                   PostingPause.until > (now() if at is None else at))
