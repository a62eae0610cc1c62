"""What the forum does, for routes and commands alike: posting, holding, moderating, marking
what was read, watching, and who is told about it. What it reads is in reads.py."""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select, update

from network.auth.models import Person
from network.core import audit
from network.core.db import insert_for, write_aside
from network.core.links import site_path
from network.core.permissions import can
from network.core.text import in_subject
from network.core.time import now
from network.extensions import db
from network.forum.models import (
    HELD_UNTIL_APPROVED,
    Category,
    Flag,
    Post,
    PostingPause,
    PostRevision,
    PostState,
    Thread,
    ThreadRead,
    ThreadWatch,
    active_pause,
)
from network.forum.reads import last_read, visible_posts
from network.notify.replies import Topic
from network.notify.services import notify

# --- what a reader has read ----------------------------------------------------------------------

def _advance_marker(person_id: int, thread_id: int, post_id: int):
    """An upsert that moves a reader's marker forward to post_id, never back."""
    statement = insert_for(db.engine, ThreadRead).values(person_id=person_id, thread_id=thread_id,
                                          last_read_post_id=post_id)
    return statement.on_conflict_do_update(
        index_elements=[ThreadRead.person_id, ThreadRead.thread_id],
        set_={"last_read_post_id": statement.excluded.last_read_post_id},
        where=ThreadRead.last_read_post_id < statement.excluded.last_read_post_id)


def mark_read(person_id: int, thread_id: int, post_id: int) -> None:
    """Move a reader's marker forward to post_id, never back.

    The one write a GET makes: aside from the page's own reading (core.db.write_aside), and
    left unwritten on a disk that refuses writes.
    """
    write_aside(db.engine, _advance_marker(person_id, thread_id, post_id))


def read_own_post(post: Post) -> None:
    """Writing a post counts as reading it: the author's marker moves past it, in the posting
    transaction, with htmx or without. Not past someone else's post the author has not seen
    yet (a reply sent from page 1 of a thread that has grown since): that one stays unread."""
    unseen = db.session.scalar(
        visible_posts(post.thread, post.author)
        .where(Post.id > last_read(post.author, post.thread), Post.id < post.id,
               Post.author_id != post.author_id)
        .order_by(None).limit(1).with_only_columns(Post.id))
    if unseen is None:
        db.session.execute(_advance_marker(post.author_id, post.thread_id, post.id))


# --- writing -----------------------------------------------------------------------------------

def is_held(author: Person) -> bool:
    """A member's first posts wait for a coordinator until enough have been approved."""
    if author.is_coordinator:
        return False
    approved = db.session.scalar(
        select(func.count()).select_from(Post)
        .where(Post.author_id == author.id, Post.state == PostState.VISIBLE)) or 0
    return approved < HELD_UNTIL_APPROVED


def organisation_of(person: Person) -> int | None:
    """The organisation a post is written for: the person's first, if any."""
    memberships = sorted(person.memberships, key=lambda m: m.joined_at)
    return memberships[0].organisation_id if memberships else None


def start_thread(category: Category, author: Person, title: str, body: str,
                 submission_key: str | None) -> Post:
    """A new thread and its opening post (returned); the counts follow in _add_post."""
    _lock(Category, category.id)
    held = is_held(author)
    thread = Thread(category=category, title=title, author=author,
                    organisation_id=organisation_of(author), held=held)
    db.session.add(thread)
    post = _add_post(thread, author, body, submission_key, held)
    watch(author, thread, "watch")
    read_own_post(post)
    if not held:
        _announce(post, new_thread=True)
    return post


def reply(thread: Thread, author: Person, body: str, submission_key: str | None) -> Post:
    _lock(Thread, thread.id)
    held = is_held(author)
    post = _add_post(thread, author, body, submission_key, held)
    if db.session.get(ThreadWatch, (author.id, thread.id)) is None:
        watch(author, thread, "watch")
    read_own_post(post)
    if not held:
        _announce(post)
    return post


def _lock(model, object_id: int) -> None:
    """Serialise writers of one thread (or category) so its counts stay true on PostgreSQL;
    SQLite's write transactions are serial already."""
    db.session.execute(select(model.id).where(model.id == object_id).with_for_update())


def _add_post(thread: Thread, author: Person, body: str, submission_key: str | None,
              held: bool) -> Post:
    post = Post(thread=thread, author=author, organisation_id=organisation_of(author),
                body=body, submission_key=submission_key,
                state=PostState.HELD if held else PostState.VISIBLE)
    db.session.add(post)
    db.session.flush()
    refresh_thread(thread)
    if held:
        audit.record("post.held", post, f"Held for review: a post in “{thread.title}”",
                     actor=author)
    return post


def refresh_thread(thread: Thread) -> None:
    """Recount what readers see of a thread; call with the thread locked."""
    shown = and_(Post.thread_id == thread.id, Post.state != PostState.HELD)
    posts = select(func.count()).where(shown).scalar_subquery()
    db.session.execute(
        update(Thread).where(Thread.id == thread.id).values(
            reply_count=case((posts > 0, posts - 1), else_=0),
            last_post_id=select(func.max(Post.id)).where(shown).scalar_subquery(),
            last_activity_at=func.coalesce(
                select(func.max(Post.created_at)).where(shown).scalar_subquery(),
                Thread.created_at)))
    db.session.expire(thread, ["reply_count", "last_post_id", "last_activity_at"])
    refresh_category(thread.category)


def refresh_category(category: Category) -> None:
    shown = and_(Thread.category_id == category.id, Thread.held.is_(False))
    db.session.execute(
        update(Category).where(Category.id == category.id).values(
            thread_count=select(func.count()).where(shown).scalar_subquery(),
            last_activity_at=select(func.max(Thread.last_activity_at)).where(shown)
            .scalar_subquery()))
    db.session.expire(category, ["thread_count", "last_activity_at"])


def edit_post(post: Post, body: str) -> None:
    """Save new text, keeping the old as a revision; coordinators can read the history."""
    if body == post.body:
        return
    db.session.add(PostRevision(post_id=post.id, body=post.body,
                                written_at=post.edited_at or post.created_at))
    old_mentions = {p.id for p in mentioned(post.body)}
    post.body = body
    post.edited_at = now()
    if post.state == PostState.VISIBLE:
        for person in mentioned(body):
            if person.id not in old_mentions:
                _tell_mentioned(post, person)


# --- watching ------------------------------------------------------------------------------------

def watch(person, thread: Thread, state: str) -> None:
    """state: "watch", "mute" or "none"."""
    row = db.session.get(ThreadWatch, (person.id, thread.id))
    if state == "none":
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        db.session.add(ThreadWatch(person_id=person.id, thread_id=thread.id,
                                   muted=state == "mute"))
    else:
        row.muted = state == "mute"


# --- who is told -------------------------------------------------------------------------------

MENTION = re.compile(r"(?<![\w@])@([\w][\w'’.-]*(?:[ \t]+[\w][\w'’.-]*){0,3})")


def mentioned(body: str) -> list[Person]:
    """People named as @Display Name (up to four words; the longest name that matches)."""
    candidates: list[list[str]] = []
    for match in MENTION.finditer(body):
        words = match.group(1).split()
        candidates.append([" ".join(words[:n]).rstrip(".,;:!?’'").lower()
                           for n in range(len(words), 0, -1)])
    if not candidates:
        return []
    names = {name for group in candidates for name in group}
    people = db.session.scalars(select(Person).where(func.lower(Person.display_name).in_(names),
                                                     Person.suspended_at.is_(None))).all()
    by_name: dict[str, list[Person]] = {}
    for person in people:
        by_name.setdefault(person.display_name.lower(), []).append(person)
    found: dict[int, Person] = {}
    for group in candidates:
        for name in group:  # longest first
            if name in by_name:
                found.update((p.id, p) for p in by_name[name])
                break
    return list(found.values())


def _tell_mentioned(post: Post, person: Person) -> bool:
    if person.id == post.author_id or not can("post.view", post, person):
        return False
    notify(person, "forum.mention",
           _l("%(name)s mentioned you in “%(title)s”", name=in_subject(post.author.name),
             title=in_subject(post.thread.title)), site_path("forum.post", post_id=post.id),
           about=thread_topic(post.thread, person), quote=post.body)
    return True


def thread_topic(thread: Thread, person: Person) -> Topic:
    """A thread, as its notifications' email is about it: replied to while one may reply."""
    return Topic("thread", thread.id, f"forum-thread-{thread.id}",
                 lambda: can("thread.reply", thread, person))


def _announce(post: Post, new_thread: bool = False) -> None:
    """Tell the people mentioned, then everyone watching (once each, never the author)."""
    told = {post.author_id}
    for person in mentioned(post.body):
        if person.id not in told and _tell_mentioned(post, person):
            told.add(person.id)
    if new_thread:
        return
    watchers = db.session.scalars(
        select(Person).join(ThreadWatch, ThreadWatch.person_id == Person.id)
        .where(ThreadWatch.thread_id == post.thread_id, ThreadWatch.muted.is_(False))).all()
    for person in watchers:
        if person.id in told or not can("post.view", post, person):
            continue
        told.add(person.id)
        notify(person, "forum.reply",
               _l("%(name)s replied in “%(title)s”", name=in_subject(post.author.name),
                 title=in_subject(post.thread.title)), site_path("forum.post", post_id=post.id),
               about=thread_topic(post.thread, person), quote=post.body)


# --- moderation ----------------------------------------------------------------------------------

def approve(post: Post, coordinator: Person) -> bool:
    """False (and nothing written) when the post is not waiting for approval."""
    if post.state != PostState.HELD:
        return False
    _lock(Thread, post.thread_id)
    post.state = PostState.VISIBLE
    post.moderated_at, post.moderated_by_id = now(), coordinator.id
    thread = post.thread
    first = thread.held and db.session.scalar(
        select(func.min(Post.id)).where(Post.thread_id == thread.id)) == post.id
    if first:
        thread.held = False
    db.session.flush()
    refresh_thread(thread)
    audit.record("post.approve", post, f"Approved a post in “{thread.title}”", actor=coordinator)
    notify(post.author, "forum.moderation",
           _l("Your post in “%(title)s” is approved and everyone can see it now.",
             title=in_subject(thread.title)), site_path("forum.post", post_id=post.id))
    _announce(post, new_thread=first)
    return True


def hide(post: Post, coordinator: Person, reason: str) -> bool:
    """False (and nothing written) when the post is hidden already."""
    if post.state == PostState.HIDDEN:
        return False
    was_held = post.state == PostState.HELD
    post.state = PostState.HIDDEN
    post.moderation_reason = reason
    post.moderated_at, post.moderated_by_id = now(), coordinator.id
    _resolve_flags(post, coordinator, "hidden")
    if was_held:
        _lock(Thread, post.thread_id)
        db.session.flush()
        refresh_thread(post.thread)
    audit.record("post.hide", post, f"Hid a post in “{post.thread.title}”",
                 actor=coordinator, reason=reason)
    notify(post.author, "forum.moderation",
           _l("A coordinator hid your post in “%(title)s”", title=in_subject(post.thread.title)),
           site_path("forum.post", post_id=post.id), detail=reason)
    return True


def restore(post: Post, coordinator: Person, reason: str) -> bool:
    """False (and nothing written) when the post is not hidden."""
    if post.state != PostState.HIDDEN:
        return False
    post.state = PostState.VISIBLE
    post.moderation_reason = reason or None
    post.moderated_at, post.moderated_by_id = now(), coordinator.id
    audit.record("post.restore", post, f"Restored a post in “{post.thread.title}”",
                 actor=coordinator, reason=reason)
    notify(post.author, "forum.moderation",
           _l("A coordinator restored your post in “%(title)s”",
             title=in_subject(post.thread.title)), site_path("forum.post", post_id=post.id),
           detail=reason)
    return True


def flag(post: Post, person: Person, reason: str) -> Flag:
    existing = db.session.scalar(select(Flag).where(Flag.post_id == post.id,
                                                    Flag.person_id == person.id))
    if existing is not None:
        existing.reason, existing.resolved_at, existing.resolution = reason, None, None
        return existing
    row = Flag(post_id=post.id, person_id=person.id, reason=reason)
    db.session.add(row)
    return row


def dismiss_flags(post: Post, coordinator: Person) -> bool:
    """Keep a flagged post; False (and nothing written) when no flag was waiting."""
    if not _resolve_flags(post, coordinator, "dismissed"):
        return False
    audit.record("post.flags_dismissed", post, f"Kept a flagged post in “{post.thread.title}”",
                 actor=coordinator)
    return True


def _resolve_flags(post: Post, coordinator: Person, resolution: str) -> int:
    """Settle the post's open flags; how many there were."""
    return db.session.execute(
        update(Flag).where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
        .values(resolved_at=now(), resolved_by_id=coordinator.id, resolution=resolution)
    ).rowcount


def set_thread_state(thread: Thread, coordinator: Person, name: str, value: bool) -> bool:
    """Lock, unlock, pin or unpin; False (and nothing written) when it is so already."""
    if getattr(thread, name) == value:
        return False
    setattr(thread, name, value)
    action, done = {("locked", True): ("lock", "Locked"), ("locked", False): ("unlock", "Unlocked"),
                    ("pinned", True): ("pin", "Pinned"),
                    ("pinned", False): ("unpin", "Unpinned")}[name, value]
    audit.record(f"thread.{action}", thread, f"{done} “{thread.title}”", actor=coordinator)
    return True


def move(thread: Thread, coordinator: Person, category: Category) -> bool:
    """False (and nothing written) when the thread is in that category already."""
    old = thread.category
    if old.id == category.id:
        return False
    thread.category = category
    db.session.flush()
    refresh_category(old)
    refresh_category(category)
    audit.record("thread.move", thread, f"Moved “{thread.title}” from {old.name} to "
                 f"{category.name}", actor=coordinator, old=old.id, new=category.id)
    return True


def rename(thread: Thread, coordinator: Person, title: str) -> bool:
    """False (and nothing written) when that is its title already."""
    old = thread.title
    if title == old:
        return False
    thread.title = title
    audit.record("thread.rename", thread, f"Renamed “{old}” to “{title}”",
                 actor=coordinator, old=old)
    return True


def pause_posting(person: Person, coordinator: Person, reason: str,
                  until: datetime) -> PostingPause:
    pause = PostingPause(person_id=person.id, reason=reason, until=until,
                         set_by_id=coordinator.id)
    db.session.add(pause)
    audit.record("person.pause_posting", person, f"Paused posting until {until:%Y-%m-%d %H:%M} UTC",
                 actor=coordinator, reason=reason)
    return pause


def lift_pauses(person: Person, coordinator: Person) -> bool:
    """False (and nothing written) when no pause is in force."""
    if active_pause(person) is None:
        return False
    db.session.execute(update(PostingPause)
                       .where(PostingPause.person_id == person.id,
                              PostingPause.lifted_at.is_(None))
                       .values(lifted_at=now()))
    audit.record("person.lift_pause", person, "Lifted the posting pause", actor=coordinator)
    return True


# --- categories ----------------------------------------------------------------------------------

CATEGORY_FIELDS = ["name", "description", "audience", "position"]


def create_category(values: dict) -> Category:
    category = Category(**values)
    db.session.add(category)
    db.session.flush()
    audit.record("category.create", category, f"Created the forum category {category.name}")
    return category


def edit_category(category: Category, values: dict, archive: bool | None = None) -> None:
    """Save a category's settings; archive=True archives it, False brings it back."""
    diff = audit.changes(category, CATEGORY_FIELDS, values)
    for field, value in values.items():
        setattr(category, field, value)
    if archive is True and category.archived_at is None:
        category.archived_at = now()
        diff["archived"] = [False, True]
    elif archive is False and category.archived_at is not None:
        category.archived_at = None
        diff["archived"] = [True, False]
    if diff:
        audit.record("category.edit", category, f"Changed the forum category {category.name}",
                     changes=diff)
