"""What the calendar does, for routes and commands alike: events made, changed and cancelled
(one occurrence, this and the following ones, or all), papers, follows and feeds, and who is
told. Answers, places and reminders are in attendance.py; reads other features call, in
reads.py. Each function changes the session and queues its notifications and audit
entries; the caller commits once."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

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
from network.calendar.reads import event_path
from network.calendar.recurrence import (
    describe,
    is_occurrence,
    last_start,
    make_rule,
    occurrence,
    read_rule,
)
from network.core import audit, files
from network.core.forms import Refused
from network.core.i18n import later
from network.core.text import in_subject
from network.core.time import borough_zone, format_day, now
from network.extensions import db
from network.members.models import Theme
from network.notify.services import notify


class CalendarError(Refused):
    """A request that cannot be carried out: why, and the field it is about ("" for the
    whole form)."""


def not_an_occurrence(field: str = "") -> CalendarError:
    return CalendarError(_("That occurrence is not part of this event."), field)


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
        raise not_an_occurrence("scope")
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
    _tell_answered(event, [at], _l(
        "“%(title)s” on %(day)s has changed: now %(when)s%(place)s", title=in_subject(event.title),
        day=later(_day, at), when=later(_day, values["starts_at"]),
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
        raise not_an_occurrence("scope")
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
    _tell_answered(rest, None, _l("“%(title)s” has changed from %(day)s on",
                                 title=in_subject(rest.title), day=later(_day, at)))
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
        _tell_answered(event, None, _l(
            "“%(title)s” has changed: now %(when)s%(place)s", title=in_subject(event.title),
            when=later(_series_time, event) if event.recurring else later(_day, event.starts_at),
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
            raise not_an_occurrence("scope")
        if found.cancelled:
            return False
        change = _change_for(event, at)
        change.cancelled, change.note = True, reason
        change.sequence += 1
        event.sequence += 1
        audit.record("event.cancel_one", event, f"Cancelled “{event.title}” on {_day(at)}",
                     actor=by, reason=reason)
        _tell_answered(event, [at], _l("Cancelled: “%(title)s” on %(day)s",
                                       title=in_subject(event.title), day=later(_day, at)),
                       detail=reason)
        return True
    if scope == "following" and event.recurring and at is not None and at > event.starts_at:
        _tell_answered(event, None, _l("Cancelled from %(day)s on: “%(title)s”",
                                      title=in_subject(event.title), day=later(_day, at)),
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
    subject = (_l("Cancelled: “%(title)s”", title=in_subject(event.title)) if event.recurring
               else _l("Cancelled: “%(title)s” on %(day)s", title=in_subject(event.title),
                      day=later(format_day, event.starts_at) if event.all_day
                      else later(_day, event.starts_at)))
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
                   _l("%(org)s added “%(title)s” on %(day)s",
                     org=in_subject(event.organisation.name), title=in_subject(event.title),
                     day=later(_day, event.starts_at)), event_path(event))



# --- papers, follows, feeds ------------------------------------------------------------------

def add_paper(event: Event, upload: files.Upload, title: str, by: Person,
              replaces: Paper | None = None) -> Paper:
    """Keep the file and attach it; a new version marks the one it replaces, which is kept
    (its address still serves it)."""
    paper = files.add_paper(Paper, upload, title, by.id, event_id=event.id)
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


def feed_token(person: Person) -> str:
    """The secret in a person's feed address: made from the app's secret, their id and the
    feed's generation, so nothing secret is stored and a reset ends the old address."""
    message = f"calendar-feed:{person.id}:{feed_generation(person)}".encode()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
