"""Forum pages: categories, threads, posts, and the coordinators' moderation."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from network.auth.models import Person
from network.core import audit
from network.core.audience import Audience
from network.core.concurrency import save_versioned, submit_once
from network.core.db import parse_id
from network.core.forms import EmptyForm
from network.core.htmx import form_status, render
from network.core.pagination import paginate
from network.core.permissions import authorize, can, load, visible
from network.core.time import now
from network.extensions import db
from network.forum import services
from network.forum.forms import (
    CategoryForm,
    EditCategoryForm,
    EditPostForm,
    FlagForm,
    HideForm,
    ModerationActionForm,
    MoveForm,
    PauseForm,
    RenameForm,
    ReplyForm,
    RestoreForm,
    ThreadForm,
    WatchForm,
)
from network.forum.models import (
    POSTS_PER_PAGE,
    THREADS_PER_PAGE,
    Category,
    Flag,
    Post,
    PostState,
    Thread,
    ThreadRead,
    active_pause,
)

bp = Blueprint("forum", __name__, url_prefix="/forum")

MODERATION_PAGE = 20  # the oldest first; dealing with them brings up the next

HELD_MESSAGE = _l("Thank you. New members' first posts are read by a coordinator before "
                  "everyone sees them; we will let you know.")


def readable_categories():
    return list(db.session.scalars(visible(
        select(Category).where(Category.archived_at.is_(None))
        .order_by(Category.position, Category.name))))


@bp.get("")
def index():
    authorize("forum.view")
    return render("forum/index.html", categories=readable_categories())


# The forum is for people who have logged in: visitors are asked to, before anything is
# looked up, so that what they may not see is never told apart from what does not exist.
def load_category(category_id: int, need: str = "category.view") -> Category:
    authorize("forum.view")
    return load(Category, category_id, need=need, visible="category.view")


@bp.get("/c/<int:category_id>")
@bp.get("/c/<int:category_id>-<slug>")
def category(category_id: int, slug: str | None = None):
    category = load_category(category_id)
    if slug != category.slug:
        return redirect(url_for("forum.category", category_id=category.id,
                                slug=category.slug), 301)
    query = visible(
        select(Thread).where(Thread.category_id == category.id)
        .options(joinedload(Thread.author), joinedload(Thread.organisation))
        .order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc()))
    page = paginate(query, per_page=THREADS_PER_PAGE)
    read_up_to = dict(db.session.execute(
        select(ThreadRead.thread_id, ThreadRead.last_read_post_id)
        .where(ThreadRead.person_id == current_user.id,
               ThreadRead.thread_id.in_([t.id for t in page.items])))
        .tuples().all()) if page.items else {}
    return render("forum/category.html", fragments=("threads",), category=category, page=page,
                  read_up_to=read_up_to)


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


def load_thread(thread_id: int, need: str = "thread.view") -> Thread:
    authorize("forum.view")
    return load(Thread, thread_id, need=need, visible="thread.view",
                options=(joinedload(Thread.category),))


def thread_page(thread: Thread, reply_form: ReplyForm, status: int = 200,
                page_number: int | None = None, watch_form: WatchForm | None = None):
    """The thread page (or the block htmx asked for) with one page of posts."""
    page = paginate(services.visible_posts(thread, current_user)
                    .options(joinedload(Post.author), joinedload(Post.organisation)),
                    per_page=POSTS_PER_PAGE, page=page_number)
    read_up_to = services.last_read(current_user, thread)
    quoting = request.args.get("quote", type=parse_id)
    if quoting and request.method == "GET":
        quoted = db.session.get(Post, quoting)
        if quoted and quoted.thread_id == thread.id and quoted.state == PostState.VISIBLE:
            typed = request.args.get("body", "")
            reply_form.body.data = (typed.rstrip() + "\n\n" if typed.strip() else "") + \
                services.quote(quoted)
    response = render(
        "forum/thread.html", fragments=("posts", "reply"), thread=thread, page=page,
        current_page=page.page, read_up_to=read_up_to, form=reply_form,
        watching=services.watching(current_user, thread), watch_form=watch_form,
        pause=active_pause(current_user),
        draft_sent=session.pop("draft_sent", None) == thread.id, status=status)
    newest = max((post.id for post in page.items), default=0)
    if newest > read_up_to and request.method == "GET":
        services.mark_read(current_user.id, thread.id, newest)
    return response


@bp.get("/t/<int:thread_id>")
@bp.get("/t/<int:thread_id>-<slug>")
def thread(thread_id: int, slug: str | None = None):
    thread = load_thread(thread_id)
    if slug != thread.slug:
        return redirect(url_for("forum.thread", thread_id=thread.id, slug=thread.slug,
                                **request.args.to_dict()), 301)
    return thread_page(thread, ReplyForm(formdata=None))


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
        if request.htmx:
            return reply_block(thread, form, 422, form.page.data or 1)
        return thread_page(thread, form, 422, page_number=form.page.data)
    post = post_once(form.submission.data, lambda: services.reply(
        thread, current_user, form.body.data, form.submission.data))
    page = services.page_of(post, current_user)
    if request.htmx and form.page.data == page:
        return reply_block(thread, ReplyForm(formdata=None), 200, page, new_post=post)
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


def reply_block(thread: Thread, form: ReplyForm, status: int, current_page: int,
                new_post: Post | None = None):
    """For htmx: the reply form (fresh, or with its errors), and the new post and reply count
    swapped in out of band."""
    body = render_block("forum/thread.html", "reply", thread=thread, form=form,
                        new_post=new_post, current_page=current_page,
                        pause=active_pause(current_user), draft_sent=new_post is not None,
                        read_up_to=new_post.id if new_post else 0)
    return body, status


@bp.post("/t/<int:thread_id>/watch")
def watch(thread_id: int):
    thread = load_thread(thread_id, need="thread.watch")
    form = WatchForm()
    if not form.validate_on_submit():
        return thread_page(thread, ReplyForm(formdata=None), 422, watch_form=form)
    state = form.state.data
    services.watch(current_user, thread, state)
    db.session.commit()
    flash({"watch": _("You are watching this thread: replies are sent to you."),
           "mute": _("This thread is muted: you will hear nothing about it."),
           "none": _("You have stopped watching this thread.")}[state], "success")
    return redirect(url_for("forum.thread", thread_id=thread.id, slug=thread.slug), 303)


# --- posts ---------------------------------------------------------------------------------------

def load_post(post_id: int, need: str = "post.view") -> Post:
    authorize("forum.view")
    return load(Post, post_id, need=need, visible="post.view",
                options=(joinedload(Post.thread).joinedload(Thread.category),))


@bp.get("/p/<int:post_id>")
def post(post_id: int):
    post = load_post(post_id)
    if request.htmx and request.htmx.target == f"p{post.id}":
        return render_block("forum/thread.html", "one_post", post=post, thread=post.thread,
                            read_up_to=post.id)
    return redirect(services.post_path(post, current_user), 303)


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    post = load_post(post_id, need="post.edit")
    form = EditPostForm(obj=post)
    conflict = None
    if form.validate_on_submit():
        if save_versioned(post, form.version, lambda: services.edit_post(post, form.body.data)):
            if request.htmx:
                return render_block("forum/thread.html", "one_post", post=post,
                                    thread=post.thread, read_up_to=post.id)
            flash(_("Your post is saved."), "success")
            return redirect(services.post_path(post, current_user), 303)
        conflict = post
    status = 409 if conflict is not None else form_status(form)
    if request.htmx and request.htmx.target == f"p{post.id}":
        return render_block("forum/edit_post.html", "edit_form", post=post, form=form,
                            conflict=conflict), status
    return render("forum/edit_post.html", post=post, form=form, conflict=conflict,
                  status=status)


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


# --- moderation ----------------------------------------------------------------------------------

@bp.get("/moderation")
def moderation(refused: ModerationActionForm | None = None):
    authorize("forum.moderate")
    held = list(db.session.scalars(
        select(Post).where(Post.state == PostState.HELD)
        .options(joinedload(Post.author), joinedload(Post.thread).joinedload(Thread.category))
        .order_by(Post.id).limit(MODERATION_PAGE)))
    open_flags = (select(Flag.post_id, func.count().label("flags"),
                         func.min(Flag.created_at).label("first"))
                  .where(Flag.resolved_at.is_(None)).group_by(Flag.post_id).subquery())
    flagged = list(db.session.execute(
        select(Post, open_flags.c.flags).join(open_flags, open_flags.c.post_id == Post.id)
        .options(joinedload(Post.author), joinedload(Post.thread))
        .order_by(open_flags.c.first).limit(MODERATION_PAGE)).tuples())
    reasons: dict[int, list[Flag]] = {}
    if flagged:
        for flag in db.session.scalars(
                select(Flag).where(Flag.post_id.in_([p.id for p, _n in flagged]),
                                   Flag.resolved_at.is_(None))
                .options(selectinload(Flag.person)).order_by(Flag.id)):
            reasons.setdefault(flag.post_id, []).append(flag)
    return render("forum/moderation.html", held=held, flagged=flagged, reasons=reasons,
                  form=EmptyForm(), hide_form=HideForm(formdata=None), refused=refused,
                  status=422 if refused else 200)


def back_to(post: Post, target: str = "post"):
    if target == "moderation":
        return redirect(url_for("forum.moderation"), 303)
    return redirect(services.post_path(post, current_user), 303)


@bp.post("/p/<int:post_id>/approve")
def approve_post(post_id: int):
    post = load_post(post_id, need="post.moderate")
    form = ModerationActionForm()
    if not form.validate_on_submit():
        return moderation(refused=form)
    if post.state == PostState.HELD:
        services.approve(post, current_user)
        db.session.commit()
        flash(_("Approved: everyone can see the post now."), "success")
    return back_to(post, form.next.data)


@bp.route("/p/<int:post_id>/hide", methods=["GET", "POST"])
def hide_post(post_id: int):
    post = load_post(post_id, need="post.moderate")
    form = HideForm()
    if post.state == PostState.HIDDEN:
        flash(_("That post is already hidden."), "info")
        return back_to(post)
    if form.validate_on_submit():
        services.hide(post, current_user, form.reason.data)
        db.session.commit()
        flash(_("The post is hidden and its author has been told why."), "success")
        return back_to(post)
    return render("forum/hide.html", post=post, form=form, status=form_status(form))


@bp.route("/p/<int:post_id>/restore", methods=["GET", "POST"])
def restore_post(post_id: int):
    post = load_post(post_id, need="post.moderate")
    form = RestoreForm()
    if post.state != PostState.HIDDEN:
        return back_to(post)
    if form.validate_on_submit():
        services.restore(post, current_user, form.reason.data or "")
        db.session.commit()
        flash(_("The post is back, and its author has been told."), "success")
        return back_to(post)
    return render("forum/restore.html", post=post, form=form, status=form_status(form))


@bp.post("/p/<int:post_id>/dismiss-flags")
def dismiss_flags(post_id: int):
    post = load_post(post_id, need="post.moderate")
    form = ModerationActionForm()
    if not form.validate_on_submit():
        return moderation(refused=form)
    services.dismiss_flags(post, current_user)
    db.session.commit()
    flash(_("The flags are dismissed; the post stays."), "success")
    return back_to(post, form.next.data)


@bp.get("/t/<int:thread_id>/manage")
def manage_thread(thread_id: int, move_form=None, rename_form=None, status=200):
    thread = load_thread(thread_id, need="thread.moderate")
    move_form = move_form or MoveForm(readable_categories(), formdata=None,
                                      category=str(thread.category_id))
    rename_form = rename_form or RenameForm(formdata=None, title=thread.title)
    return render("forum/manage_thread.html", thread=thread, form=EmptyForm(),
                  move_form=move_form, rename_form=rename_form, status=status)


@bp.post("/t/<int:thread_id>/<any(lock, unlock, pin, unpin):action>")
def set_thread_flag(thread_id: int, action: str):
    thread = load_thread(thread_id, need="thread.moderate")
    name, value = {"lock": ("locked", True), "unlock": ("locked", False),
                   "pin": ("pinned", True), "unpin": ("pinned", False)}[action]
    if EmptyForm().validate_on_submit() and getattr(thread, name) != value:
        services.set_thread_flag(thread, current_user, name, value)
        db.session.commit()
        flash({"lock": _("The thread is locked: no one can reply."),
               "unlock": _("The thread is open for replies again."),
               "pin": _("The thread is pinned to the top of its category."),
               "unpin": _("The thread is no longer pinned.")}[action], "success")
    return redirect(url_for("forum.manage_thread", thread_id=thread.id), 303)


@bp.post("/t/<int:thread_id>/move")
def move_thread(thread_id: int):
    thread = load_thread(thread_id, need="thread.moderate")
    form = MoveForm(readable_categories())
    if form.validate_on_submit():
        target = db.session.get(Category, int(form.category.data))
        if target.id != thread.category_id:
            services.move(thread, current_user, target)
            db.session.commit()
            flash(_("Moved to %(name)s.", name=target.name), "success")
        return redirect(url_for("forum.manage_thread", thread_id=thread.id), 303)
    return manage_thread(thread_id, move_form=form, status=422)


@bp.post("/t/<int:thread_id>/rename")
def rename_thread(thread_id: int):
    thread = load_thread(thread_id, need="thread.moderate")
    form = RenameForm()
    if form.validate_on_submit():
        if form.title.data != thread.title:
            services.rename(thread, current_user, form.title.data)
            db.session.commit()
            flash(_("Renamed."), "success")
        return redirect(url_for("forum.manage_thread", thread_id=thread.id), 303)
    return manage_thread(thread_id, rename_form=form, status=422)


# --- categories ------------------------------------------------------------------------------

@bp.route("/categories", methods=["GET", "POST"])
def categories():
    authorize("forum.manage_categories")
    form = CategoryForm()
    if form.validate_on_submit():
        category = Category()
        form.populate_obj(category)
        category.audience = Audience(form.audience.data)
        db.session.add(category)
        db.session.flush()
        audit.record("category.create", category, f"Created the forum category "
                     f"{category.name}")
        db.session.commit()
        flash(_("The category %(name)s is made.", name=category.name), "success")
        return redirect(url_for("forum.categories"), 303)
    every = list(db.session.scalars(select(Category).order_by(
        Category.archived_at.is_not(None), Category.position, Category.name)))
    return render("forum/categories.html", categories=every, form=form,
                  status=form_status(form))


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def edit_category(category_id: int):
    category = load(Category, category_id, need="forum.manage_categories")
    form = EditCategoryForm(obj=category)
    if form.validate_on_submit():
        before = {"name": category.name, "audience": category.audience.value,
                  "position": category.position}
        form.populate_obj(category)
        category.audience = Audience(form.audience.data)
        if form.archive.data == "1":
            category.archived_at = category.archived_at or now()
        elif form.archive.data == "0":
            category.archived_at = None
        audit.record("category.edit", category, f"Changed the forum category {category.name}",
                     before=before)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("forum.categories"), 303)
    if request.method == "GET":
        form.audience.data = category.audience.value
    return render("forum/edit_category.html", category=category, form=form,
                  status=form_status(form))


# --- posting pauses ------------------------------------------------------------------------------

@bp.route("/people/<int:person_id>/pause", methods=["GET", "POST"])
def pause_posting(person_id: int):
    person = load(Person, person_id, need="posting.pause")
    form = PauseForm()
    if form.validate_on_submit():
        until = now() + timedelta(days=int(form.days.data))
        services.pause_posting(person, current_user, form.reason.data, until)
        db.session.commit()
        flash(_("%(name)s cannot post until %(until)s.", name=person.display_name,
                until=until.strftime("%d %B %Y")), "success")
        return redirect(url_for("coordination.person", person_id=person.id), 303)
    return render("forum/pause.html", person=person, form=form, pause=active_pause(person),
                  status=form_status(form))


@bp.post("/people/<int:person_id>/lift-pause")
def lift_pause(person_id: int):
    person = load(Person, person_id, need="posting.pause")
    if EmptyForm().validate_on_submit() and active_pause(person) is not None:
        services.lift_pauses(person, current_user)
        db.session.commit()
        flash(_("%(name)s can post again.", name=person.display_name), "success")
    return redirect(url_for("coordination.person", person_id=person.id), 303)
