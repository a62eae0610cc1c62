"""The coordinators' side of the forum: the moderation queue, approving, hiding and restoring
posts, managing threads (lock, pin, move, rename) and pausing someone's posting."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from network.auth.models import Person
from network.core.forms import EmptyForm
from network.core.htmx import form_status, render
from network.core.permissions import authorize, load
from network.core.time import now
from network.extensions import db
from network.forum import services
from network.forum.forms import (
    HideForm,
    ModerationActionForm,
    MoveForm,
    PauseForm,
    RenameForm,
    RestoreForm,
)
from network.forum.models import Category, Flag, Post, PostState, Thread, active_pause
from network.forum.routes import bp, load_post, load_thread, readable_categories

MODERATION_PAGE = 20  # the oldest first; dealing with them brings up the next


def moderation_context(refused: ModerationActionForm | None = None) -> dict:
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
    return {"held": held, "flagged": flagged, "reasons": reasons, "form": EmptyForm(),
            "hide_form": HideForm(formdata=None), "refused": refused}


@bp.get("/moderation")
def moderation():
    authorize("forum.moderate")
    return render("forum/moderation.html", moderation_context())


def refused_on_the_queue(form: ModerationActionForm):
    return render("forum/moderation.html", moderation_context(refused=form), status=422)


def back_to(post: Post, target: str = "post"):
    if target == "moderation":
        return redirect(url_for("forum.moderation"), 303)
    return redirect(services.post_path(post, current_user), 303)


@bp.post("/p/<int:post_id>/approve")
def approve_post(post_id: int):
    post = load_post(post_id, need="post.moderate")
    form = ModerationActionForm()
    if not form.validate_on_submit():
        return refused_on_the_queue(form)
    if post.state == PostState.HELD:
        services.approve(post, current_user)
        db.session.commit()
        flash(_("Approved: everyone can see the post now."), "success")
    elif post.state == PostState.VISIBLE:
        flash(_("That post was already approved."), "info")
    else:
        flash(_("That post is hidden, not waiting for approval."), "info")
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
        flash(_("That post is not hidden."), "info")
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
        return refused_on_the_queue(form)
    if services.dismiss_flags(post, current_user):
        db.session.commit()
        flash(_("The flags are dismissed; the post stays."), "success")
    else:
        flash(_("That post has no flags waiting: they were already dealt with."), "info")
    return back_to(post, form.next.data)


# --- managing a thread ---------------------------------------------------------------------------

def manage_context(thread: Thread, move_form: MoveForm | None = None,
                   rename_form: RenameForm | None = None) -> dict:
    return {
        "thread": thread, "form": EmptyForm(),
        "move_form": move_form or MoveForm(readable_categories(), formdata=None,
                                           category=str(thread.category_id)),
        "rename_form": rename_form or RenameForm(formdata=None, title=thread.title),
    }


@bp.get("/t/<int:thread_id>/manage")
def manage_thread(thread_id: int):
    thread = load_thread(thread_id, need="thread.moderate")
    return render("forum/manage_thread.html", manage_context(thread))


THREAD_STATES = {"lock": ("locked", True), "unlock": ("locked", False),
                 "pin": ("pinned", True), "unpin": ("pinned", False)}


@bp.post("/t/<int:thread_id>/<any(lock, unlock, pin, unpin):action>")
def set_thread_state(thread_id: int, action: str):
    thread = load_thread(thread_id, need="thread.moderate")
    name, value = THREAD_STATES[action]
    if EmptyForm().validate_on_submit():
        if getattr(thread, name) != value:
            services.set_thread_state(thread, current_user, name, value)
            db.session.commit()
            flash({"lock": _("The thread is locked: no one can reply."),
                   "unlock": _("The thread is open for replies again."),
                   "pin": _("The thread is pinned to the top of its category."),
                   "unpin": _("The thread is no longer pinned.")}[action], "success")
        else:
            flash({"lock": _("The thread was already locked."),
                   "unlock": _("The thread was already open for replies."),
                   "pin": _("The thread was already pinned."),
                   "unpin": _("The thread was not pinned.")}[action], "info")
    return redirect(url_for("forum.manage_thread", thread_id=thread.id), 303)


@bp.route("/t/<int:thread_id>/move", methods=["GET", "POST"])
def move_thread(thread_id: int):
    thread = load_thread(thread_id, need="thread.moderate")
    if request.method == "GET":  # the address of a refused form, opened again
        return redirect(url_for("forum.manage_thread", thread_id=thread.id) + "#move", 303)
    form = MoveForm(readable_categories())
    if form.validate_on_submit():
        target = db.session.get(Category, int(form.category.data))
        if target.id != thread.category_id:
            services.move(thread, current_user, target)
            db.session.commit()
            flash(_("Moved to %(name)s.", name=target.name), "success")
        else:
            flash(_("The thread is already in %(name)s.", name=target.name), "info")
        return redirect(url_for("forum.manage_thread", thread_id=thread.id), 303)
    return render("forum/manage_thread.html", manage_context(thread, move_form=form),
                  status=422)


@bp.route("/t/<int:thread_id>/rename", methods=["GET", "POST"])
def rename_thread(thread_id: int):
    thread = load_thread(thread_id, need="thread.moderate")
    if request.method == "GET":  # the address of a refused form, opened again
        return redirect(url_for("forum.manage_thread", thread_id=thread.id) + "#rename", 303)
    form = RenameForm()
    if form.validate_on_submit():
        if form.title.data != thread.title:
            services.rename(thread, current_user, form.title.data)
            db.session.commit()
            flash(_("Renamed."), "success")
        else:
            flash(_("That is already its title."), "info")
        return redirect(url_for("forum.manage_thread", thread_id=thread.id), 303)
    return render("forum/manage_thread.html", manage_context(thread, rename_form=form),
                  status=422)


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
    if EmptyForm().validate_on_submit():
        if active_pause(person) is not None:
            services.lift_pauses(person, current_user)
            db.session.commit()
            flash(_("%(name)s can post again.", name=person.display_name), "success")
        else:
            flash(_("%(name)s was not paused: they can post.", name=person.display_name),
                  "info")
    return redirect(url_for("coordination.person", person_id=person.id), 303)
