"""What the forum reads, for its own pages and for other features (the coordinators' count of
what waits for them): posts as a reader sees them, where a post is, what a reader has read.
Every write is in services.py."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import joinedload, selectinload

from network.core.lines import line
from network.core.pagination import page_size
from network.core.permissions import visible
from network.extensions import db
from network.forum.models import (
    Flag,
    Post,
    PostRevision,
    PostState,
    Thread,
    ThreadRead,
    ThreadWatch,
)
from network.forum.policies import post_state_seen

# --- a thread as its reader sees it --------------------------------------------------------------

def visible_posts(thread: Thread, viewer) -> select:
    """The posts of a thread (one the viewer may read) that they may see, oldest first
    (forum.policies decides: held ones only to their author and coordinators). Hidden posts
    keep their place, shown as hidden."""
    return select(Post).where(Post.thread_id == thread.id, post_state_seen(viewer)) \
        .order_by(Post.id)


def page_of(post: Post, viewer) -> int:
    before = db.session.scalar(
        select(func.count()).select_from(visible_posts(post.thread, viewer)
                                         .where(Post.id < post.id).order_by(None).subquery()))
    return before // page_size() + 1


def last_page(thread: Thread, viewer) -> int:
    shown = db.session.scalar(select(func.count()).select_from(
        visible_posts(thread, viewer).order_by(None).subquery())) or 0
    return max(1, -(-shown // page_size()))


def post_path(post: Post, viewer, page: int | None = None) -> str:
    """Where a post is: its thread, the page it is on (counted unless given), its anchor."""
    thread = post.thread
    page = page or page_of(post, viewer)
    return url_for("forum.thread", thread_id=thread.id, slug=thread.slug,
                   **({"page": page} if page > 1 else {})) + f"#p{post.id}"


def own_submission(key: str, person) -> Post | None:
    """The post this person already made from the same opened form, if they still see it:
    looked up among their own posts only, so knowing someone else's key reveals nothing."""
    return db.session.scalar(visible(select(Post).where(Post.submission_key == key,
                                                        Post.author_id == person.id),
                                     person=person))


def revisions(post: Post) -> list[PostRevision]:
    return list(db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                   .order_by(PostRevision.id.desc())))


def quote(post: Post) -> str:
    """Markdown quoting a post, with who wrote it and a link back."""
    lines = "\n".join(f"> {line}" if line else ">" for line in post.body.splitlines())
    return (f"> **{post.author.name}** [{_('wrote')}]"
            f"({url_for('forum.post', post_id=post.id)}):\n>\n{lines}\n\n")


# --- what a reader has read, and watches ---------------------------------------------------------

def last_read(person, thread: Thread) -> int:
    marker = db.session.get(ThreadRead, (person.id, thread.id))
    return marker.last_read_post_id if marker else 0


def first_unread(thread: Thread, viewer) -> Post | None:
    after = last_read(viewer, thread)
    return db.session.scalar(visible_posts(thread, viewer).where(Post.id > after).limit(1))


def read_up_to(person, threads: list[Thread]) -> dict[int, int]:
    """The last post read in each of these threads, by thread id (threads never opened are
    left out)."""
    if not threads:
        return {}
    return dict(db.session.execute(
        select(ThreadRead.thread_id, ThreadRead.last_read_post_id)
        .where(ThreadRead.person_id == person.id,
               ThreadRead.thread_id.in_([t.id for t in threads]))).tuples().all())


def reader_state(person, thread: Thread) -> tuple[int, str]:
    """(last post read, watching: "watch", "mute" or "none") for a thread's page, in one
    query."""
    read, muted = db.session.execute(select(
        select(ThreadRead.last_read_post_id).where(
            ThreadRead.person_id == person.id, ThreadRead.thread_id == thread.id)
        .scalar_subquery(),
        select(ThreadWatch.muted).where(
            ThreadWatch.person_id == person.id, ThreadWatch.thread_id == thread.id)
        .scalar_subquery())).one()
    return read or 0, "none" if muted is None else ("mute" if muted else "watch")


# --- for the coordinators ------------------------------------------------------------------------

def waiting_for_moderation() -> int:
    """Posts held for approval plus posts with open flags."""
    held = select(Post.id).where(Post.state == PostState.HELD)
    flagged = select(Flag.post_id).where(Flag.resolved_at.is_(None))
    return db.session.scalar(select(func.count()).select_from(
        held.union(flagged).subquery())) or 0


def moderation_queue(limit: int) -> dict:
    """The oldest posts held for approval, and the posts flagged first (with their open
    flags' count and reasons), as a coordinator sees them."""
    held = list(db.session.scalars(visible(
        select(Post).where(Post.state == PostState.HELD)
        .options(joinedload(Post.author), joinedload(Post.thread).joinedload(Thread.category))
        .order_by(Post.id).limit(limit))))
    open_flags = (select(Flag.post_id, func.count().label("flags"),
                         func.min(Flag.created_at).label("first"))
                  .where(Flag.resolved_at.is_(None)).group_by(Flag.post_id).subquery())
    flagged = list(db.session.execute(visible(
        select(Post, open_flags.c.flags).join(open_flags, open_flags.c.post_id == Post.id)
        .options(joinedload(Post.author), joinedload(Post.thread))
        .order_by(open_flags.c.first).limit(limit), Post)).tuples())
    reasons: dict[int, list[Flag]] = {}
    if flagged:
        for flag in db.session.scalars(
                select(Flag).where(Flag.post_id.in_([p.id for p, _n in flagged]),
                                   Flag.resolved_at.is_(None))
                .options(selectinload(Flag.person)).order_by(Flag.id)):
            reasons.setdefault(flag.post_id, []).append(flag)
    return {"held": held, "flagged": flagged, "reasons": reasons}


# --- for the home page and the bulletin ----------------------------------------------------------

def unread_watched(person) -> Select:
    """The threads a person watches (not muted) with posts they have not read, the latest
    active first, as lines (core.lines) for their home page."""
    read = func.coalesce(ThreadRead.last_read_post_id, 0)
    return visible(
        select(*line("thread", Thread.id, Thread.title, at=Thread.last_activity_at,
                     order=(Thread.last_activity_at.desc(), Thread.id.desc())))
        .select_from(Thread)
        .join(ThreadWatch, and_(ThreadWatch.thread_id == Thread.id,
                                ThreadWatch.person_id == person.id,
                                ThreadWatch.muted.is_(False)))
        .outerjoin(ThreadRead, and_(ThreadRead.thread_id == Thread.id,
                                    ThreadRead.person_id == person.id))
        .where(Thread.last_post_id > read), Thread, person=person)


def busiest_threads(person, since, limit: int) -> list[tuple[Thread, int]]:
    """The threads with the most posts since then that the person may see, with how many
    (for the bulletin): a visitor sees none, as the forum is for members."""
    counts = (select(Post.thread_id, func.count().label("posts"))
              .where(Post.created_at >= since, Post.state == PostState.VISIBLE)
              .group_by(Post.thread_id).subquery())
    return list(db.session.execute(visible(
        select(Thread, counts.c.posts).join(counts, counts.c.thread_id == Thread.id)
        .options(joinedload(Thread.category))
        .order_by(counts.c.posts.desc(), Thread.last_activity_at.desc()).limit(limit),
        Thread, person=person)).tuples())
