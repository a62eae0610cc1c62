"""Forum pages for reading and writing: categories, threads, replies and posts.

The coordinators' moderation (`forum/moderation.py`) and category admin
(`forum/categories.py`) add their routes to the same blueprint (`forum/blueprint.py`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from network.auth.models import NAME_COLUMNS
from network.core.forms import EmptyForm
from network.core.htmx import render, see_other, wants
from network.core.pagination import paginate
from network.core.permissions import authorize, can, me, visible
from network.core.submit import submit
from network.extensions import db
from network.forum import (
    categories,  # noqa: F401  (its routes join the blueprint)
    moderation,  # noqa: F401  (its routes join the blueprint)
    reads,
    services,
)
from network.forum.blueprint import bp, load_category, load_post, load_thread, readable_categories
from network.forum.forms import (
    EditPostForm,
    FlagForm,
    QuoteForm,
    ReplyForm,
    ThreadForm,
    WatchForm,
)
from network.forum.models import Category, Post, PostState, Thread, active_pause
from network.forum.policies import post_access, thread_access
from network.members.models import Organisation

HELD_MESSAGE = _l("Thank you. New members' first posts are read by a coordinator before "
                  "everyone sees them; we will let you know.")


@bp.get("")
def index():
    authorize("forum.view")
    return render("forum/index.html", categories=readable_categories(),
                  moderate=can("forum.moderate"))


def category_context(category: Category) -> dict:
    # The category keeps count of its threads that are not held; those held that the reader
    # may see (their own, or all for coordinators) are few, and counted apart.
    held_seen = db.session.scalar(visible(
        select(func.count(Thread.id)).where(Thread.category_id == category.id,
                                            Thread.held.is_(True)), Thread))
    page = paginate(visible(
        select(Thread).where(Thread.category_id == category.id)
        .options(joinedload(Thread.author).load_only(*NAME_COLUMNS),
                 joinedload(Thread.organisation).load_only(Organisation.name))
        .order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())),
        total=category.thread_count + held_seen)
    return {"category": category, "page": page,
            "read_up_to": reads.read_up_to(current_user, page.items),
            "can_post": can("category.post", category)}


@bp.get("/c/<int:category_id>")
@bp.get("/c/<int:category_id>-<slug>")
def category(category_id: int, slug: str | None = None):
    category = load_category(category_id)
    if slug != category.slug:
        return redirect(url_for("forum.category", category_id=category.id,
                                slug=category.slug), 301)
    return render("forum/category.html", category_context(category), fragments=("threads",))


def own_post(key: str) -> Post | None:
    """The post a form with this submission key made, among the sender's own posts that they
    still see (core.submit, once=)."""
    return reads.own_submission(key, current_user)


@bp.route("/c/<int:category_id>/new", methods=["GET", "POST"])
def new_thread(category_id: int):
    category = load_category(category_id, need="category.post")
    form = ThreadForm()
    return submit(
        form, lambda: services.start_thread(category, current_user, form.title.data,
                                            form.body.data, form.submission.data),
        page=lambda: render("forum/new_thread.html", category=category, form=form),
        once=own_post,
        done=lambda post: see_other(
            url_for("forum.thread", thread_id=post.thread.id, slug=post.thread.slug),
            HELD_MESSAGE if post.thread.held else None))


# --- a thread ------------------------------------------------------------------------------------

def thread_context(thread: Thread, *, reply_form: ReplyForm | None = None,
                   watch_form: WatchForm | None = None, page_number: int | None = None,
                   focus: Post | None = None, new_post: Post | None = None,
                   draft_sent: bool = False, announce: str | None = None) -> dict:
    """Everything the thread page shows, for the page and each of its blocks alike: one
    page of posts, each with what the reader may do with it, decided once.

    focus: a post shown alone (htmx's target #p<id>), on the page it belongs to.
    new_post: a reply just sent with htmx, added to the list out of band.
    announce: what to tell a screen reader about the focused post (it has just been saved).
    """
    viewer = me()
    access = thread_access(viewer, thread)
    if focus is not None:
        page_number = reads.page_of(focus, viewer)
    page = paginate(reads.visible_posts(thread, viewer).options(
        joinedload(Post.author).load_only(*NAME_COLUMNS),
        joinedload(Post.organisation).load_only(Organisation.name)), page=page_number)
    read_up_to, watching = reads.reader_state(viewer, thread)
    context = {
        "thread": thread, "access": access, "page": page, "current_page": page.page,
        "posts": [(post, post_access(viewer, post, access)) for post in page.items],
        "read_up_to": read_up_to,
        "form": reply_form or ReplyForm(formdata=None),
        "watch_form": watch_form or WatchForm(formdata=None), "button_form": EmptyForm(),
        "watching": watching,
        "pause": active_pause(viewer), "draft_sent": draft_sent,
        "new_post": (new_post, post_access(viewer, new_post, access)) if new_post else None,
    }
    if focus is not None:
        context["post"], context["post_access"] = focus, post_access(viewer, focus, access)
        context["announce"] = announce
    return context


THREAD_BLOCKS = ("posts", "reply")


@bp.get("/t/<int:thread_id>")
@bp.get("/t/<int:thread_id>-<slug>")
def thread(thread_id: int, slug: str | None = None):
    thread = load_thread(thread_id)
    if slug != thread.slug:
        # The address's arguments go along as they came, never into url_for (which takes
        # `_method`, `thread_id`... as its own).
        query = urlencode(list(request.args.items(multi=True)))
        return redirect(url_for("forum.thread", thread_id=thread.id, slug=thread.slug)
                        + (f"?{query}" if query else ""), 301)
    reply_form = ReplyForm(formdata=None)
    quoting = QuoteForm(request.args)
    if quoted_id := quoting.quoted_id():
        quoted = db.session.get(Post, quoted_id)
        if quoted and quoted.thread_id == thread.id and post_access(me(), quoted).quote:
            typed = quoting.body.data or ""
            reply_form.body.data = (typed + "\n\n" if typed.strip() else "") + \
                reads.quote(quoted)
    context = thread_context(thread, reply_form=reply_form,
                             draft_sent=session.pop("draft_sent", None) == thread.id)
    response = render("forum/thread.html", context, fragments=THREAD_BLOCKS)
    newest = max((post.id for post in context["page"].items), default=0)
    if newest > context["read_up_to"]:
        services.mark_read(current_user.id, thread.id, newest)
    return response


@bp.get("/t/<int:thread_id>/unread")
def first_unread(thread_id: int):
    thread = load_thread(thread_id)
    post = reads.first_unread(thread, current_user)
    if post is None:
        post = db.session.get(Post, thread.last_post_id) if thread.last_post_id else None
    if post is None:
        return redirect(url_for("forum.thread", thread_id=thread.id, slug=thread.slug), 303)
    return redirect(reads.post_path(post, current_user), 303)


@bp.post("/t/<int:thread_id>/reply")
def reply(thread_id: int):
    thread = load_thread(thread_id, need="thread.reply")
    form = ReplyForm()

    def replied(post: Post):
        page = reads.page_of(post, current_user)
        if wants("reply") and form.page.data == page:
            # The new post joins the list in place, out of band, with a fresh form.
            return render("forum/thread.html", thread_context(
                thread, page_number=page, new_post=post, draft_sent=True),
                fragments=THREAD_BLOCKS)
        session["draft_sent"] = thread.id
        # A held post shown in place says so itself.
        return see_other(reads.post_path(post, current_user, page),
                         HELD_MESSAGE if post.state == PostState.HELD else None)

    # Without JavaScript a refused reply's address is .../reply#reply (the form's action), so
    # the browser opens it at the form and its errors, not at the top of a long thread.
    return submit(
        form, lambda: services.reply(thread, current_user, form.body.data,
                                     form.submission.data),
        page=lambda: render("forum/thread.html", thread_context(
            thread, reply_form=form, page_number=form.page.data), fragments=THREAD_BLOCKS),
        once=own_post, done=replied)


@bp.get("/t/<int:thread_id>/reply")
def reply_page(thread_id: int):
    """The reply address opened or reloaded (after a refused reply, without JavaScript):
    back to the thread's newest posts, at the reply form."""
    thread = load_thread(thread_id)
    page = reads.last_page(thread, current_user)
    return redirect(url_for("forum.thread", thread_id=thread.id, slug=thread.slug,
                            **({"page": page} if page > 1 else {})) + "#reply", 303)


WATCH_MESSAGES = {"watch": _l("You are watching this thread: replies are sent to you."),
                  "mute": _l("This thread is muted: you will hear nothing about it."),
                  "none": _l("You have stopped watching this thread.")}


@bp.post("/t/<int:thread_id>/watch")
def watch(thread_id: int):
    thread = load_thread(thread_id, need="thread.watch")
    form = WatchForm()
    return submit(
        form, lambda: services.watch(current_user, thread, form.state.data),
        page=lambda: render("forum/thread.html", thread_context(thread, watch_form=form)),
        done=lambda _none: see_other(
            url_for("forum.thread", thread_id=thread.id, slug=thread.slug),
            str(WATCH_MESSAGES[form.state.data])))


# --- a post --------------------------------------------------------------------------------------

def one_post(post: Post, announce: str | None = None):
    """The post alone, as it stands in its thread's page: for htmx's #p<id>."""
    return render("forum/thread.html", thread_context(post.thread, focus=post,
                                                      announce=announce),
                  fragments={f"p{post.id}": "one_post"})


@bp.get("/p/<int:post_id>")
def post(post_id: int):
    """A post's lasting address: its thread, at the page and place it is on now."""
    post = load_post(post_id)
    if wants(f"p{post.id}"):
        return one_post(post)
    return redirect(reads.post_path(post, current_user), 303)


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    post = load_post(post_id, need="post.edit")
    form = EditPostForm(obj=post)

    def saved(_none):
        if wants(f"p{post.id}"):
            return one_post(post, announce=_("Your post is saved."))
        return see_other(reads.post_path(post, current_user), _("Your post is saved."))

    return submit(
        form, lambda: services.edit_post(post, form.body.data),
        page=lambda: render("forum/edit_post.html", post=post, form=form,
                            fragments={f"p{post.id}": "edit_form"}),
        record=post, done=saved)


@bp.get("/p/<int:post_id>/history")
def post_history(post_id: int):
    post = load_post(post_id, need="post.history")
    return render("forum/post_history.html", post=post, revisions=reads.revisions(post))


@bp.route("/p/<int:post_id>/flag", methods=["GET", "POST"])
def flag_post(post_id: int):
    post = load_post(post_id, need="post.flag")
    form = FlagForm()
    return submit(
        form, lambda: services.flag(post, current_user, form.reason.data),
        page=lambda: render("forum/flag.html", post=post, form=form),
        done=lambda _flag: see_other(reads.post_path(post, current_user),
                                     _("Thank you. The coordinators will look at this post.")))
