"""Rules of the forum: who reads which category, thread and post, and who may act on them.

A thread page decides its access once (`thread_access`) and each post's from it
(`post_access`): the same rules the single-object policies below answer with, and that the
scopes answer in SQL for lists and counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select, true

from network.auth.policies import manage_person
from network.auth.services import AT_NOW, viewer_fact
from network.core.audience import Audience
from network.core.permissions import coordinator, policies_from, policy, scope, signed_in
from network.forum.models import (
    Category,
    Post,
    PostingPause,
    PostState,
    Thread,
    active_pause,
    paused,
)

viewer_fact("posting_pause_id", lambda person_id: select(PostingPause.id)
            .where(paused(person_id, at=AT_NOW)).order_by(PostingPause.until.desc()).limit(1)
            .scalar_subquery())


@policy("forum.view")
def view_forum(person, _) -> bool:
    return signed_in(person)


@policy("forum.moderate", "forum.manage_categories")
def moderate_forum(person, _) -> bool:
    return coordinator(person)


@policy("posting.pause")
def pause_posting(person, target) -> bool:
    return manage_person(person, target)


# --- categories ----------------------------------------------------------------------------------

@policy("category.view")
def view_category(person, category) -> bool:
    return signed_in(person) and (category.audience == Audience.MEMBERS or coordinator(person))


@policy("category.post")
def post_in_category(person, category) -> bool:
    return (view_category(person, category) and person.is_member
            and category.archived_at is None and active_pause(person) is None)


@scope(Category)
def categories_seen(person):
    if not signed_in(person):
        return false()
    return true() if coordinator(person) else Category.audience == Audience.MEMBERS


# --- threads -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ThreadAccess:
    """What one person may do in one thread, decided once for a page of it."""

    viewer_id: int | None
    coordinator: bool
    view: bool
    post_here: bool  # may post in its category at all (member, not paused, not archived)
    reply: bool
    moderate: bool
    locked: bool
    # Why a reader may not reply, for the page to say: "locked", "paused" (their posting is
    # paused), "held" (the thread waits for approval), "associate" (posting is for members),
    # or None (they may reply, or there is nothing to say).
    why_no_reply: str | None


def thread_access(person, thread: Thread) -> ThreadAccess:
    is_coordinator = coordinator(person)
    view = view_category(person, thread.category) and (
        not thread.held or thread.author_id == person.id or is_coordinator)
    post_here = view and post_in_category(person, thread.category)
    reply = post_here and not thread.locked and not thread.held
    return ThreadAccess(
        viewer_id=person.id, coordinator=is_coordinator, view=view, post_here=post_here,
        reply=reply, moderate=view and is_coordinator, locked=thread.locked,
        why_no_reply=None if reply or not view else _why_no_reply(person, thread))


def _why_no_reply(person, thread: Thread) -> str | None:
    if thread.locked:
        return "locked"
    if active_pause(person) is not None:
        return "paused"
    if thread.held:
        return "held"
    if not person.is_member:
        return "associate"
    return None


policies_from(thread_access, {"thread.view": "view", "thread.watch": "view",
                              "thread.reply": "reply", "thread.moderate": "moderate"})


@scope(Thread)
def threads_seen(person):
    if not signed_in(person):
        return false()
    in_category = Thread.category_id.in_(select(Category.id).where(categories_seen(person)))
    if coordinator(person):
        return in_category
    return and_(in_category, or_(Thread.held.is_(False), Thread.author_id == person.id))


# --- posts ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PostAccess:
    """What one person may do with one post, and whether its text is shown to them."""

    own: bool
    view: bool
    show_body: bool  # a hidden post's text: its author and coordinators only
    quote: bool
    edit: bool
    flag: bool
    history: bool
    moderate: bool
    approve: bool  # a coordinator's, while the post waits for approval
    hide: bool
    restore: bool


def post_access(person, post: Post, thread: ThreadAccess | None = None) -> PostAccess:
    """Pass the page's ThreadAccess when deciding for many posts of one thread."""
    thread = thread or thread_access(person, post.thread)
    own = thread.viewer_id is not None and post.author_id == thread.viewer_id
    view = thread.view and (post.state != PostState.HELD or own or thread.coordinator)
    return PostAccess(
        own=own, view=view,
        show_body=view and (post.state != PostState.HIDDEN or own or thread.coordinator),
        quote=view and post.state == PostState.VISIBLE and thread.reply,
        # Only the author rewrites a post; coordinators hide, they never rewrite.
        edit=(view and own and post.state != PostState.HIDDEN and not thread.locked
              and thread.post_here),
        flag=view and post.state == PostState.VISIBLE and not own,
        history=view and (own or thread.coordinator),
        moderate=view and thread.coordinator,
        approve=view and thread.coordinator and post.state == PostState.HELD,
        hide=view and thread.coordinator and post.state != PostState.HIDDEN,
        restore=view and thread.coordinator and post.state == PostState.HIDDEN)


policies_from(post_access, {"post.view": "view", "post.edit": "edit", "post.flag": "flag",
                            "post.history": "history", "post.moderate": "moderate",
                            "post.read": "show_body"})


def post_state_seen(person):
    """Among the posts of a thread one may read, those one may see: held ones only by their
    author and coordinators (hidden ones keep their place)."""
    if coordinator(person):
        return true()
    return or_(Post.state != PostState.HELD, Post.author_id == person.id)


@scope(Post)
def posts_seen(person):
    if not signed_in(person):
        return false()
    return and_(Post.thread_id.in_(select(Thread.id).where(threads_seen(person))),
                post_state_seen(person))


def post_words_seen(person):
    """The posts whose words one may read (`post.read`, PostAccess.show_body), for search: the
    posts one sees, but a hidden one's text only for its author and coordinators."""
    seen = posts_seen(person)
    if not signed_in(person) or coordinator(person):
        return seen
    return and_(seen, or_(Post.state != PostState.HIDDEN, Post.author_id == person.id))
