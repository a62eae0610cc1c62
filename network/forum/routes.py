"""Forum pages for reading and writing: categories, threads, replies and posts.

The coordinators' moderation (`forum/moderation.py`) and category admin
(`forum/categories.py`) add their routes to the same blueprint.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from network.auth.models import Person
from network.core.concurrency import save_versioned, submit_once
from network.core.forms import EmptyForm
from network.core.htmx import form_status, render, wants
from network.core.pagination import paginate
from network.core.permissions import authorize, can, load, me, visible
from network.extensions import db
from network.forum import services
from network.forum.forms import (
    EditPostForm,
    FlagForm,
    QuoteForm,
    ReplyForm,
    ThreadForm,
    WatchForm,
)
from network.forum.models import (
    Category,
    Post,
    PostState,
    Thread,
    ThreadRead,
    active_pause,
)
from network.forum.policies import post_access, thread_access
from network.members.models import Organisation

bp = Blueprint("forum", __name__, url_prefix="/forum")

HELD_MESSAGE = _l("Thank you. New members' first posts are read by a coordinator before "
                  "everyone sees them; we will let you know.")


def readable_categories() -> list[Category]:
    return list(db.session.scalars(visible(
        select(Category).where(Category.archived_at.is_(None))
        .order_by(Category.position, Category.name))))


@bp.get("")
def index():
    authorize("forum.view")
    return render("forum/index.html", categories=readable_categories(),
                  moderate=can("forum.moderate"))


# The forum is for people who have logged in: visitors are asked to, before anything is
# looked up, so that what they may not see is never told apart from what does not exist.
def load_category(category_id: int, need: str = "category.view") -> Category:
    authorize("forum.view")
    return load(Category, category_id, need=need, visible="category.view")


def category_context(category: Category) -> dict:
    # The category keeps count of its threads that are not held; those held that the reader
    # may see (their own, or all for coordinators) are few, and counted apart.
    held_seen = db.session.scalar(visible(
        select(func.count(Thread.id)).where(Thread.category_id == category.id,
                                            Thread.held.is_(True)), Thread))
    page = paginate(visible(
        select(Thread).where(Thread.category_id == category.id)
        .options(joinedload(Thread.author).load_only(Person.display_name),
                 joinedload(Thread.organisation).load_only(Organisation.name))
        .order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())),
        total=category.thread_count + held_seen)
    read_up_to = dict(db.session.execute(
        select(ThreadRead.thread_id, ThreadRead.last_read_post_id)
        .where(ThreadRead.person_id == current_user.id,
               ThreadRead.thread_id.in_([t.id for t in page.items])))
        .tuples().all()) if page.items else {}
    return {"category": category, "page": page, "read_up_to": read_up_to,
            "can_post": can("category.post", category)}


@bp.get("/c/<int:category_id>")
@bp.get("/c/<int:category_id>-<slug>")
def category(category_id: int, slug: str | None = None):
    category = load_category(category_id)
    if slug != category.slug:
        return redirect(url_for("forum.category", category_id=category.id,
                                slug=category.slug), 301)
    return render("forum/category.html", category_context(category), fragments=("threads",))


@bp.route("/c/<int:category_id>/new", methods=["GET", "POST"])
def new_thread(category_id: int):
    category = load_category(category_id, need="category.post")
    form = ThreadForm()
    if form.validate_on_submit():
        thread = post_once(form.submission.data, lambda: services.start_thread(
            category, current_user, form.title.data, form.body.data,
            form.submission.data)).thread
        if thread.held:
            flash(HELD_MESSAGE, "success")
        return redirect(url_for("forum.thread", thread_id=thread.id, slug=thread.slug), 303)
    return render("forum/new_thread.html", category=category, form=form,
                  status=form_status(form))


def post_once(submission_key: str | None, write) -> Post:
    """The post a form makes, once however often it is sent (core.concurrency); someone
    else's key, or a post since moved out of sight, gets nothing back."""
    post = submit_once(submission_key,
                       lambda key: services.existing_submission(key, current_user), write)
    if post is None or not can("post.view", post):
        abort(409)
    return post


# --- a thread ------------------------------------------------------------------------------------

def load_thread(thread_id: int, need: str = "thread.view") -> Thread:
    authorize("forum.view")
    return load(Thread, thread_id, need=need, visible="thread.view",
                options=(joinedload(Thread.category),))


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
        page_number = services.page_of(focus, viewer)
    page = paginate(services.visible_posts(thread, viewer).options(
        joinedload(Post.author).load_only(Person.display_name),
        joinedload(Post.organisation).load_only(Organisation.name)), page=page_number)
    read_up_to, watching = services.reader_state(viewer, thread)
    context = {
        "thread": thread, "access": access, "page": page, "current_page": page.page,
        "posts": [(post, post_access(viewer, post, access)) for post in page.items],
        "read_up_to": read_up_to,
        "form": reply_form or ReplyForm(formdata=None),
        "watch_form": watch_form or WatchForm(formdata=None), "button_form": EmptyForm(),
        "watching": watching,
        "pause": active_pause(viewer), "draft_sent": draft_sent,
        "is_member": viewer.is_member,
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
        if quoted and quoted.thread_id == thread.id and quoted.state == PostState.VISIBLE:
            typed = quoting.body.data or ""
            reply_form.body.data = (typed + "\n\n" if typed.strip() else "") + \
                services.quote(quoted)
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
    post = services.first_unread(thread, current_user)
    if post is None:
        post = db.session.get(Post, thread.last_post_id) if thread.last_post_id else None
    if post is None:
        return redirect(url_for("forum.thread", thread_id=thread.id, slug=thread.slug), 303)
    return redirect(services.post_path(post, current_user), 303)


@bp.post("/t/<int:thread_id>/reply")
def reply(thread_id: int):
    thread = load_thread(thread_id, need="thread.reply")
    form = ReplyForm()
    if not form.validate_on_submit():
        # Without JavaScript this page's address is .../reply#reply (the form's action), so
        # the browser opens it at the form and its errors, not at the top of a long thread.
        return render("forum/thread.html", thread_context(
            thread, reply_form=form, page_number=form.page.data), fragments=THREAD_BLOCKS,
            status=422)
    post = post_once(form.submission.data, lambda: services.reply(
        thread, current_user, form.body.data, form.submission.data))
    page = services.page_of(post, current_user)
    if wants("reply") and form.page.data == page:
        # The new post joins the list in place, out of band, with a fresh form.
        return render("forum/thread.html", thread_context(
            thread, page_number=page, new_post=post, draft_sent=True),
            fragments=THREAD_BLOCKS)
    path = services.post_path(post, current_user, page)
    if post.state == PostState.HELD:  # shown in place, the held post says so itself
        flash(HELD_MESSAGE, "success")
    if request.htmx:
        # The post landed on another page: htmx goes there. A redirect would be followed
        # inside the request, and the whole page swapped into the reply form.
        return "", 204, {"HX-Location": path}
    session["draft_sent"] = thread.id
    return redirect(path, 303)


@bp.get("/t/<int:thread_id>/reply")
def reply_page(thread_id: int):
    """The reply address opened or reloaded (after a refused reply, without JavaScript):
    back to the thread's newest posts, at the reply form."""
    thread = load_thread(thread_id)
    page = services.last_page(thread, current_user)
    return redirect(url_for("forum.thread", thread_id=thread.id, slug=thread.slug,
                            **({"page": page} if page > 1 else {})) + "#reply", 303)


@bp.post("/t/<int:thread_id>/watch")
def watch(thread_id: int):
    thread = load_thread(thread_id, need="thread.watch")
    form = WatchForm()
    if not form.validate_on_submit():
        return render("forum/thread.html", thread_context(thread, watch_form=form),
                      status=422)
    state = form.state.data
    services.watch(current_user, thread, state)
    db.session.commit()
    flash({"watch": _("You are watching this thread: replies are sent to you."),
           "mute": _("This thread is muted: you will hear nothing about it."),
           "none": _("You have stopped watching this thread.")}[state], "success")
    return redirect(url_for("forum.thread", thread_id=thread.id, slug=thread.slug), 303)


# --- a post --------------------------------------------------------------------------------------

def load_post(post_id: int, need: str = "post.view") -> Post:
    authorize("forum.view")
    return load(Post, post_id, need=need, visible="post.view",
                options=(joinedload(Post.thread).joinedload(Thread.category),))


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
    return redirect(services.post_path(post, current_user), 303)


def edit_context(post: Post, form: EditPostForm, conflict: bool) -> dict:
    return {"post": post, "form": form, "conflict": conflict}


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    post = load_post(post_id, need="post.edit")
    form = EditPostForm(obj=post)
    conflict = False
    if form.validate_on_submit():
        if save_versioned(post, form.version, lambda: services.edit_post(post, form.body.data)):
            if wants(f"p{post.id}"):
                return one_post(post, announce=_("Your post is saved."))
            flash(_("Your post is saved."), "success")
            return redirect(services.post_path(post, current_user), 303)
        conflict = True
    return render("forum/edit_post.html", edit_context(post, form, conflict),
                  fragments={f"p{post.id}": "edit_form"},
                  status=409 if conflict else form_status(form))


@bp.get("/p/<int:post_id>/history")
def post_history(post_id: int):
    post = load_post(post_id, need="post.history")
    return render("forum/post_history.html", post=post, revisions=services.revisions(post))


@bp.route("/p/<int:post_id>/flag", methods=["GET", "POST"])
def flag_post(post_id: int):
    post = load_post(post_id, need="post.flag")
    form = FlagForm()
    if form.validate_on_submit():
        services.flag(post, current_user, form.reason.data)
        db.session.commit()
        flash(_("Thank you. The coordinators will look at this post."), "success")
        return redirect(services.post_path(post, current_user), 303)
    return render("forum/flag.html", post=post, form=form, status=form_status(form))


# The coordinators' routes join this blueprint.
from network.forum import categories, moderation  # noqa: E402, F401
