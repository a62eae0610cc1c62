"""The demo borough's past year of sharing, so the record of what was shared has figures:
the Youth Project used the Federation's hall on three Wednesday evenings and the Federation
borrowed Green Spoon's urn and chairs for its fun day; the Multi-Faith Forum found the fun
day's volunteers; the fun day was held, and people said they were going."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from network.auth.models import Person
from network.board import services as board
from network.board.models import (
    Booking,
    BookingStatus,
    Category,
    Listing,
    ListingKind,
    ListingStatus,
)
from network.calendar import services as calendar
from network.calendar.models import Answer, EventKind, Rsvp
from network.core.audience import Audience
from network.core.time import local, local_moment
from network.extensions import db
from network.members.models import Organisation

GOING = ("pat", "ravi", "grace", "meilin", "jordan", "kezia")


def load_impact(people: dict[str, Person], at: datetime) -> None:
    organisations = {org.name: org for org in db.session.scalars(db.select(Organisation))}
    federation, youth, forum, spoon = (organisations[name] for name in (
        "Riverside Tenants' Federation", "Harbourside Youth Project",
        "Riverside Multi-Faith Forum", "Green Spoon"))
    pat = people["pat@example.org"]
    listings = {listing.title: listing for listing in db.session.scalars(db.select(Listing))}
    hall = listings["Community hall for meetings, up to 40 people"]
    urn = listings["Tea urn, trestle tables and 60 chairs to lend"]
    today = local(at).date()
    fun_day = today - timedelta(days=120)
    fun_day -= timedelta(days=(fun_day.weekday() - 5) % 7)  # a Saturday
    for weeks in (6, 10, 14):  # Wednesdays, 18:00 to 20:00
        day = today - timedelta(weeks=weeks)
        day -= timedelta(days=(day.weekday() - 2) % 7)
        db.session.add(_booked(hall, youth, people["jordan@example.org"], pat,
                               local_moment(day, time(18)), local_moment(day, time(20)),
                               "Youth forum"))
    db.session.add(_booked(urn, federation, pat, people["lena@example.org"],
                           local_moment(fun_day, time(10)), local_moment(fun_day, time(15)),
                           "Summer fun day"))
    asked = board.create_listing(federation.id, pat, {
        "kind": ListingKind.REQUEST, "category": Category.PEOPLE,
        "title": "Volunteers for the summer fun day",
        "description": "Six people to run stalls and games, 10 till 3.", "area_id": None,
        "expires_on": fun_day})
    # Matched before the fun day, as history: nobody is told of it now.
    asked.created_at = local_moment(fun_day - timedelta(days=30), time(9))
    asked.status, asked.matched_with_id = ListingStatus.MATCHED, forum.id
    asked.settled_at = local_moment(fun_day - timedelta(days=12), time(11))
    event = calendar.create_event(federation.id, pat, {
        "title": "Summer fun day on Lock Street", "kind": EventKind.SOCIAL,
        "audience": Audience.PUBLIC, "starts_at": local_moment(fun_day, time(10)),
        "ends_at": local_moment(fun_day, time(15)), "all_day": False,
        "place": "Lock Street green", "online_link": "",
        "description": "Stalls, games and a barbecue for every family on the estates.",
        "rsvp": True, "capacity": None, "access_note": "", "closes_at": None,
        "area_id": federation.area_id}, [], None)
    db.session.flush()
    db.session.add_all(Rsvp(event_id=event.id, occurrence_start=event.starts_at,
                            person_id=people[f"{name}@example.org"].id, answer=Answer.GOING,
                            answered_at=event.starts_at - timedelta(days=7)) for name in GOING)


def _booked(listing: Listing, organisation: Organisation, asker: Person, approver: Person,
            starts_at: datetime, ends_at: datetime, purpose: str) -> Booking:
    """A booking from the past, approved: a row, as history (the services take no past
    times)."""
    return Booking(listing_id=listing.id, organisation_id=organisation.id,
                   requested_by_id=asker.id, starts_at=starts_at, ends_at=ends_at,
                   purpose=purpose, status=BookingStatus.APPROVED, decided_by_id=approver.id,
                   decided_at=starts_at - timedelta(days=5),
                   created_at=starts_at - timedelta(days=7))
