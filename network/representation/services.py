"""Every change to bodies, seats and their terms, and to the items raised for a seat
(`reporting` holds those to reports back). Functions change the session; the route commits
once. Also where each thing is (`body_path`, `seat_path`, `report_path`), for links and
notifications."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from network.auth.models import Person
from network.core import audit
from network.core.forms import Refused
from network.core.i18n import later
from network.core.links import site_path
from network.core.text import in_subject
from network.core.time import format_day, now
from network.extensions import db
from network.members.models import Area, Organisation, Theme
from network.notify.services import notify
from network.representation.models import (
    Body,
    ItemStatus,
    ItemSupport,
    RaisedItem,
    Report,
    Seat,
    Term,
)
from network.representation.reads import next_meeting


class RepresentationError(Refused):
    """A change to a body, a seat or a term refused."""


# --- bodies --------------------------------------------------------------------------------------

def _name_free(name: str, body: Body | None = None) -> None:
    taken = db.session.scalar(select(Body.id).where(Body.name == name))
    if taken is not None and (body is None or taken != body.id):
        raise RepresentationError(_("There is a body of that name already."), "name")


def create_body(values: dict, by: Person) -> Body:
    _name_free(values["name"])
    body = Body(**values)
    db.session.add(body)
    try:
        db.session.flush()
    except IntegrityError:  # the same name added at the same moment
        raise RepresentationError(_("There is a body of that name already."), "name") from None
    audit.record("body.create", body, f"Added the body “{body.name}”", actor=by)
    return body


def edit_body(body: Body, values: dict, by: Person) -> None:
    _name_free(values["name"], body)
    changed = audit.changes(body, list(values), values)
    for name, value in values.items():
        setattr(body, name, value)
    if changed:
        audit.record("body.edit", body, f"Changed the body “{body.name}”", actor=by, **changed)


# --- seats, their terms, archiving ---------------------------------------------------------------

def _constituency(seat: Seat, chosen: dict) -> None:
    seat.areas = _rows(Area, chosen["areas"])
    seat.themes = _rows(Theme, chosen["themes"])
    seat.organisations = _rows(Organisation, chosen["organisations"])


def _rows(model, ids: list[int]) -> list:
    return list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def create_seat(body: Body, title: str, description: str, chosen: dict, by: Person) -> Seat:
    seat = Seat(body_id=body.id, title=title, description=description)
    _constituency(seat, chosen)
    db.session.add(seat)
    db.session.flush()
    audit.record("seat.create", seat, f"Added the seat “{title}” on “{body.name}”", actor=by)
    return seat


def edit_seat(seat: Seat, title: str, description: str, chosen: dict, by: Person) -> None:
    before = _speaks_for(seat)
    seat.title, seat.description = title, description
    _constituency(seat, chosen)
    audit.record("seat.edit", seat, f"Changed the seat “{title}”", actor=by,
                 speaks_for=[before, _speaks_for(seat)])


def _speaks_for(seat: Seat) -> str:
    return ", ".join(x.name for x in [*seat.areas, *seat.themes, *seat.organisations])


def _no_overlap(seat_id: int, values: dict, other_than: int | None = None) -> None:
    """Refuse a term that would overlap another of the seat's, saying which end to move."""
    clash = db.session.scalar(select(Term).where(
        Term.seat_id == seat_id, Term.starts_on <= values["ends_on"],
        Term.ends_on >= values["starts_on"], Term.id != (other_than or 0))
        .order_by(Term.starts_on))
    if clash is not None:
        held = {"name": clash.holder.name, "start": format_day(clash.starts_on),
                "end": format_day(clash.ends_on)}
        if clash.starts_on > values["starts_on"]:  # a later term: this one must end sooner
            raise RepresentationError(_(
                "%(name)s is recorded for this seat from %(start)s until %(end)s: two people "
                "cannot hold one seat at once. End this term before %(start)s.", **held),
                "ends_on")
        raise RepresentationError(_(
            "%(name)s is recorded for this seat from %(start)s until %(end)s: two people "
            "cannot hold one seat at once. Start this term after %(end)s.", **held),
            "starts_on")


def add_term(seat: Seat, values: dict, by: Person) -> Term:
    """Record who holds the seat, when. Two people never hold one seat at once: a term that
    overlaps another is refused (the seat's row is locked first on PostgreSQL)."""
    db.session.execute(select(Seat.id).where(Seat.id == seat.id).with_for_update())
    _no_overlap(seat.id, values)
    term = Term(seat_id=seat.id, **values)
    db.session.add(term)
    db.session.flush()
    audit.record("seat.term", term, f"A term on “{seat.title}” from "
                 f"{term.starts_on.isoformat()} to {term.ends_on.isoformat()}", actor=by,
                 holder=term.holder_id, selection=term.selection.value)
    path = body_path(seat.body)
    notify(term.holder, "representation.seat", _l(
        "You hold the seat “%(seat)s” on %(body)s from %(start)s until %(end)s",
        seat=in_subject(seat.title), body=in_subject(seat.body.name),
        start=later(format_day, term.starts_on), end=later(format_day, term.ends_on)), path)
    if term.deputy is not None:
        notify(term.deputy, "representation.seat", _l(
            "You are the deputy for the seat “%(seat)s” on %(body)s from %(start)s until "
            "%(end)s", seat=in_subject(seat.title), body=in_subject(seat.body.name),
            start=later(format_day, term.starts_on), end=later(format_day, term.ends_on)), path)
    return term


def change_term(term: Term, values: dict, by: Person) -> bool:
    """Correct a term or end it early (a resignation): the same rule as a new term, two
    people never hold one seat at once, checked against the seat's other terms. False when
    nothing changed (a term ended on the day it already ends)."""
    changed = audit.changes(term, list(values), values)
    if not changed:
        return False
    db.session.execute(select(Seat.id).where(Seat.id == term.seat_id).with_for_update())
    _no_overlap(term.seat_id, values, other_than=term.id)
    for name, value in values.items():
        setattr(term, name, value)
    audit.record("seat.term.edit", term, f"Changed a term on “{term.seat.title}”", actor=by,
                 **changed)
    return True


def archive(thing: Body | Seat, archived: bool, by: Person) -> bool:
    """Take a body or a seat out of use (its record stays), or bring it back. False when it
    was already so."""
    if (thing.archived_at is not None) == archived:
        return False
    thing.archived_at = now() if archived else None
    kind = "body" if isinstance(thing, Body) else "seat"
    name = thing.name if isinstance(thing, Body) else thing.title
    audit.record(f"{kind}.{'archive' if archived else 'restore'}", thing,
                 f"{'Archived' if archived else 'Restored'} “{name}”", actor=by)
    return True


# --- items raised before a meeting ---------------------------------------------------------------

def writers_of(seat: Seat) -> list[Person]:
    """Who is told of what happens on a seat: its present holder and deputy."""
    term = seat.current_term
    return [p for p in (term.holder, term.deputy) if p is not None] if term else []


def raise_item(seat: Seat, author: Person, title: str, body: str, organisation_id: int | None,
               key: str | None) -> RaisedItem:
    meeting = next_meeting(seat, as_seen=False)
    item = RaisedItem(seat_id=seat.id, author_id=author.id, organisation_id=organisation_id,
                      title=title, body=body, submission_key=key)
    if meeting is not None:
        item.event_id, item.occurrence_start = meeting.event.id, meeting.original_start
        item.meeting_at = meeting.starts_at
    db.session.add(item)
    db.session.flush()
    for person in writers_of(seat):
        if person.id != author.id:
            notify(person, "representation.item", _l(
                "%(name)s raised “%(title)s” for your seat “%(seat)s”",
                name=in_subject(author.name), title=in_subject(title),
                seat=in_subject(seat.title)), seat_path(seat, f"i{item.id}"))
    return item


def back_item(item: RaisedItem, person: Person, on: bool) -> bool:
    """"This matters to us too", or not any more. False when it was already so."""
    existing = db.session.get(ItemSupport, (item.id, person.id))
    if on and existing is None:
        db.session.add(ItemSupport(item_id=item.id, person_id=person.id))
        return True
    if not on and existing is not None:
        db.session.delete(existing)
        return True
    return False


def tell_raisers(item: RaisedItem, subject: str, url: str, by: Person,
                  detail: str = "") -> None:
    for person in [item.author, *(s.person for s in item.supporters)]:
        if person.id != by.id:
            notify(person, "representation.item", subject, url, detail)


def mark_item(item: RaisedItem, status: ItemStatus, reply: str, by: Person) -> bool:
    """The representative's answer to a raised item: taken to the meeting, not taken (why),
    or answered. Who raised it and who backed it are told. False when it was already so
    (the same mark, the same words): nobody is told again."""
    if status in (ItemStatus.NOT_TAKEN, ItemStatus.ANSWERED) and not reply:
        raise RepresentationError(
            _("Say why it was not taken.") if status == ItemStatus.NOT_TAKEN
            else _("Give the answer."), "reply")
    if status == item.status and reply == item.reply:
        return False
    item.status, item.reply, item.replied_at = status, reply, now()
    title = in_subject(item.title)
    subject = {
        ItemStatus.TAKEN: _l("“%(title)s” will be taken to the meeting", title=title),
        ItemStatus.NOT_TAKEN: _l("“%(title)s” was not taken to the meeting", title=title),
        ItemStatus.ANSWERED: _l("“%(title)s” is answered", title=title),
        ItemStatus.OPEN: _l("“%(title)s” is open again", title=title),
    }[status]
    tell_raisers(item, subject, seat_path(item.seat, f"i{item.id}"), by, detail=reply)
    return True


# --- where things are ----------------------------------------------------------------------------

def body_path(body: Body) -> str:
    return site_path("representation.body", body_id=body.id, slug=body.slug)


def seat_path(seat: Seat, anchor: str = "") -> str:
    return site_path("representation.seat", seat_id=seat.id) + (f"#{anchor}" if anchor else "")


def report_path(report: Report, anchor: str = "") -> str:
    return site_path("representation.report", report_id=report.id) + (
        f"#{anchor}" if anchor else "")
