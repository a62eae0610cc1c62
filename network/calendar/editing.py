"""Adding an event, changing it (one occurrence, this and the following ones, or the whole
series), cancelling it, and attaching papers."""

from __future__ import annotations

from datetime import date, timedelta

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from network.calendar import attendance, services
from network.calendar.blueprint import asked_at, bp, chosen_occurrence, load_event
from network.calendar.forms import CancelForm, EditEventForm, EventForm, PaperForm
from network.calendar.meetings import body_choices
from network.calendar.models import Event
from network.calendar.reads import event_path
from network.calendar.recurrence import Occurrence, occurrence, occurrence_key, read_rule
from network.core import files
from network.core.htmx import render, see_other
from network.core.permissions import authorize, me
from network.core.submit import submit
from network.core.time import borough_zone
from network.members.models import Area, Theme
from network.members.services import live_entries, organisations_for


def form_lists(event: Event | None = None) -> dict:
    """Whose events a person may add (theirs, or any for coordinators), areas, themes, and
    the bodies whose meetings they may add (the event's own kept when it is changed)."""
    return {"organisations": organisations_for(me()), "areas": live_entries(Area),
            "themes": live_entries(Theme),
            "bodies": body_choices(me(), event.body_id if event else None)}


def event_form_page(form: EventForm, event: Event | None = None,
                    found: Occurrence | None = None):
    version = getattr(form, "version", None)
    return render("calendar/event_form.html", {
        "form": form, "event": event, "occurrence": found,
        "conflict": bool(version is not None and version.conflicted),
        "key": occurrence_key(found.original_start) if found else None})


@bp.route("/new", methods=["GET", "POST"])
def new_event():
    authorize("calendar.add")
    form = EventForm(**form_lists())
    if not form.is_submitted() and len(form.organisation.choices) == 1:
        form.organisation.data = form.organisation.choices[0].value
    return submit(
        form, lambda: services.create_event(int(form.organisation.data), current_user,
                                            form.event_values(), form.theme_ids(),
                                            form.repeats(), form.submission.data),
        page=lambda: event_form_page(form),
        done=lambda event: see_other(event_path(event), _("“%(title)s” is in the calendar.",
                                                          title=event.title)),
        once=lambda key: services.existing_submission(key, current_user))


def days_of(event: Event, found: Occurrence) -> dict[str, date | None]:
    """The days the form shows for one occurrence: its first and last, the closing day and
    the series' last date. The form keeps them though they are out of today's reach (an
    event from before the rules can still be corrected)."""
    zone = borough_zone()
    starts, ends = found.starts_at.astimezone(zone), found.ends_at.astimezone(zone)
    if event.all_day:
        ends = ends - timedelta(days=1)
    return {"starts_on": starts.date(),
            "ends_on": ends.date() if ends.date() != starts.date() else None,
            "closes_on": event.closes_at.astimezone(zone).date() if event.closes_at else None,
            "repeat_until": read_rule(event.recurrence)["until"] if event.recurring else None}


def fill_from(form: EditEventForm, event: Event, found: Occurrence) -> None:
    """The form opened on one occurrence: its date and times, the series' rule."""
    zone = borough_zone()
    starts, ends = found.starts_at.astimezone(zone), found.ends_at.astimezone(zone)
    form.organisation.data = str(event.organisation_id)
    for field in ("title", "place", "online_link", "description", "capacity", "access_note",
                  "step_free", "hearing_loop", "interpreter", "childcare", "travel_expenses",
                  "rsvp", "all_day"):
        form[field].data = getattr(event, field)
    form.place.data = found.place
    form.kind.data, form.audience.data = event.kind.value, event.audience.value
    form.area.data = str(event.area_id) if event.area_id else ""
    form.body.data = str(event.body_id) if event.body_id else ""
    form.themes.data = [str(theme.id) for theme in event.themes]
    form.starts_on.data, form.starts_time.data = starts.date(), starts.time()
    if event.all_day:
        ends = ends - timedelta(days=1)
    form.ends_on.data = ends.date() if ends.date() != starts.date() else None
    form.ends_time.data = ends.time()
    if event.closes_at:
        form.closes_on.data = event.closes_at.astimezone(zone).date()
    if event.recurring:
        rule = read_rule(event.recurrence)
        form.repeat.data = rule["pattern"]
        form.repeat_end.data = ("until" if rule["until"] else
                                "count" if rule["count"] else "never")
        form.repeat_until.data, form.repeat_count.data = rule["until"], rule["count"]
    form.version.data = event.version


def rule_of(event: Event) -> tuple | None:
    if not event.recurring:
        return None
    rule = read_rule(event.recurrence)
    return (rule["pattern"], rule["until"], rule["count"])


@bp.route("/e/<int:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int):
    event = load_event(event_id, need="event.organise")
    found = chosen_occurrence(event)
    form = EditEventForm(data=days_of(event, found), recurring=event.recurring,
                         rule=rule_of(event),
                         most_going=lambda: attendance.most_going_upcoming(event),
                         **form_lists(event))
    if not form.is_submitted():
        fill_from(form, event, found)
    scope = form.chosen_scope()

    def change() -> Event:
        changed = services.edit_event(event, form.event_values(), form.theme_ids(),
                                      form.repeats(), scope, found.original_start,
                                      current_user)
        attendance.free_places_after_capacity_change(changed)
        return changed

    return submit(
        form, change, page=lambda: event_form_page(form, event, found),
        done=lambda changed: see_other(event_path(
            changed, found.original_start if scope == "this" else None),
            _("The event is saved.")),
        record=event)


@bp.route("/e/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel_event(event_id: int):
    event = load_event(event_id, need="event.organise")
    at = asked_at()
    if request.method == "POST" and at and services.ended_before(event, at):
        # "This and the following" sent again: the series already ends before it.
        return see_other(event_path(event), _("The series already ends before this date: "
                                              "there is nothing more to cancel."), "info")
    found = chosen_occurrence(event)
    form = CancelForm()

    def done(changed: bool):
        # After "this and the following" the occurrence is past the series' end: its page
        # is the series'.
        still = occurrence(event, found.original_start) is not None
        return see_other(
            event_path(event, found.original_start if still else None),
            _("Cancelled, and the people who said they would come are told."),
            already=_("This event was already cancelled.") if event.cancelled_at else
            _("This occurrence was already cancelled."), changed=changed)

    return submit(
        form, lambda: services.cancel(event, form.scope.data if event.recurring else "all",
                                      found.original_start, form.reason.data, current_user),
        page=lambda: render("calendar/cancel.html", {
            "event": event, "occurrence": found, "form": form,
            "key": occurrence_key(found.original_start)}),
        done=done)


@bp.route("/e/<int:event_id>/papers", methods=["GET", "POST"])
@files.accepts_uploads  # the body may hold MAX_UPLOAD_BYTES, not just MAX_CONTENT_LENGTH
def add_paper(event_id: int):
    event = load_event(event_id, need="event.organise")
    papers = services.papers_of(event)
    form = PaperForm(papers=papers)
    return submit(
        form, lambda: services.add_paper(
            event, form.file.data, form.title.data, current_user,
            next((p for p in papers if str(p.id) == form.replaces.data), None)),
        page=lambda: render("calendar/paper_form.html", {"event": event, "form": form}),
        done=lambda paper: see_other(event_path(event), _("“%(title)s” is attached.",
                                                          title=form.title.data)))
