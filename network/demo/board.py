"""The demo borough's sharing board: halls, a minibus, laptops, volunteers and know-how
offered and asked for, one listing matched this year and one closed, a conversation under
way, and one about to leave the board. The hall can be booked on weekdays (one evening is
booked and in the calendar, one morning is asked for), and the tea urn and chairs are booked
at once when free."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from network.auth.models import Person
from network.board import booking_services, services
from network.board.models import Booking, Category, ListingKind, ListingStatus, Urgency
from network.core.time import local, local_moment
from network.extensions import db
from network.members.models import Area, Organisation

# (organisation, kind, category, title, description, area, days until it leaves the board,
#  urgency, status)
LISTINGS = [
    ("Riverside Tenants' Federation", ListingKind.OFFER, Category.ROOMS,
     "Community hall for meetings, up to 40 people",
     "The Northbank Community Centre's main hall, free to member groups on weekday evenings. "
     "Step-free, with a hearing loop and a kitchen. **Book at least two days ahead.**",
     "Northbank", 45, Urgency.WHENEVER, ListingStatus.OPEN),
    ("Harbourside Youth Project", ListingKind.REQUEST, Category.TRANSPORT,
     "Minibus and driver for a Saturday trip",
     "Twelve young people to the coast on a Saturday in spring. We can pay fuel.",
     "Harbourside", 30, Urgency.SOON, ListingStatus.OPEN),
    ("Riverside Community Credit Union", ListingKind.OFFER, Category.FUNDING,
     "Help writing funding bids",
     "Tom has written bids to the Lottery and the council's community chest. An hour or two "
     "on your draft, free.", None, 50, Urgency.WHENEVER, ListingStatus.OPEN),
    ("Eastgate Chinese Women's Guild", ListingKind.REQUEST, Category.ROOMS,
     "A room for a weekly English class",
     "Tuesday mornings, ten women and a teacher. Somewhere warm with tables.",
     "Eastgate", 40, Urgency.SOON, ListingStatus.OPEN),
    ("Green Spoon", ListingKind.OFFER, Category.EQUIPMENT,
     "Tea urn, trestle tables and 60 chairs to lend",
     "For events: collect from St Anne's Square and bring back clean.", "St Anne's", 5,
     Urgency.WHENEVER, ListingStatus.OPEN),
    ("Millfield Residents' Association", ListingKind.REQUEST, Category.ICT,
     "Two laptops for the homework club",
     "Older laptops are fine: for homework and printing.", "Millfield", 55, Urgency.URGENT,
     ListingStatus.OPEN),
    ("Travellers' Support Group Riverside", ListingKind.OFFER, Category.TRAINING,
     "Cultural awareness training for volunteers",
     "A two-hour session on working with Gypsy and Traveller families.", None, 35,
     Urgency.WHENEVER, ListingStatus.OPEN),
    ("Riverside Multi-Faith Forum", ListingKind.REQUEST, Category.PEOPLE,
     "Volunteers for the winter night shelter",
     "Evenings from December to March; training given.", None, 20, Urgency.URGENT,
     ListingStatus.OPEN),
    ("Riverside Tenants' Federation", ListingKind.OFFER, Category.EQUIPMENT,
     "Projector and screen",
     "Lent to the Youth Project for their presentation evening.", "Northbank", 60,
     Urgency.WHENEVER, ListingStatus.MATCHED),
    ("Green Spoon", ListingKind.REQUEST, Category.SKILLS, "Food hygiene trainer",
     "Found one, thank you.", "St Anne's", 60, Urgency.WHENEVER, ListingStatus.CLOSED),
]


# The room each bookable room lends, as the calendar's events name their place: nothing is
# booked in it at a time an event is held there.
ROOMS = {
    "Community hall for meetings, up to 40 people":
        "Northbank Community Centre, Lock Street, main hall",
}

# Bookable offers and their rules.
BOOKABLE = {
    "Community hall for meetings, up to 40 people": {
        "book_days": "01234", "book_from": time(9), "book_until": time(22), "notice_days": 2},
    "Tea urn, trestle tables and 60 chairs to lend": {"auto_approve": True},
}


def weekday_after(at: datetime, weekday: int, days: int):
    """The first such weekday at least `days` after `at`, in the borough."""
    first = local(at).date() + timedelta(days=days)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def load_board(people: dict[str, Person], contacts: dict[str, str], at: datetime) -> None:
    """contacts: {organisation's name: its contact's email}, who posts its listings."""
    organisations = {org.name: org for org in db.session.scalars(db.select(Organisation))}
    areas = {area.name: area for area in db.session.scalars(db.select(Area))}
    made = {}
    for index, (org_name, kind, category, title, description, area, days, urgency,
                status) in enumerate(LISTINGS):
        author = people[contacts[org_name]]
        listing = services.create_listing(organisations[org_name].id, author, {
            "kind": kind, "category": category, "title": title, "description": description,
            "area_id": areas[area].id if area else None, "urgency": urgency,
            "expires_on": (at + timedelta(days=days)).date(),
            **({"bookable": True, **BOOKABLE[title]} if title in BOOKABLE else {}),
        })
        # Every two days over the past three weeks: the newest few are in this week's bulletin.
        listing.created_at = at - timedelta(days=2 * (len(LISTINGS) - index))
        if status != ListingStatus.OPEN:
            services.settle(listing, status, organisations["Harbourside Youth Project"].id
                            if status == ListingStatus.MATCHED else None, author)
        made[title] = listing
    hall = made["Community hall for meetings, up to 40 people"]
    db.session.flush()
    message = services.reply(hall, organisations["Eastgate Chinese Women's Guild"].id,
                             people["meilin@example.org"],
                             "Could we use the hall on Tuesday mornings for our English "
                             "class? About ten of us, 10 till 12.")
    services.add_message(message.conversation, people["pat@example.org"],
                         "Mornings are free from January. Shall we meet to look round?")
    youth, guild = (organisations["Harbourside Youth Project"],
                    organisations["Eastgate Chinese Women's Guild"])
    # A Wednesday: the Federation meets in the hall on Thursday evenings.
    wednesday = weekday_after(at, 2, 3)
    booking_services.request_booking(hall, youth.id, people["jordan@example.org"], {
        "starts_at": local_moment(wednesday, time(18)),
        "ends_at": local_moment(wednesday, time(20)),
        "purpose": "Youth forum: planning the summer", "note": "About 25 young people.",
        "to_calendar": True})
    booking_services.approve(db.session.scalars(db.select(Booking).where(
        Booking.listing_id == hall.id)).one(), people["pat@example.org"])
    tuesday = weekday_after(at, 1, 10)
    booking_services.request_booking(hall, guild.id, people["meilin@example.org"], {
        "starts_at": local_moment(tuesday, time(10)), "ends_at": local_moment(tuesday, time(12)),
        "purpose": "English class", "note": "Ten of us and a teacher, with tables.",
        "to_calendar": False})
