"""The coordinators' side of the forum: the moderation queue, approving, hiding and restoring
posts, managing threads (lock, pin, move, rename) and pausing someone's posting."""

from __future__ import annotations

from datetime import timedelta

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.auth.models import Person
from network.core.forms import EmptyForm
from network.core.htmx import render, see_other
from network.core.permissions import authorize, load
from network.core.submit import submit
from network.core.time import format_day, now
from network.extensions import db
from network.forum import reads, services
from network.forum.blueprint import bp, load_post, load_thread, readable_categories
from network.forum.forms import (
    HideForm,
    ModerationActionForm,
    MoveForm,
    PauseForm,
    RenameForm,
    RestoreForm,
)
from network.forum.models import Category, Post, PostState, Thread, active_pause

MODERATION_PAGE = 20  # the oldest first; dealing with them brings up the next


def moderation_context(refused: ModerationActionForm | None = None) -> dict:
    return {**reads.moderation_queue(MODERATION_PAGE), "form": EmptyForm(),
            "hide_form": HideForm(formdata=None), "refused": refused}


@bp.get("/moderation")
def moderation():
    authorize("forum.moderate")
    return render("forum/moderation.html", moderation_context())


def refused_on_the_queue(form: ModerationActionForm):
    return render("forum/moderation.html", moderation_context(refused=form))


def back_to(post: Post, target: str = "post") -> str:
    if target == "moderation":
        return url_for("forum.moderation")
    return reads.post_path(post, current_user)


@bp.post("/p/<int:post_id>/approve")
def approve_post(post_id: int):
    post = load_post(post_id, need="post.moderate")
    form = ModerationActionForm()
    return submit(
        form, lambda: services.approve(post, current_user),
        page=lambda: refused_on_the_queue(form),
        done=lambda approved: see_other(
            back_to(post, form.next.data), _("Approved: everyone can see the post now."),
            already=(_("That post was already approved.") if post.state == PostState.VISIBLE
                     else _("That post is hidden, not waiting for approval.")),
            changed=approved))


@bp.route("/p/<int:post_id>/hide", methods=["GET", "POST"])
def hide_post(post_id: int):
    post = load_post(post_id, need="post.moderate")
    form = HideForm()
    already = _("That post is already hidden.")

    def page():
        if post.state == PostState.HIDDEN:  # no form to show: it is done
            return see_other(back_to(post), already=already, changed=False)
        return render("forum/hide.html", post=post, form=form)

    return submit(
        form, lambda: services.hide(post, current_user, form.reason.data), page=page,
        done=lambda hidden: see_other(
            back_to(post), _("The post is hidden and its author has been told why."),
            already=already, changed=hidden))


@bp.route("/p/<int:post_id>/restore", methods=["GET", "POST"])
def restore_post(post_id: int):
    post = load_post(post_id, need="post.moderate")
    form = RestoreForm()
    already = _("That post is not hidden.")

    def page():
        if post.state != PostState.HIDDEN:  # nothing to restore
            return see_other(back_to(post), already=already, changed=False)
        return render("forum/restore.html", post=post, form=form)

    return submit(
        form, lambda: services.restore(post, current_user, form.reason.data or ""), page=page,
        done=lambda restored: see_other(
            back_to(post), _("The post is back, and its author has been told."),
            already=already, changed=restored))


@bp.post("/p/<int:post_id>/dismiss-flags")
def dismiss_flags(post_id: int):
    post = load_post(post_id, need="post.moderate")
    form = ModerationActionForm()
    return submit(
        form, lambda: services.dismiss_flags(post, current_user),
        page=lambda: refused_on_the_queue(form),
        done=lambda dismissed: see_other(
            back_to(post, form.next.data), _("The flags are dismissed; the post stays."),
            already=_("That post has no flags waiting: they were already dealt with."),
            changed=dismissed))


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


def managed(thread: Thread) -> str:
    return url_for("forum.manage_thread", thread_id=thread.id)


THREAD_STATES = {"lock": ("locked", True), "unlock": ("locked", False),
                 "pin": ("pinned", True), "unpin": ("pinned", False)}


@bp.post("/t/<int:thread_id>/<any(lock, unlock, pin, unpin):action>")
def set_thread_state(thread_id: int, action: str):
    thread = load_thread(thread_id, need="thread.moderate")
    name, value = THREAD_STATES[action]
    return submit(
        EmptyForm(), lambda: services.set_thread_state(thread, current_user, name, value),
        page=lambda: redirect(managed(thread), 303),
        done=lambda changed: see_other(
            managed(thread),
            {"lock": _("The thread is locked: no one can reply."),
             "unlock": _("The thread is open for replies again."),
             "pin": _("The thread is pinned to the top of its category."),
             "unpin": _("The thread is no longer pinned.")}[action],
            already={"lock": _("The thread was already locked."),
                     "unlock": _("The thread was already open for replies."),
                     "pin": _("The thread was already pinned."),
                     "unpin": _("The thread was not pinned.")}[action],
            changed=changed))


@bp.route("/t/<int:thread_id>/move", methods=["GET", "POST"])
def move_thread(thread_id: int):
    thread = load_thread(thread_id, need="thread.moderate")
    if request.method == "GET":  # the address of a refused form, opened again
        return redirect(managed(thread) + "#move", 303)
    form = MoveForm(readable_categories())
    # Moved or not, the thread is in the category chosen now.
    return submit(
        form, lambda: services.move(thread, current_user,
                                    db.session.get(Category, int(form.category.data))),
        page=lambda: render("forum/manage_thread.html", manage_context(thread, move_form=form)),
        done=lambda moved: see_other(
            managed(thread), _("Moved to %(name)s.", name=thread.category.name),
            already=_("The thread is already in %(name)s.", name=thread.category.name),
            changed=moved))


@bp.route("/t/<int:thread_id>/rename", methods=["GET", "POST"])
def rename_thread(thread_id: int):
    thread = load_thread(thread_id, need="thread.moderate")
    if request.method == "GET":  # the address of a refused form, opened again
        return redirect(managed(thread) + "#rename", 303)
    form = RenameForm()
    return submit(
        form, lambda: services.rename(thread, current_user, form.title.data),
        page=lambda: render("forum/manage_thread.html",
                            manage_context(thread, rename_form=form)),
        done=lambda renamed: see_other(managed(thread), _("Renamed."),
                                       already=_("That is already its title."),
                                       changed=renamed))


# --- posting pauses ------------------------------------------------------------------------------

def person_page(person: Person) -> str:
    return url_for("coordination.person", person_id=person.id)


@bp.route("/people/<int:person_id>/pause", methods=["GET", "POST"])
def pause_posting(person_id: int):
    person = load(Person, person_id, need="posting.pause")
    form = PauseForm()
    return submit(
        form, lambda: services.pause_posting(person, current_user, form.reason.data,
                                             now() + timedelta(days=int(form.days.data))),
        page=lambda: render("forum/pause.html", person=person, form=form,
                            pause=active_pause(person)),
        done=lambda pause: see_other(
            person_page(person), _("%(name)s cannot post until %(until)s.",
                                   name=person.name,
                                   until=format_day(pause.until))))


@bp.post("/people/<int:person_id>/lift-pause")
def lift_pause(person_id: int):
    person = load(Person, person_id, need="posting.pause")
    return submit(
        EmptyForm(), lambda: services.lift_pauses(person, current_user),
        page=lambda: redirect(person_page(person), 303),
        done=lambda lifted: see_other(
            person_page(person), _("%(name)s can post again.", name=person.name),
            already=_("%(name)s was not paused: they can post.", name=person.name),
            changed=lifted))
