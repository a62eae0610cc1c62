"""What the calendar does, for routes and commands alike: events made, changed and cancelled
(one occurrence, this and the following ones, or all), answers with places and a waiting
list, papers, follows and reminders, and who is told. Each function changes the session and
queues its notifications and audit entries; the caller commits once."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import defer, joinedload, subqueryload

from network.auth.models import Person
from network.calendar.models import (
    Answer,
    Event,
    EventKind,
    FeedKey,
    Follow,
    OccurrenceChange,
    Paper,
    Rsvp,
)
from network.calendar.policies import event_access
from network.calendar.recurrence import (
    MOVE_LIMIT,
    Occurrence,
    describe,
    is_occurrence,
    last_start,
    make_rule,
    occurrence,
    occurrence_key,
    occurrences,
    read_rule,
)
from network.core import audit
from network.core.files import Upload
from network.core.links import site_path
from network.core.permissions import visible
from network.core.text import in_subject
from network.core.time import borough_zone, format_day, now
from network.extensions import db
from network.members.models import Organisation, Theme
from network.notify.services import notify

# Events longer than this are not found by their start alone (conferences run a few days).
LONGEST_EVENT = timedelta(days=31)


class CalendarError(Exception):
    """A request that cannot be carried out, with a message for the person who made it."""


# --- finding events --------------------------------------------------------------------------

def in_window(start: datetime, end: datetime):
    """The condition for events that may have an occurrence under way from start to end."""
    reach = LONGEST_EVENT + MOVE_LIMIT
    return and_(Event.starts_at < end + MOVE_LIMIT, or_(
        and_(Event.recurrence.is_(None), Event.ends_at > start - MOVE_LIMIT),
        and_(Event.recurrence.is_not(None),
             or_(Event.repeat_until.is_(None), Event.repeat_until > start - reach))))


def listed(description: bool = False):
    """What a list of occurrences reads of each event: its row (but the description, unless
    asked: feeds carry it), its changed occurrences (one query however many events:
    selectinload would ask again every 500) and its organisation's name."""
    return (subqueryload(Event.changes),
            joinedload(Event.organisation).load_only(Organisation.name),
            *(() if description else (defer(Event.description),)))


def occurrences_of(events: Iterable[Event], start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence of these events under way from start to end, in order of start."""
    found = [found for event in events for found in occurrences(event, start, end)]
    return sorted(found, key=lambda found: (found.starts_at, found.event.title))


def upcoming_public(limit: int) -> list[Occurrence]:
    """The next public occurrences, for the home page."""
    start = now()
    end = start + timedelta(days=120)
    events = db.session.scalars(
        select(Event).where(in_window(start, end), Event.cancelled_at.is_(None),
                            Event.audience == "public")
        .options(*listed()).order_by(Event.starts_at).limit(limit * 8)).unique().all()
    return [found for found in occurrences_of(events, start, end) if not found.cancelled][:limit]


# --- making and changing ---------------------------------------------------------------------

def notice_period() -> timedelta:
    return timedelta(days=current_app.config["NOTICE_PERIOD_DAYS"])


def _set_rule(event: Event, repeats: tuple | None) -> None:
    if repeats is None:
        event.recurrence = event.repeat_until = None
        return
    pattern, until, count = repeats
    event.recurrence = make_rule(pattern, event.starts_at, until, count)
    event.repeat_until = last_start(event.recurrence, event.starts_at)


def create_event(organisation_id: int, author: Person, values: dict, theme_ids: list[int],
                 repeats: tuple | None, submission_key: str | None = None) -> Event:
    event = Event(organisation_id=organisation_id, created_by_id=author.id,
                  submission_key=submission_key, **values)
    event.themes = _themes(theme_ids)
    _set_rule(event, repeats)
    # A meeting already held when it is written down (for the record) was not called at
    # short notice: it is simply in the past.
    event.short_notice = (event.kind == EventKind.MEETING
                          and now() < event.starts_at < now() + notice_period())
    db.session.add(event)
    db.session.flush()
    audit.record("event.create", event, f"Added the event “{event.title}”", actor=author)
    _tell_followers(event, author)
    return event


def _themes(theme_ids: list[int]) -> list[Theme]:
    if not theme_ids:
        return []
    return list(db.session.scalars(select(Theme).where(Theme.id.in_(theme_ids))))


def existing_submission(key: str, author: Person) -> Event | None:
    return db.session.scalar(select(Event).where(Event.submission_key == key,
                                                 Event.created_by_id == author.id))


def _shift(moment: datetime, by: timedelta) -> datetime:
    """A moment moved by a span of wall-clock time in the borough (19:00 + 1 day is 19:00 the
    next day, whatever the clocks do overnight)."""
    local = moment.astimezone(borough_zone()).replace(tzinfo=None) + by
    return local.replace(tzinfo=borough_zone()).astimezone(UTC)


def _wall_delta(old: datetime, new: datetime) -> timedelta:
    zone = borough_zone()
    return new.astimezone(zone).replace(tzinfo=None) - old.astimezone(zone).replace(tzinfo=None)


TIME_FIELDS = ("starts_at", "ends_at", "all_day", "place", "online_link", "recurrence")


def edit_event(event: Event, values: dict, theme_ids: list[int], repeats: tuple | None,
               scope: str, at: datetime | None, by: Person) -> Event:
    """Change an event. For a series, `at` is the original start of the occurrence the form
    was opened on and `values` hold its new times; `scope` says which occurrences change:
    "all" (the series keeps its days, moved by the same wall-clock span), "this" (its time
    and place only) or "following" (the series is split there). Returns the event changed
    (for "following", the new series)."""
    if not event.recurring or scope == "all":
        return _edit_all(event, values, theme_ids, repeats, at, by)
    if scope == "this":
        return _edit_one(event, values, at, by)
    return _edit_following(event, values, theme_ids, repeats, at, by)


def _edit_all(event, values, theme_ids, repeats, at, by) -> Event:
    before = {field: getattr(event, field) for field in TIME_FIELDS}
    if at is not None:
        # The form showed the occurrence at `at`: the whole series moves as it did, and
        # the answers with it (a one-off event's too: they are keyed by its start).
        shift = _wall_delta(at, values["starts_at"])
        length = values["ends_at"] - values["starts_at"]
        values = dict(values, starts_at=_shift(event.starts_at, shift))
        values["ends_at"] = values["starts_at"] + length
        if shift:
            _shift_occurrences(event, event, shift, since=None)
    diff = _changes(event, values)
    for field, value in values.items():
        setattr(event, field, value)
    event.themes = _themes(theme_ids)
    _set_rule(event, repeats)  # its days follow the (perhaps moved) first start
    _changed(event, by, diff, times_changed=any(
        getattr(event, field) != before[field] for field in TIME_FIELDS))
    return event


def _edit_one(event: Event, values: dict, at: datetime, by: Person) -> Event:
    found = occurrence(event, at)
    if found is None:
        raise CalendarError(_("That occurrence is not part of this event."))
    moved = values["starts_at"] != found.original_start or \
        values["ends_at"] != found.original_start + (event.ends_at - event.starts_at)
    times = (values["starts_at"] if moved else None, values["ends_at"] if moved else None,
             values["place"] if values["place"] != event.place else None)
    if (found.starts_at, found.ends_at, found.place) == (values["starts_at"],
                                                         values["ends_at"], values["place"]):
        return event  # saved as it was: nothing to tell anyone
    change = _change_for(event, at)
    change.starts_at, change.ends_at, change.place = times
    change.sequence += 1
    change.updated_at = now()
    audit.record("event.change_one", event, f"Changed “{event.title}” on "
                 f"{at.astimezone(borough_zone()):%Y-%m-%d %H:%M}", actor=by)
    _tell_answered(event, [at], _(
        "“%(title)s” on %(day)s has changed: now %(when)s%(place)s", title=in_subject(event.title),
        day=_day(at), when=_day(values["starts_at"]),
        place=f", {in_subject(values['place'])}" if values["place"] else ""))
    event.sequence += 1
    return event


def _change_for(event: Event, at: datetime) -> OccurrenceChange:
    change = db.session.scalar(select(OccurrenceChange).where(
        OccurrenceChange.event_id == event.id, OccurrenceChange.original_start == at))
    if change is None:
        change = OccurrenceChange(event_id=event.id, original_start=at, sequence=0)
        db.session.add(change)
    return change


def _split(event: Event, at: datetime) -> int | None:
    """End a series just before the occurrence at `at`; returns how many occurrences were
    left for the rest of its count, if it had one."""
    form = read_rule(event.recurrence)
    before = len([start for start in _all_starts(event) if start < at])
    # Until the day before it (the borough's): UNTIL is the end of its day, and the rules
    # put at most one occurrence on a day. Not `at` less a second, whose day is at's own.
    _set_rule(event, (form["pattern"],
                      at.astimezone(borough_zone()).date() - timedelta(days=1), None))
    if event.repeat_until is not None and event.repeat_until >= at:
        event.repeat_until = at - timedelta(seconds=1)
    return form["count"] - before if form["count"] else None


def _all_starts(event: Event) -> list[datetime]:
    from network.calendar.recurrence import starts_between

    end = event.repeat_until or now() + timedelta(days=3650)
    return starts_between(event.recurrence, event.starts_at, event.starts_at,
                          end + timedelta(seconds=1))


def _edit_following(event, values, theme_ids, repeats, at, by) -> Event:
    if occurrence(event, at) is None:
        raise CalendarError(_("That occurrence is not part of this event."))
    if at == event.starts_at:
        return _edit_all(event, values, theme_ids, repeats, at, by)
    count = read_rule(event.recurrence)["count"]
    left = _split(event, at)
    rest = Event(organisation_id=event.organisation_id, created_by_id=by.id,
                 continues_id=event.id, **values)
    rest.themes = _themes(theme_ids)
    if repeats is not None and left and repeats[2] == count:
        # The count the form showed is the whole series': the rest is what was left of it.
        repeats = (repeats[0], None, left)
    _set_rule(rest, repeats)
    db.session.add(rest)
    db.session.flush()
    _shift_occurrences(event, rest, _wall_delta(at, values["starts_at"]), since=at)
    event.sequence += 1
    audit.record("event.split", event, f"Changed “{event.title}” from "
                 f"{at.astimezone(borough_zone()):%Y-%m-%d} on", actor=by, continued=rest.id)
    _tell_answered(rest, None, _("“%(title)s” has changed from %(day)s on",
                                 title=in_subject(rest.title), day=_day(at)))
    return rest


def _shift_occurrences(source: Event, target: Event, shift: timedelta,
                       since: datetime | None) -> None:
    """Move answers and changes of the occurrences from `since` (or all) to the target
    series, their original starts moved as the series was."""
    for model, column in ((Rsvp, Rsvp.occurrence_start),
                          (OccurrenceChange, OccurrenceChange.original_start)):
        rows = db.session.scalars(select(model).where(
            model.event_id == source.id, *([column >= since] if since else []))).all()
        for row in rows:
            row.event_id = target.id
            if model is Rsvp:
                row.occurrence_start = _shift(row.occurrence_start, shift)
            else:
                row.original_start = _shift(row.original_start, shift)


def _changes(event: Event, values: dict) -> dict:
    """The audit's {field: [old, new]} for what people notice."""
    return audit.changes(event, ["title", "starts_at", "ends_at", "place", "capacity"], values)


def _changed(event: Event, by: Person, diff: dict, times_changed: bool) -> None:
    event.updated_at = now()
    if times_changed or diff:
        event.sequence += 1
    audit.record("event.edit", event, f"Changed “{event.title}”", actor=by, changes=diff)
    if times_changed:
        _tell_answered(event, None, _(
            "“%(title)s” has changed: now %(when)s%(place)s", title=in_subject(event.title),
            when=_series_time(event) if event.recurring else _day(event.starts_at),
            place=f", {in_subject(event.place)}" if event.place else ""))


def _series_time(event: Event) -> str:
    """"every two weeks on Thursday, at 18:30"."""
    from network.core.time import format_clock

    rule = describe(event.recurrence, event.starts_at)
    return _("%(rule)s, at %(clock)s", rule=rule[:1].lower() + rule[1:],
             clock=format_clock(event.starts_at))


def cancel(event: Event, scope: str, at: datetime | None, reason: str, by: Person) -> bool:
    """Cancel the whole event, one occurrence, or this one and the following ones (the series
    then ends before it). Nothing is deleted; people who answered are told. False, and
    nothing done, when it was cancelled already."""
    if event.cancelled_at is not None:
        return False
    if scope == "this" and event.recurring:
        found = occurrence(event, at)
        if found is None:
            raise CalendarError(_("That occurrence is not part of this event."))
        if found.cancelled:
            return False
        change = _change_for(event, at)
        change.cancelled, change.note = True, reason
        change.sequence += 1
        event.sequence += 1
        audit.record("event.cancel_one", event, f"Cancelled “{event.title}” on {_day(at)}",
                     actor=by, reason=reason)
        _tell_answered(event, [at], _("Cancelled: “%(title)s” on %(day)s",
                                      title=in_subject(event.title), day=_day(at)), detail=reason)
        return True
    if scope == "following" and event.recurring and at is not None and at > event.starts_at:
        _tell_answered(event, None, _("Cancelled from %(day)s on: “%(title)s”",
                                      title=in_subject(event.title), day=_day(at)),
                       since=at, detail=reason)
        _split(event, at)
        event.sequence += 1
        audit.record("event.cancel_following", event, f"Cancelled “{event.title}” from "
                     f"{_day(at)} on", actor=by, reason=reason)
        return True
    event.cancelled_at, event.cancel_reason = now(), reason
    event.sequence += 1
    audit.record("event.cancel", event, f"Cancelled “{event.title}”", actor=by, reason=reason)
    # A one-off event's subject names its day, as an occurrence's does; a series', its title.
    subject = (_("Cancelled: “%(title)s”", title=in_subject(event.title)) if event.recurring
               else _("Cancelled: “%(title)s” on %(day)s", title=in_subject(event.title),
                      day=format_day(event.starts_at) if event.all_day
                      else _day(event.starts_at)))
    _tell_answered(event, None, subject, detail=reason)
    return True


def ended_before(event: Event, at: datetime) -> bool:
    """Whether a series' days would have had an occurrence at `at`, after its last one: it
    was cancelled from some date on (or counted out) before then."""
    if not event.recurring or event.repeat_until is None or at <= event.repeat_until:
        return False
    endless = make_rule(read_rule(event.recurrence)["pattern"], event.starts_at)
    return is_occurrence(endless, event.starts_at, at)


def _day(moment: datetime) -> str:
    from network.core.time import format_when

    return format_when(moment)


# --- answers ---------------------------------------------------------------------------------

def going_count(event: Event, at: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Rsvp).where(
        Rsvp.event_id == event.id, Rsvp.occurrence_start == at,
        Rsvp.answer == Answer.GOING, Rsvp.waiting.is_(False))) or 0


def answer(event: Event, at: datetime, person: Person, reply: Answer) -> tuple[Rsvp, bool]:
    """Say whether one is coming to an occurrence. Past the places, "going" waits; a place
    given up goes to whoever has waited longest, who is told. Returns the answer, and False
    when it was the answer already (nothing changes, nobody is told)."""
    _lock(event)
    found = occurrence(event, at)
    if found is None:
        raise CalendarError(_("That occurrence is not part of this event."))
    if found.cancelled:
        raise CalendarError(_("This is cancelled: there is nothing to answer."))
    if found.starts_at <= now():
        raise CalendarError(_("This has already started: answers are closed."))
    if not event.rsvp:
        raise CalendarError(_("This event does not ask who is coming."))
    row = db.session.scalar(select(Rsvp).where(Rsvp.event_id == event.id,
                                               Rsvp.occurrence_start == at,
                                               Rsvp.person_id == person.id))
    had_place = row is not None and row.answer == Answer.GOING and not row.waiting
    if row is None:
        row = Rsvp(event_id=event.id, occurrence_start=at, person_id=person.id, answer=reply)
        db.session.add(row)
    elif row.answer == reply:
        return row, False
    row.answer, row.answered_at = reply, now()
    row.waiting = False
    if reply == Answer.GOING and not had_place and event.capacity is not None:
        db.session.flush()
        row.waiting = going_count(event, at) - 1 >= event.capacity
    db.session.flush()
    if had_place and reply != Answer.GOING:
        _move_up(event, at)
    return row, True


def _move_up(event: Event, at: datetime) -> None:
    """Give free places to those waiting, longest first, and tell them (all of them once
    there is no limit)."""
    free = None if event.capacity is None else event.capacity - going_count(event, at)
    if free is not None and free <= 0:
        return
    waiting = db.session.scalars(select(Rsvp).where(
        Rsvp.event_id == event.id, Rsvp.occurrence_start == at, Rsvp.waiting.is_(True))
        .options(joinedload(Rsvp.person)).order_by(Rsvp.answered_at, Rsvp.id).limit(free)).all()
    for row in waiting:
        row.waiting = False
        notify(row.person, "calendar.changed",
               _("A place came free: you are going to “%(title)s” on %(day)s",
                 title=in_subject(event.title), day=_day(at)), event_path(event, at))


def free_places_after_capacity_change(event: Event) -> None:
    """After the number of places went up (or the limit went), those waiting for upcoming
    occurrences move up."""
    starts = db.session.scalars(select(Rsvp.occurrence_start).where(
        Rsvp.event_id == event.id, Rsvp.waiting.is_(True), Rsvp.occurrence_start > now())
        .distinct()).all()
    for at in starts:
        _move_up(event, at)


def most_going_upcoming(event: Event) -> int:
    """The most people going to any upcoming occurrence: places cannot go below it."""
    counts = db.session.scalars(
        select(func.count()).select_from(Rsvp)
        .where(Rsvp.event_id == event.id, Rsvp.answer == Answer.GOING,
               Rsvp.waiting.is_(False), Rsvp.occurrence_start > now())
        .group_by(Rsvp.occurrence_start)).all()
    return max(counts, default=0)


def _lock(event: Event) -> None:
    """Serialise answers to one event on PostgreSQL (SQLite's writers are serial already):
    the last place is given once."""
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def answers_for(event: Event, at: datetime) -> list[Rsvp]:
    return list(db.session.scalars(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.occurrence_start == at)
        .options(joinedload(Rsvp.person).load_only(Person.display_name))
        .order_by(Rsvp.answer, Rsvp.waiting, Rsvp.answered_at)))


def places_taken(event: Event, at: datetime) -> tuple[int, int]:
    """(going with a place, waiting for one) for an occurrence."""
    counts = dict(db.session.execute(
        select(Rsvp.waiting, func.count()).where(
            Rsvp.event_id == event.id, Rsvp.occurrence_start == at,
            Rsvp.answer == Answer.GOING).group_by(Rsvp.waiting)).tuples().all())
    return counts.get(False, 0), counts.get(True, 0)


def place_in_line(row: Rsvp) -> int:
    """Where someone waiting stands (1: the next place is theirs), in the order _move_up
    gives places."""
    ahead = db.session.scalar(select(func.count()).select_from(Rsvp).where(
        Rsvp.event_id == row.event_id, Rsvp.occurrence_start == row.occurrence_start,
        Rsvp.waiting.is_(True), or_(Rsvp.answered_at < row.answered_at,
                                    and_(Rsvp.answered_at == row.answered_at,
                                         Rsvp.id < row.id))))
    return (ahead or 0) + 1


def _tell_answered(event: Event, starts: list[datetime] | None, subject: str,
                   since: datetime | None = None, detail: str = "") -> None:
    """Tell people going (or maybe, or waiting) to upcoming occurrences that changed."""
    query = select(Rsvp).where(Rsvp.event_id == event.id,
                               Rsvp.answer.in_([Answer.GOING, Answer.MAYBE]),
                               Rsvp.occurrence_start > now() - timedelta(hours=12))
    if starts is not None:
        query = query.where(Rsvp.occurrence_start.in_(starts))
    if since is not None:
        query = query.where(Rsvp.occurrence_start >= since)
    told = set()
    for row in db.session.scalars(query.options(joinedload(Rsvp.person))):
        if row.person_id in told:
            continue
        told.add(row.person_id)
        notify(row.person, "calendar.changed", subject, event_path(event, row.occurrence_start),
               detail)


def _tell_followers(event: Event, author: Person) -> None:
    followers = db.session.scalars(
        select(Person).join(Follow, Follow.person_id == Person.id)
        .where(Follow.organisation_id == event.organisation_id, Person.id != author.id)).all()
    for person in followers:
        if event_access(person, event).view:
            notify(person, "calendar.new_event",
                   _("%(org)s added “%(title)s” on %(day)s",
                     org=in_subject(event.organisation.name), title=in_subject(event.title),
                     day=_day(event.starts_at)), event_path(event))


def event_path(event: Event, at: datetime | None = None) -> str:
    values = {"event_id": event.id, "slug": event.slug}
    if at is not None and event.recurring:
        values["at"] = occurrence_key(at)
    return site_path("calendar.event", **values)  # in a request or a command (reminders)


# --- reminders --------------------------------------------------------------------------------

def send_reminders(moment: datetime | None = None) -> int:
    """A reminder the day before: everyone going (or maybe) to an occurrence that starts in
    the next 24 hours, once. Run from cron every hour (`flask calendar remind`)."""
    moment = moment or now()
    rows = db.session.scalars(
        select(Rsvp).where(Rsvp.answer.in_([Answer.GOING, Answer.MAYBE]),
                           Rsvp.waiting.is_(False), Rsvp.reminded_at.is_(None),
                           Rsvp.occurrence_start > moment - MOVE_LIMIT,
                           Rsvp.occurrence_start < moment + timedelta(days=1) + MOVE_LIMIT)
        .options(joinedload(Rsvp.person), joinedload(Rsvp.event).selectinload(Event.changes))
        .order_by(Rsvp.occurrence_start)).all()
    sent = 0
    for row in rows:
        found = occurrence(row.event, row.occurrence_start)
        if found is None or found.cancelled or not moment < found.starts_at <= \
                moment + timedelta(days=1):
            continue
        row.reminded_at = moment
        notify(row.person, "calendar.reminder",
               _("Tomorrow: “%(title)s” at %(day)s", title=in_subject(row.event.title),
                 day=_day(found.starts_at)), event_path(row.event, row.occurrence_start))
        sent += 1
    return sent


# --- papers, follows, feeds ------------------------------------------------------------------

def add_paper(event: Event, upload: Upload, title: str, by: Person,
              replaces: Paper | None = None) -> Paper:
    """Keep the file and attach it; a new version marks the one it replaces, which is kept
    (its address still serves it)."""
    stored = upload.store()
    paper = Paper(event_id=event.id, file=stored, title=title, filename=upload.filename,
                  uploaded_by_id=by.id)
    db.session.add(paper)
    db.session.flush()
    if replaces is not None:
        replaces.replaced_by_id = paper.id
    audit.record("event.paper", event, f"Added “{title}” to “{event.title}”", actor=by,
                 paper=paper.id, replaces=replaces.id if replaces else None)
    return paper


def papers_of(event: Event) -> list[Paper]:
    """The current version of each paper, newest first."""
    return list(db.session.scalars(select(Paper).where(
        Paper.event_id == event.id, Paper.replaced_by_id.is_(None))
        .order_by(Paper.uploaded_at.desc())))


def follow(person: Person, organisation_id: int, on: bool) -> bool:
    """Follow an organisation's events, or stop; False when it was so already."""
    existing = db.session.get(Follow, (person.id, organisation_id))
    if on and existing is None:
        db.session.add(Follow(person_id=person.id, organisation_id=organisation_id))
        return True
    if not on and existing is not None:
        db.session.delete(existing)
        return True
    return False


def feed_generation(person: Person) -> int:
    key = db.session.get(FeedKey, person.id)
    return key.generation if key else 1


def reset_feed(person: Person) -> None:
    key = db.session.get(FeedKey, person.id)
    if key is None:
        db.session.add(FeedKey(person_id=person.id, generation=2))
    else:
        db.session.execute(update(FeedKey).where(FeedKey.person_id == person.id)
                           .values(generation=FeedKey.generation + 1, reset_at=now()))


def visible_events(person=None):
    """select(Event) narrowed to what the person may see."""
    return visible(select(Event), Event, person=person)


def feed_token(person: Person) -> str:
    """The secret in a person's feed address: made from the app's secret, their id and the
    feed's generation, so nothing secret is stored and a reset ends the old address."""
    message = f"calendar-feed:{person.id}:{feed_generation(person)}".encode()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def upcoming_for(organisation_id: int, limit: int) -> list[Occurrence]:
    """An organisation's next occurrences that the person asking may see."""
    return upcoming_where(Event.organisation_id == organisation_id, limit=limit)


def upcoming_where(*where, limit: int) -> list[Occurrence]:
    """The next occurrences (within six months) of the events `where` says that the person
    asking may see."""
    start, end = now(), now() + timedelta(days=180)
    events = db.session.scalars(
        visible(select(Event).where(*where, Event.cancelled_at.is_(None),
                                    in_window(start, end)), Event)
        .options(*listed()).order_by(Event.starts_at).limit(limit * 8)).unique().all()
    return [found for found in occurrences_of(events, start, end)
            if not found.cancelled][:limit]


def held_where(*where, limit: int, since: datetime | None = None) -> list[Occurrence]:
    """The latest occurrences since then (the past year unless said), most recent first,
    that were not cancelled."""
    start, end = since or now() - timedelta(days=366), now()
    events = db.session.scalars(
        visible(select(Event).where(*where, Event.cancelled_at.is_(None),
                                    in_window(start, end)), Event)
        .options(*listed())).unique().all()
    held = [found for found in occurrences_of(events, start, end)
            if not found.cancelled and found.starts_at < end]
    return held[::-1][:limit]


def held_and_upcoming(*where, limit: int) -> tuple[list[Occurrence], list[Occurrence]]:
    """held_where and upcoming_where in one reading of the events: the latest `limit` held
    this past year, most recent first, and the next `limit` within six months."""
    moment = now()
    start, end = moment - timedelta(days=366), moment + timedelta(days=180)
    events = db.session.scalars(
        visible(select(Event).where(*where, Event.cancelled_at.is_(None),
                                    in_window(start, end)), Event)
        .options(*listed())).unique().all()
    found = [o for o in occurrences_of(events, start, end) if not o.cancelled]
    return ([o for o in found if o.starts_at < moment][::-1][:limit],
            [o for o in found if o.ends_at > moment][:limit])


def follows(person: Person, organisation_id: int) -> bool:
    return person.is_authenticated and \
        db.session.get(Follow, (person.id, organisation_id)) is not None
