"""Answering an occurrence (going, maybe, can't go), and following an organisation's
events."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.calendar import attendance, services
from network.calendar.blueprint import asked_at, bp, chosen_occurrence, load_event
from network.calendar.forms import FollowForm, RsvpForm
from network.calendar.models import Answer
from network.calendar.reads import event_path
from network.calendar.views import event_context
from network.core.htmx import render, see_other, wants
from network.core.permissions import authorize, load
from network.core.submit import submit
from network.members.models import Organisation


@bp.route("/e/<int:event_id>/rsvp", methods=["GET", "POST"])
def rsvp(event_id: int):
    if request.method == "GET":  # the answer's address opened again: back to the answers
        event = load_event(event_id)
        return redirect(event_path(event, asked_at()) + "#rsvp", 303)
    event = load_event(event_id, need="event.rsvp")
    found = chosen_occurrence(event)
    form = RsvpForm()

    def done(answered):
        row, changed = answered
        saved, already = _("Your answer is saved."), _("That was already your answer.")
        if wants("rsvp"):
            # Just put on the waiting list: the panel says so (with their number), and is
            # what is announced, rather than a message saying it a second time.
            joined = changed and row.waiting
            return render("calendar/event.html", event_context(event, found),
                          fragments=("rsvp",), saved=None if joined else
                          saved if changed else already, joined_waiting_list=joined)
        return see_other(event_path(event, found.original_start), saved, already=already,
                         changed=changed)

    return submit(
        form, lambda: attendance.answer(event, found.original_start, current_user,
                                        Answer(form.answer.data)),
        page=lambda: render("calendar/event.html", event_context(event, found, form),
                            fragments=("rsvp",)),
        done=done)


@bp.post("/follow/<int:org_id>")
def follow(org_id: int):
    authorize("calendar.feed")
    organisation = load(Organisation, org_id, need="org.view", visible="org.view")
    form = FollowForm()
    on = form.follow.data == "1"
    page = url_for("members.organisation", org_id=organisation.id, slug=organisation.slug)

    def not_sent():
        flash(_("That did not work: press the button again."), "error")
        return redirect(page, 303)

    return submit(
        form, lambda: services.follow(current_user, organisation.id, on), page=not_sent,
        done=lambda changed: see_other(
            page, _("You will hear of %(org)s’s new events.", org=organisation.name) if on
            else _("You will no longer hear of %(org)s’s new events.", org=organisation.name),
            already=_("You already follow %(org)s’s events.", org=organisation.name) if on
            else _("You were not following %(org)s’s events.", org=organisation.name),
            changed=changed))
