"""Every change to representation: bodies, seats and their terms. Functions change the
session; the route commits once. Also who speaks for whom ("my representatives")."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from network.auth.models import Person
from network.core import audit
from network.core.forms import Refused
from network.core.links import site_path
from network.core.permissions import visible
from network.core.time import format_day, today
from network.extensions import db
from network.members.models import Area, Membership, Organisation, OrgStatus, Theme
from network.notify.services import notify
from network.representation.models import Body, Seat, Term


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


# --- seats ---------------------------------------------------------------------------------------

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


def add_term(seat: Seat, values: dict, by: Person) -> Term:
    """Record who holds the seat, when. Two people never hold one seat at once: a term that
    overlaps another is refused (the seat's row is locked first on PostgreSQL)."""
    db.session.execute(select(Seat.id).where(Seat.id == seat.id).with_for_update())
    clash = db.session.scalar(select(Term).where(
        Term.seat_id == seat.id, Term.starts_on <= values["ends_on"],
        Term.ends_on >= values["starts_on"]).order_by(Term.starts_on))
    if clash is not None:
        held = {"name": clash.holder.display_name, "start": format_day(clash.starts_on),
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
    term = Term(seat_id=seat.id, **values)
    db.session.add(term)
    db.session.flush()
    audit.record("seat.term", term, f"{term.holder.display_name} holds “{seat.title}” from "
                 f"{term.starts_on.isoformat()} to {term.ends_on.isoformat()}", actor=by,
                 selection=term.selection.value)
    path = body_path(seat.body)
    notify(term.holder, "representation.seat", _(
        "You hold the seat “%(seat)s” on %(body)s from %(start)s until %(end)s",
        seat=seat.title, body=seat.body.name, start=format_day(term.starts_on),
        end=format_day(term.ends_on)), path)
    if term.deputy is not None:
        notify(term.deputy, "representation.seat", _(
            "You are the deputy for the seat “%(seat)s” on %(body)s from %(start)s until "
            "%(end)s", seat=seat.title, body=seat.body.name, start=format_day(term.starts_on),
            end=format_day(term.ends_on)), path)
    return term


def body_path(body: Body) -> str:
    return site_path("representation.body", body_id=body.id, slug=body.slug)


# --- who speaks for whom -------------------------------------------------------------------------

def live_seats(*where, body_id: int | None = None) -> list[Seat]:
    """Seats in use on bodies the person asking may see (and as `where` says), with whom
    they speak for and who held them, by body."""
    query = visible(select(Seat).join(Body).where(Seat.archived_at.is_(None)), Body).options(
        contains_eager(Seat.body), selectinload(Seat.areas), selectinload(Seat.themes),
        selectinload(Seat.organisations),
        selectinload(Seat.terms).options(joinedload(Term.holder), joinedload(Term.deputy)))
    if body_id is not None:
        query = query.where(Seat.body_id == body_id)
    if where:
        query = query.where(*where)
    return list(db.session.scalars(query.order_by(Body.name, Seat.title)))


def seats_for(person: Person) -> list[Seat]:
    """The seats that speak for a person: for one of their organisations by name, for its
    area or one of its themes, or for the whole network."""
    organisations = list(db.session.scalars(
        select(Organisation).join(Membership).where(
            Membership.person_id == person.id, Membership.left_at.is_(None),
            Organisation.status == OrgStatus.APPROVED)
        .options(selectinload(Organisation.themes))))
    if not organisations:
        return []  # seats speak for member organisations
    areas = {o.area_id for o in organisations if o.area_id}
    themes = {t.id for o in organisations for t in o.themes}
    return live_seats(or_(
        Seat.organisations.any(Organisation.id.in_([o.id for o in organisations])),
        Seat.areas.any(Area.id.in_(areas)), Seat.themes.any(Theme.id.in_(themes)),
        and_(~Seat.areas.any(), ~Seat.themes.any(), ~Seat.organisations.any())))


def meeting_bodies(person, keep: int | None = None) -> list[Body]:
    """The bodies whose meetings a person may put in the calendar: any live one for
    coordinators, those where they hold or deputise a seat now for members (and `keep`, the
    body an event being changed already has)."""
    if not person.is_authenticated:
        return []
    query = select(Body).where(or_(Body.archived_at.is_(None), Body.id == keep))
    if not person.is_coordinator:
        holding = select(Seat.body_id).join(Term).where(
            or_(Term.holder_id == person.id, Term.deputy_id == person.id),
            Term.starts_on <= today(), Term.ends_on >= today())
        query = query.where(or_(Body.id.in_(holding), Body.id == keep))
    return list(db.session.scalars(query.order_by(Body.name)))


def people_who_can_hold() -> list[Person]:
    """Members of member organisations, by name: who may hold or deputise a seat."""
    return list(db.session.scalars(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.left_at.is_(None), Organisation.status == OrgStatus.APPROVED,
               Person.suspended_at.is_(None))
        .distinct().order_by(Person.display_name)))
