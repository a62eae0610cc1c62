"""Calendar pages: what is on (agenda, month, week), an event and its occurrences, adding and
changing events, answering, papers, following organisations, and calendar feeds."""

from __future__ import annotations

import hmac
from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.http import is_resource_modified

from network.auth.models import Person
from network.calendar import feeds, services
from network.calendar.forms import (
    CalendarFilterForm,
    CancelForm,
    EditEventForm,
    EventForm,
    FollowForm,
    PaperForm,
    ResetFeedForm,
    RsvpForm,
)
from network.calendar.models import Answer, Event, EventKind, Paper, Rsvp, event_theme
from network.calendar.policies import event_access
from network.calendar.recurrence import (
    describe,
    occurrence,
    occurrence_key,
    parse_key,
    read_rule,
)
from network.core import files
from network.core.concurrency import save_versioned, submit_once
from network.core.htmx import form_status, render
from network.core.links import absolute_url
from network.core.permissions import authorize, can, load, me, seen_by, visible
from network.core.time import borough_zone, now, today
from network.extensions import db
from network.members.models import Area, Organisation, Theme
from network.members.services import approved_organisations, live_entries, organisations_for
from network.representation.models import Body
from network.representation.reads import meeting_bodies

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

AGENDA_DAYS = 28
AGENDA_MOST = 250  # occurrences on one page of the agenda (whole days; at least one)


# --- what is on ------------------------------------------------------------------------------

def filter_form() -> CalendarFilterForm:
    form = CalendarFilterForm(request.args, areas=live_entries(Area), themes=live_entries(Theme),
                              organisations=approved_organisations())
    form.validate()
    return form


def filtered(form: CalendarFilterForm, start: datetime, end: datetime):
    """The events that may be on from start to end, that the person may see and the filters
    keep, with what their occurrences need."""
    query = visible(select(Event).where(services.in_window(start, end))).options(
        *services.listed())
    if area := form.chosen(form.area):
        query = query.where(Event.area_id == int(area))
    if theme := form.chosen(form.theme):
        query = query.where(Event.id.in_(select(event_theme.c.event_id)
                                         .where(event_theme.c.theme_id == int(theme))))
    if organisation := form.chosen(form.organisation):
        query = query.where(Event.organisation_id == int(organisation))
    if kind := form.chosen(form.kind):
        query = query.where(Event.kind == EventKind(kind))
    if form.mine.data and current_user.is_authenticated:
        query = query.where(or_(
            Event.organisation_id.in_(current_user.organisation_ids),
            Event.id.in_(select(Rsvp.event_id).where(Rsvp.person_id == current_user.id,
                                                     Rsvp.answer != Answer.NOT_GOING))))
    return db.session.scalars(query.order_by(Event.starts_at)).unique().all()


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=borough_zone()).astimezone(UTC)


def by_day(found, first: date, last: date) -> list[tuple[date, list]]:
    """Occurrences grouped under each day they are on (a long one under each of its days)."""
    days: dict[date, list] = {}
    zone = borough_zone()
    for item in found:
        day = max(item.starts_at.astimezone(zone).date(), first)
        end_day = (item.ends_at - timedelta(seconds=1)).astimezone(zone).date()
        while day <= min(end_day, last):
            days.setdefault(day, []).append(item)
            day += timedelta(days=1)
    return sorted(days.items())


def only_mine(found: list, start: datetime, end: datetime) -> list:
    """My organisations' occurrences, and those I said I would (or might) go to: of a series
    I answered once, that date alone."""
    answered = set(db.session.execute(select(Rsvp.event_id, Rsvp.occurrence_start).where(
        Rsvp.person_id == current_user.id, Rsvp.answer != Answer.NOT_GOING,
        Rsvp.occurrence_start >= start - timedelta(days=62),
        Rsvp.occurrence_start < end + timedelta(days=62))).tuples())
    ours = set(current_user.organisation_ids)
    return [item for item in found if item.event.organisation_id in ours
            or (item.event.id, item.original_start) in answered]


def calendar_context(form: CalendarFilterForm, view: str, first: date, last: date) -> dict:
    """One view of what is on, from the first day to the last (the borough's days)."""
    start, end = local_midnight(first), local_midnight(last + timedelta(days=1))
    found = services.occurrences_of(filtered(form, start, end), start, end)
    if form.mine.data and current_user.is_authenticated:
        found = only_mine(found, start, end)
    return {"form": form, "view": view, "first": first, "last": last,
            "days": by_day(found, first, last), "count": len(found), "today": today(),
            "filters": filters(),
            "now": now(), "notice": services.notice_period(),
            "can_add": can("calendar.add")}


FILTERS = ("area", "theme", "organisation", "kind", "mine")
DAYS = ("start", "week", "month")


def filters(*names: str) -> dict[str, str]:
    """The filters in the address (and these of its days), for links that keep them: only
    the form's own names, never the whole address (url_for takes `_method`, `_external`...
    as orders of its own)."""
    return {name: value for name, value in request.args.items()
            if name in FILTERS + names}


def view_links(anchor: date) -> dict[str, dict]:
    """The three views' addresses on the same stretch of time, with the same filters."""
    kept = filters()
    return {"agenda": {**kept, "start": anchor.isoformat()},
            "week": {**kept, "week": anchor.isoformat()},
            "month": {**kept, "month": anchor.strftime("%Y-%m")}}


def view_args(**changes) -> dict:
    """The address's filters, with some changed: links between views keep them."""
    args = filters(*DAYS)
    args.update({name: value for name, value in changes.items() if value is not None})
    return args


@bp.get("")
def agenda():
    authorize("calendar.view")
    form = filter_form()
    first = form.start.data or today()
    context = calendar_context(form, "agenda", first, first + timedelta(days=AGENDA_DAYS - 1))
    following = first + timedelta(days=AGENDA_DAYS)
    if context["count"] > AGENDA_MOST:  # a busy month: whole days up to the limit, then Later
        shown, kept = 0, []
        for day, items in context["days"]:
            if kept and shown + len(items) > AGENDA_MOST:
                following = day
                break
            kept.append((day, items))
            shown += len(items)
        context.update(days=kept, last=following - timedelta(days=1), count=shown)
    context.update(view_links=view_links(first),
                   earlier=view_args(start=(first - timedelta(days=AGENDA_DAYS)).isoformat()),
                   later=view_args(start=following.isoformat()))
    return render("calendar/agenda.html", context, fragments=("results",),
                  status=form_status(form))


@bp.get("/month")
def month():
    authorize("calendar.view")
    form = filter_form()
    first = form.month.data or today().replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    context = calendar_context(form, "month", grid_start, grid_end)
    days = dict(context["days"])
    weeks = [[(grid_start + timedelta(days=week * 7 + n),
               days.get(grid_start + timedelta(days=week * 7 + n), [])) for n in range(7)]
             for week in range(((grid_end - grid_start).days + 1) // 7)]
    previous_month = (first - timedelta(days=1)).replace(day=1)
    context.update(month=first, weeks=weeks, view_links=view_links(first),
                   earlier=view_args(month=previous_month.strftime("%Y-%m")),
                   later=view_args(month=(last + timedelta(days=1)).strftime("%Y-%m")))
    return render("calendar/month.html", context, fragments=("results",),
                  status=form_status(form))


def month_of_week(first: date) -> str:
    """The month a week's Month link opens: today's for the week holding today; else the
    month holding most of the week's days, the one its Thursday is in."""
    if first <= today() < first + timedelta(days=7):
        return today().strftime("%Y-%m")
    return (first + timedelta(days=3)).strftime("%Y-%m")


@bp.get("/week")
def week():
    authorize("calendar.view")
    form = filter_form()
    chosen = form.week.data or today()
    first = chosen - timedelta(days=chosen.weekday())
    context = calendar_context(form, "week", first, first + timedelta(days=6))
    days = dict(context["days"])
    links = view_links(first)
    links["month"]["month"] = month_of_week(first)  # not the month its Monday is in
    context.update(view_links=links,
                   week_days=[(first + timedelta(days=n),
                               days.get(first + timedelta(days=n), [])) for n in range(7)],
                   earlier=view_args(week=(first - timedelta(days=7)).isoformat()),
                   later=view_args(week=(first + timedelta(days=7)).isoformat()))
    return render("calendar/week.html", context, fragments=("results",),
                  status=form_status(form))


# --- one event -----------------------------------------------------------------------------------

def load_event(event_id: int, need: str = "event.view") -> Event:
    """A members' event is no secret: a visitor (a member following a link before logging
    in, perhaps) is asked to log in, never told it is not there."""
    return load(Event, event_id, need=need, options=(
        selectinload(Event.changes), joinedload(Event.organisation).load_only(Organisation.name),
        selectinload(Event.themes), joinedload(Event.area)))


def chosen_occurrence(event: Event):
    """The occurrence the address names (?at=), or the next one (or the last, if all are
    past); 404 for a time the event has no occurrence at."""
    if event.recurring and (key := request.args.get("at")):
        at = parse_key(key)
        found = occurrence(event, at) if at else None
        if found is None:
            abort(404)
        return found
    if not event.recurring:
        return occurrence(event, event.starts_at)
    upcoming = services.occurrences_of([event], now(), now() + timedelta(days=400))
    if upcoming:
        return upcoming[0]
    last = event.repeat_until or event.starts_at
    return occurrence(event, last) or occurrence(event, event.starts_at)


def event_context(event: Event, found, rsvp_form: RsvpForm | None = None,
                  problem: str | None = None) -> dict:
    viewer = me()
    access = event_access(viewer, event)
    mine, answers, going, waiting = None, [], 0, 0
    if access.organise:  # every answer: theirs and the counts among them
        answers = services.answers_for(event, found.original_start)
        mine = next((row for row in answers if row.person_id == viewer.id), None)
        going = sum(row.answer == Answer.GOING and not row.waiting for row in answers)
        waiting = sum(row.answer == Answer.GOING and row.waiting for row in answers)
    else:
        if viewer.is_authenticated:
            mine = db.session.scalar(select(Rsvp).where(
                Rsvp.event_id == event.id, Rsvp.occurrence_start == found.original_start,
                Rsvp.person_id == viewer.id))
        if event.rsvp:
            going, waiting = services.places_taken(event, found.original_start)
    upcoming = services.occurrences_of([event], now(), now() + timedelta(days=120))[:8] \
        if event.recurring else []
    return {
        "event": event, "occurrence": found, "access": access, "mine": mine,
        "answers": answers, "going": going, "waiting": waiting,
        "full": bool(event.capacity) and going >= event.capacity,
        "place_in_line": services.place_in_line(mine) if mine and mine.waiting else None,
        "upcoming": upcoming,
        "rule": series_words(event, found),
        "papers": services.papers_of(event), "rsvp_form": rsvp_form or RsvpForm(),
        "problem": problem, "now": now(), "notice": services.notice_period(),
        "continues": db.session.get(Event, event.continues_id) if event.continues_id else None,
        "continued_by": db.session.scalar(select(Event).where(Event.continues_id == event.id)
                                          .limit(1)) if event.recurring else None,
        "answers_open": (event.rsvp and not found.cancelled and found.starts_at > now()),
        "key": occurrence_key(found.original_start),
        "body": meeting_of(event),
        "first_day": found.starts_at.astimezone(borough_zone()).date(),
        "last_day": (found.ends_at - timedelta(seconds=1)).astimezone(borough_zone()).date(),
    }


def series_words(event: Event, found) -> str | None:
    """How the series repeats, said of the occurrence shown: a moved one says first where it
    was moved from, so that its rule's weekday is not read as its own."""
    from network.core.time import format_clock, format_weekday

    if not event.recurring:
        return None
    rule = describe(event.recurrence, event.starts_at)
    if not found.moved:
        return rule
    was = format_weekday(found.original_start)
    if not event.all_day:
        was = f"{was}, {format_clock(found.original_start)}"
    return _("Moved from %(when)s; the series meets %(rule)s.", when=was,
             rule=rule[:1].lower() + rule[1:])


@bp.get("/e/<int:event_id>")
@bp.get("/e/<int:event_id>-<slug>")
def event(event_id: int, slug: str | None = None):
    event = load_event(event_id)
    if slug != event.slug:  # the occurrence named goes along, and nothing else
        return redirect(services.event_path(event, parse_key(request.args.get("at"))), 301)
    found = chosen_occurrence(event)
    return render("calendar/event.html", event_context(event, found), fragments=("rsvp",))


@bp.route("/e/<int:event_id>/rsvp", methods=["GET", "POST"])
def rsvp(event_id: int):
    if request.method == "GET":  # the answer's address opened again: back to the answers
        event = load_event(event_id)
        at = parse_key(request.args.get("at"))
        return redirect(services.event_path(event, at) + "#rsvp", 303)
    event = load_event(event_id, need="event.rsvp")
    found = chosen_occurrence(event)
    form = RsvpForm()
    if form.validate_on_submit():
        try:
            row, changed = services.answer(event, found.original_start, current_user,
                                           Answer(form.answer.data))
        except services.CalendarError as error:
            db.session.rollback()
            return render("calendar/event.html", event_context(event, found, form, str(error)),
                          fragments=("rsvp",), status=422)
        db.session.commit()
        message = _("Your answer is saved.") if changed else _("That was already your answer.")
        if request.htmx:
            # Just put on the waiting list: the panel says so (with their number), and is
            # what is announced, rather than a message saying it a second time.
            joined = changed and row.waiting
            return render("calendar/event.html", event_context(event, found, problem=None),
                          fragments=("rsvp",), saved=None if joined else message,
                          joined_waiting_list=joined)
        flash(message, "success")
        return redirect(services.event_path(event, found.original_start), 303)
    return render("calendar/event.html", event_context(event, found, form),
                  fragments=("rsvp",), status=422)


# --- adding and changing -----------------------------------------------------------------------

def form_lists(event: Event | None = None) -> dict:
    """Whose events a person may add (theirs, or any for coordinators), areas, themes, and
    the bodies whose meetings they may add (the event's own kept when it is changed)."""
    return {"organisations": organisations_for(me()), "areas": live_entries(Area),
            "themes": live_entries(Theme),
            "bodies": meeting_bodies(me(), event.body_id if event else None)}


def event_form_context(form: EventForm, event: Event | None = None, found=None,
                       conflict: bool = False) -> dict:
    return {"form": form, "event": event, "occurrence": found, "conflict": conflict,
            "key": occurrence_key(found.original_start) if found else None}


@bp.route("/new", methods=["GET", "POST"])
def new_event():
    authorize("calendar.add")
    form = EventForm(**form_lists())
    if request.method == "GET" and len(form.organisation.choices) == 1:
        form.organisation.data = form.organisation.choices[0].value
    if form.validate_on_submit():
        event = submit_once(
            form.submission.data,
            lambda key: services.existing_submission(key, current_user),
            lambda: services.create_event(int(form.organisation.data), current_user,
                                          form.event_values(), form.theme_ids(),
                                          form.repeats(), form.submission.data))
        if event is None:
            abort(409)
        flash(_("“%(title)s” is in the calendar.", title=event.title), "success")
        return redirect(services.event_path(event), 303)
    return render("calendar/event_form.html", event_form_context(form),
                  status=form_status(form))


def days_of(event: Event, found) -> dict[str, date | None]:
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


def fill_from(form: EditEventForm, event: Event, found) -> None:
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


def meeting_of(event: Event) -> Body | None:
    """The body an event is a meeting of, if the person asking may see it."""
    body = db.session.get(Body, event.body_id) if event.body_id else None
    return body if body is not None and can("body.view", body) else None


@bp.route("/e/<int:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int):
    event = load_event(event_id, need="event.organise")
    found = chosen_occurrence(event)
    form = EditEventForm(data=days_of(event, found), **form_lists(event))
    if request.method == "GET":
        fill_from(form, event, found)
    conflict = False
    if form.validate_on_submit():
        scope = form.scope.data if event.recurring else "all"
        if form.capacity.data and form.capacity.data < services.most_going_upcoming(event):
            form.capacity.errors.append(_(
                "%(num)d people are already going to an occurrence: there must be at least "
                "as many places.", num=services.most_going_upcoming(event)))
        elif scope == "this" and form.repeats() != _rule_of(event):
            form.scope.errors.append(_("For one occurrence, only its date, times and place "
                                       "can change. To change how it repeats, choose every "
                                       "occurrence."))
        else:
            changed = {}

            def change():
                changed["event"] = services.edit_event(
                    event, form.event_values(), form.theme_ids(), form.repeats(), scope,
                    found.original_start, current_user)
                services.free_places_after_capacity_change(changed["event"])

            try:
                saved = save_versioned(event, form.version, change)
            except services.CalendarError as error:
                db.session.rollback()
                form.scope.errors.append(str(error))
            else:
                if saved:
                    flash(_("The event is saved."), "success")
                    result = changed["event"]
                    at = (found.original_start if scope == "this" else None)
                    return redirect(services.event_path(result, at), 303)
                conflict = True
    return render("calendar/event_form.html", event_form_context(form, event, found, conflict),
                  status=409 if conflict else form_status(form))


def _rule_of(event: Event):
    if not event.recurring:
        return None
    rule = read_rule(event.recurrence)
    return (rule["pattern"], rule["until"], rule["count"])


@bp.route("/e/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel_event(event_id: int):
    event = load_event(event_id, need="event.organise")
    at = parse_key(request.args.get("at"))
    if request.method == "POST" and at and services.ended_before(event, at):
        # "This and the following" sent again: the series already ends before it.
        flash(_("The series already ends before this date: there is nothing more to "
                "cancel."), "info")
        return redirect(services.event_path(event), 303)
    found = chosen_occurrence(event)
    form = CancelForm()
    if form.validate_on_submit():
        scope = form.scope.data if event.recurring else "all"
        try:
            changed = services.cancel(event, scope, found.original_start, form.reason.data,
                                      current_user)
        except services.CalendarError as error:
            db.session.rollback()
            form.scope.errors.append(str(error))
        else:
            db.session.commit()
            if changed:
                flash(_("Cancelled, and the people who said they would come are told."),
                      "success")
            else:
                flash(_("This event was already cancelled.") if event.cancelled_at else
                      _("This occurrence was already cancelled."), "info")
            # After "this and the following" the occurrence is past the series' end: its
            # page is the series'.
            still = occurrence(event, found.original_start) is not None
            return redirect(services.event_path(event, found.original_start if still
                                                else None), 303)
    return render("calendar/cancel.html", {"event": event, "occurrence": found, "form": form,
                                           "key": occurrence_key(found.original_start)},
                  status=form_status(form))


# --- following ---------------------------------------------------------------------------------

@bp.post("/follow/<int:org_id>")
def follow(org_id: int):
    authorize("calendar.feed")
    organisation = load(Organisation, org_id, need="org.view", visible="org.view")
    form = FollowForm()
    if form.validate_on_submit():
        on = form.follow.data == "1"
        if services.follow(current_user, organisation.id, on):
            db.session.commit()
            flash(_("You will hear of %(org)s’s new events.", org=organisation.name) if on
                  else _("You will no longer hear of %(org)s’s new events.",
                         org=organisation.name), "success")
        else:
            flash(_("You already follow %(org)s’s events.", org=organisation.name) if on
                  else _("You were not following %(org)s’s events.", org=organisation.name),
                  "info")
    else:
        flash(_("That did not work: press the button again."), "error")
    return redirect(url_for("members.organisation", org_id=organisation.id,
                            slug=organisation.slug), 303)


# --- papers --------------------------------------------------------------------------------------

@bp.route("/e/<int:event_id>/papers", methods=["GET", "POST"])
@files.accepts_uploads  # the body may hold MAX_UPLOAD_BYTES, not just MAX_CONTENT_LENGTH
def add_paper(event_id: int):
    event = load_event(event_id, need="event.organise")
    papers = services.papers_of(event)
    form = PaperForm(papers=papers)
    if form.validate_on_submit():
        replaces = next((p for p in papers if str(p.id) == form.replaces.data), None)
        services.add_paper(event, form.file.data, form.title.data, current_user, replaces)
        db.session.commit()
        flash(_("“%(title)s” is attached.", title=form.title.data), "success")
        return redirect(services.event_path(event), 303)
    return render("calendar/paper_form.html", {"event": event, "form": form},
                  status=form_status(form))


@bp.get("/papers/<int:paper_id>/<filename>")
def paper(paper_id: int, filename: str):
    found = db.session.get(Paper, paper_id)
    if found is None:
        abort(404)
    authorize("event.view", db.session.get(Event, found.event_id))
    if filename != found.filename:
        return redirect(url_for("calendar.paper", paper_id=found.id,
                                filename=found.filename), 301)
    return files.download(db.session.get(files.StoredFile, found.file_id), found.filename)


# --- feeds ---------------------------------------------------------------------------------------

def ics(where: tuple, build, filename: str, private: bool):
    """A calendar file, or 304 when the calendar program's copy (its If-None-Match, or
    If-Modified-Since) is still what it would be: decided from feeds.feed_state's two
    aggregate queries, before the events are read or the feed built."""
    etag, modified = feeds.feed_state(*where)
    if is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response = make_response(build())
        response.headers["Content-Type"] = "text/calendar; charset=utf-8"
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    else:
        response = make_response("", 304)
    response.set_etag(etag, weak=True)  # the same calendar, however it is compressed
    response.last_modified = modified
    response.headers["Cache-Control"] = "private, no-cache" if private else \
        "public, max-age=900"
    return response


def feed_window():
    """A feed's events: what is on from a year ago to ten years on."""
    return services.in_window(now() - timedelta(days=365), now() + timedelta(days=3650))


def feed_events(*where) -> list[Event]:
    """Events for a feed, with their changes."""
    return db.session.scalars(
        select(Event).where(*where).options(*services.listed(description=True))
        .order_by(Event.starts_at)).unique().all()


@bp.get("/e/<int:event_id>.ics")
def download(event_id: int):
    event = load(Event, event_id, need="event.view")  # its changes read only if it is sent
    return ics((Event.id == event.id,), lambda: feeds.feed([event], event.title),
               f"{event.slug}.ics", private=event.audience != "public")


@bp.get("/public.ics")
def public_feed():
    authorize("calendar.view")
    where = (Event.audience == "public", feed_window())
    return ics(where, lambda: feeds.feed(feed_events(*where), _(
        "%(site)s: public events", site=current_app.config["SITE_NAME"])),
        "public.ics", private=False)


@bp.get("/feed/<int:person_id>/<token>.ics")
def private_feed(person_id: int, token: str):
    """A person's own feed: the address is the key (a calendar program cannot log in); it
    stops working when they reset it. Tokens are compared as bytes: compare_digest refuses
    str with non-ASCII characters (a 500 where a 404 is due)."""
    person = db.session.get(Person, person_id)
    if person is None or not person.is_active or \
            not hmac.compare_digest(token.encode(), services.feed_token(person).encode()):
        abort(404)
    where = (seen_by(Event, person), feed_window())
    return ics(where, lambda: feeds.feed(feed_events(*where), _(
        "%(site)s: your calendar", site=current_app.config["SITE_NAME"])),
        "network.ics", private=True)


@bp.route("/feed", methods=["GET", "POST"])
def feed_settings():
    authorize("calendar.feed")
    form = ResetFeedForm()
    if form.validate_on_submit():
        services.reset_feed(current_user)
        db.session.commit()
        flash(_("Your feed has a new address. The old one no longer works: give calendar "
                "programs the new one."), "success")
        return redirect(url_for("calendar.feed_settings"), 303)
    address = absolute_url("calendar.private_feed", person_id=current_user.id,
                           token=services.feed_token(current_user))
    public = absolute_url("calendar.public_feed")
    return render("calendar/feed.html", {
        "form": form, "address": address, "public": public,
        # webcal: opens the device's calendar program, which subscribes.
        "subscribe": "webcal:" + address.split(":", 1)[1],
        "subscribe_public": "webcal:" + public.split(":", 1)[1]}, status=form_status(form))


@bp.app_template_global()
def closing(event: Event) -> str:
    """A consultation's deadline in words: "Closes in 5 days", "Closes today", "Closed"."""
    days = (event.closes_at.astimezone(borough_zone()).date() - today()).days
    if event.closes_at <= now():
        return _("Closed")
    if days == 0:
        return _("Closes today")
    if days == 1:
        return _("Closes tomorrow")
    return _("Closes in %(num)d days", num=days)
