"""What is on (agenda, month, week), one event's page, and its papers' downloads."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import redirect, request
from flask_babel import gettext as _
from sqlalchemy import or_, select

from network.calendar import attendance, services, stretch
from network.calendar.blueprint import asked_at, bp, chosen_occurrence, load_event
from network.calendar.forms import CalendarFilterForm, RsvpForm
from network.calendar.meetings import meeting_of
from network.calendar.models import Answer, Event, EventKind, Paper, Rsvp, event_theme
from network.calendar.policies import calendar_access, event_access
from network.calendar.reads import event_path, occurrences_of
from network.calendar.recurrence import Occurrence, describe, occurrence_key
from network.core import files
from network.core.htmx import render
from network.core.permissions import authorize, load, me, seen_by, visible
from network.core.time import (
    borough_zone,
    format_clock,
    format_weekday,
    local_moment,
    now,
    today,
)
from network.extensions import db
from network.members.models import Area, Theme
from network.members.services import chosen_organisation, live_entries

AGENDA_DAYS = 28


# --- what is on ------------------------------------------------------------------------------

def filter_form() -> CalendarFilterForm:
    form = CalendarFilterForm(request.args, areas=live_entries(Area), themes=live_entries(Theme),
                              organisations=chosen_organisation(request.args.get("organisation")))
    form.validate()
    return form


def only_mine(form: CalendarFilterForm) -> bool:
    return bool(form.mine.data) and calendar_access(me()).only_mine


def conditions(form: CalendarFilterForm) -> tuple:
    """The SQL conditions for the events the person may see that the filters keep."""
    where = [seen_by(Event)]
    if area := form.chosen(form.area):
        where.append(Event.area_id == int(area))
    if theme := form.chosen(form.theme):
        where.append(Event.id.in_(select(event_theme.c.event_id)
                                  .where(event_theme.c.theme_id == int(theme))))
    if organisation := form.chosen(form.organisation):
        where.append(Event.organisation_id == int(organisation))
    if kind := form.chosen(form.kind):
        where.append(Event.kind == EventKind(kind))
    if only_mine(form):
        person = me()
        where.append(or_(
            Event.organisation_id.in_(person.organisation_ids),
            Event.id.in_(select(Rsvp.event_id).where(Rsvp.person_id == person.id,
                                                     Rsvp.answer != Answer.NOT_GOING))))
    return tuple(where)


def mine_of(found: list, start: datetime, end: datetime) -> list:
    """My organisations' occurrences, and those I said I would (or might) go to: of a series
    I answered once, that date alone."""
    person = me()
    answered = set(db.session.execute(select(Rsvp.event_id, Rsvp.occurrence_start).where(
        Rsvp.person_id == person.id, Rsvp.answer != Answer.NOT_GOING,
        Rsvp.occurrence_start >= start - timedelta(days=62),
        Rsvp.occurrence_start < end + timedelta(days=62))).tuples())
    ours = set(person.organisation_ids)
    return [item for item in found if item.event.organisation_id in ours
            or (item.event.id, item.original_start) in answered]


def calendar_context(form: CalendarFilterForm, view: str, first: date, last: date,
                     most: int) -> dict:
    """One view of what is on, from the first day to the last (the borough's days): each
    day's first `most` occurrences (the list: whole days up to `most` in all, then Later)."""
    start, end = local_moment(first, None), local_moment(last + timedelta(days=1), None)
    keep = (lambda found: mine_of(found, start, end)) if only_mine(form) else None
    following = None
    if view == "agenda":
        found, following = stretch.first_ones(conditions(form), first, last, most, keep)
        last = min(last, following - timedelta(days=1))
    else:
        found = stretch.each_day(conditions(form), first, last, most, keep)
    return {"form": form, "view": view, "first": first, "last": last,
            "days": found.days, "more": found.more, "at_least": found.counted,
            "series_cut": found.series_cut, "count": found.count, "following": following,
            "today": today(), "filters": filters(form), "now": now(),
            "notice": services.notice_period(), "access": calendar_access(me())}


FILTERS = ("area", "theme", "organisation", "kind", "mine")
DAYS = ("start", "before", "week", "month")


def filters(form: CalendarFilterForm, *names: str) -> dict[str, str]:
    """The filters as the address gave them (and these of its days), for links that keep
    them: only the form's own fields, never the whole address (url_for takes `_method`,
    `_external`... as orders of its own)."""
    return {name: form[name].raw_data[0] for name in FILTERS + names
            if form[name].raw_data}


def view_links(form: CalendarFilterForm, anchor: date) -> dict[str, dict]:
    """The three views' addresses on the same stretch of time, with the same filters."""
    kept = filters(form)
    return {"agenda": {**kept, "start": anchor.isoformat()},
            "week": {**kept, "week": anchor.isoformat()},
            "month": {**kept, "month": anchor.strftime("%Y-%m")}}


def view_args(form: CalendarFilterForm, **changes) -> dict:
    """The address's filters, with some changed (None: left out): links between views keep
    them."""
    args = filters(form, *DAYS)
    args.update(changes)
    return {name: value for name, value in args.items() if value is not None}


def status_of(form: CalendarFilterForm) -> int:
    return 422 if form.errors else 200


def page_before(form: CalendarFilterForm, day: date) -> date:
    """The first day of the list's page that ends the day before `day`: whole days back, up
    to a page's worth of occurrences (a day alone with more begins its own page), within
    AGENDA_DAYS."""
    first, most = day - timedelta(days=AGENDA_DAYS), stretch.AGENDA_MOST
    start, end = local_moment(first, None), local_moment(day, None)
    keep = (lambda found: mine_of(found, start, end)) if only_mine(form) else None
    found = stretch.each_day(conditions(form), first, day - timedelta(days=1), most, keep)
    begins, shown = first, 0
    for on, items in reversed(found.days):
        shown += len(items) + found.more.get(on, 0)
        if shown > most:
            begins = on if on == found.days[-1][0] else on + timedelta(days=1)
            break
    return begins


@bp.get("")
def agenda():
    authorize("calendar.view")
    form = filter_form()
    first = form.start.data or today()
    if form.before.data and not form.start.data:
        first = page_before(form, form.before.data)
    context = calendar_context(form, "agenda", first,
                               first + timedelta(days=AGENDA_DAYS - 1), stretch.AGENDA_MOST)
    following = context["following"]
    context.update(view_links=view_links(form, first),
                   earlier=view_args(form, start=None, before=first.isoformat()),
                   later=view_args(form, start=following.isoformat(), before=None))
    return render("calendar/agenda.html", context, fragments=("results",),
                  status=status_of(form))


@bp.get("/month")
def month():
    authorize("calendar.view")
    form = filter_form()
    first = form.month.data or today().replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    context = calendar_context(form, "month", grid_start, grid_end, stretch.MONTH_DAY_MOST)
    days = dict(context["days"])
    weeks = [[(grid_start + timedelta(days=week * 7 + n),
               days.get(grid_start + timedelta(days=week * 7 + n), [])) for n in range(7)]
             for week in range(((grid_end - grid_start).days + 1) // 7)]
    previous_month = (first - timedelta(days=1)).replace(day=1)
    context.update(month=first, weeks=weeks, view_links=view_links(form, first),
                   earlier=view_args(form, month=previous_month.strftime("%Y-%m")),
                   later=view_args(form, month=(last + timedelta(days=1)).strftime("%Y-%m")))
    return render("calendar/month.html", context, fragments=("results",),
                  status=status_of(form))


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
    context = calendar_context(form, "week", first, first + timedelta(days=6),
                               stretch.WEEK_DAY_MOST)
    days = dict(context["days"])
    links = view_links(form, first)
    links["month"]["month"] = month_of_week(first)  # not the month its Monday is in
    context.update(view_links=links,
                   week_days=[(first + timedelta(days=n),
                               days.get(first + timedelta(days=n), [])) for n in range(7)],
                   earlier=view_args(form, week=(first - timedelta(days=7)).isoformat()),
                   later=view_args(form, week=(first + timedelta(days=7)).isoformat()))
    return render("calendar/week.html", context, fragments=("results",),
                  status=status_of(form))


# --- one event -----------------------------------------------------------------------------------

def event_context(event: Event, found: Occurrence, rsvp_form: RsvpForm | None = None) -> dict:
    viewer = me()
    access = event_access(viewer, event)
    mine, answers, going, waiting = None, [], 0, 0
    if access.organise:  # every answer: theirs and the counts among them
        answers = attendance.answers_for(event, found.original_start)
        mine = next((row for row in answers if row.person_id == viewer.id), None)
        going = sum(row.answer == Answer.GOING and not row.waiting for row in answers)
        waiting = sum(row.answer == Answer.GOING and row.waiting for row in answers)
    else:
        if viewer.is_authenticated:
            mine = db.session.scalar(select(Rsvp).where(
                Rsvp.event_id == event.id, Rsvp.occurrence_start == found.original_start,
                Rsvp.person_id == viewer.id))
        if event.rsvp:
            going, waiting = attendance.places_taken(event, found.original_start)
    upcoming = occurrences_of([event], now(), now() + timedelta(days=120))[:8] \
        if event.recurring else []
    rsvp_form = rsvp_form or RsvpForm()
    return {
        "event": event, "occurrence": found, "access": access, "mine": mine,
        "answers": answers, "going": going, "waiting": waiting,
        "full": bool(event.capacity) and going >= event.capacity,
        "place_in_line": attendance.place_in_line(mine) if mine and mine.waiting else None,
        "upcoming": upcoming,
        "rule": series_words(event, found),
        "papers": services.papers_of(event), "rsvp_form": rsvp_form,
        "problem": rsvp_form.problem, "now": now(), "notice": services.notice_period(),
        **series_seen(event),
        "answers_open": (event.rsvp and not found.cancelled and found.starts_at > now()),
        "key": occurrence_key(found.original_start),
        "meeting_of": meeting_of(event, viewer),
        "first_day": found.starts_at.astimezone(borough_zone()).date(),
        "last_day": (found.ends_at - timedelta(seconds=1)).astimezone(borough_zone()).date(),
    }


def series_seen(event: Event) -> dict[str, Event | None]:
    """The series this one continues and the one continuing it (after a change from some
    date on), when the person asking may see them."""
    return {
        "continues": db.session.scalar(visible(select(Event).where(
            Event.id == event.continues_id))) if event.continues_id else None,
        "continued_by": db.session.scalar(visible(select(Event).where(
            Event.continues_id == event.id)).limit(1)) if event.recurring else None,
    }


def series_words(event: Event, found: Occurrence) -> str | None:
    """How the series repeats, said of the occurrence shown: a moved one says first where it
    was moved from, so that its rule's weekday is not read as its own."""
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
        return redirect(event_path(event, asked_at()), 301)
    found = chosen_occurrence(event)
    return render("calendar/event.html", event_context(event, found), fragments=("rsvp",))


@bp.get("/papers/<int:paper_id>/<filename>")
def paper(paper_id: int, filename: str):
    found = load(Paper, paper_id, need="event_paper.view")
    return files.serve_paper(found, filename, "calendar.paper")
