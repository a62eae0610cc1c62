"""The demo borough's representatives: the Riverside Strategic Partnership (public), where
Grace holds the voluntary sector seat with Pat as deputy, and Pat held it before her, meeting
on the second Thursday of each month; the Health and Wellbeing Board (members only), with a
seat for the Northbank and Harbourside groups held by Jordan (its last meeting was six weeks
ago, its next is in five), and one for older people nobody holds yet."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from network.auth.models import Person
from network.calendar import services as calendar
from network.calendar.models import EventKind
from network.core.audience import Audience
from network.core.time import local, local_moment
from network.extensions import db
from network.members.models import Area, Organisation, Theme
from network.representation import services
from network.representation.models import Selection


def load_representation(people: dict[str, Person], at: datetime) -> None:
    coordinator = people["coordinator@example.org"]
    areas = {a.name: a.id for a in db.session.scalars(db.select(Area))}
    themes = {t.name: t.id for t in db.session.scalars(db.select(Theme))}
    organisations = {o.name: o.id for o in db.session.scalars(db.select(Organisation))}
    year = at.year
    partnership = services.create_body({
        "name": "Riverside Strategic Partnership",
        "description": "The borough's local strategic partnership: the council, the health "
                       "service, the police, business and the voluntary and community sector "
                       "agree the **community strategy** and how the neighbourhood renewal "
                       "fund is spent.",
        "meets": "The second Thursday of each month, at 6pm", "audience": Audience.PUBLIC},
        coordinator)
    voluntary = services.create_seat(
        partnership, "Voluntary and community sector seat",
        "One of three seats for the sector; the network elects its holder every two years.",
        {"areas": [], "themes": [], "organisations": []}, coordinator)
    services.add_term(voluntary, {
        "holder_id": people["pat@example.org"].id, "deputy_id": None,
        "selection": Selection.ELECTED, "selection_note": "Elected unopposed at the 2023 AGM.",
        "starts_on": date(year - 3, 4, 1), "ends_on": date(year - 1, 3, 31)}, coordinator)
    services.add_term(voluntary, {
        "holder_id": people["grace@example.org"].id, "deputy_id": people["pat@example.org"].id,
        "selection": Selection.ELECTED,
        "selection_note": f"Elected at the {year - 1} AGM, 23 votes to 17.",
        "starts_on": date(year - 1, 4, 1), "ends_on": date(year + 1, 3, 31)}, coordinator)
    health = services.create_body({
        "name": "Health and Wellbeing Board",
        "description": "Plans health and care services for the borough with the people who "
                       "use them.", "meets": "Quarterly", "audience": Audience.MEMBERS},
        coordinator)
    neighbourhoods = services.create_seat(
        health, "Neighbourhoods seat", "Speaks for groups in Northbank and Harbourside.",
        {"areas": [areas["Northbank"], areas["Harbourside"]], "themes": [],
         "organisations": []}, coordinator)
    services.add_term(neighbourhoods, {
        "holder_id": people["jordan@example.org"].id, "deputy_id": None,
        "selection": Selection.NOMINATED,
        "selection_note": "Nominated by the network's coordinators' group.",
        "starts_on": date(year, 1, 1), "ends_on": date(year + 1, 12, 31)}, coordinator)
    services.create_seat(
        health, "Older people's seat", "Vacant: the network is looking for a volunteer.",
        {"areas": [], "themes": [themes["Older people"]],
         "organisations": [organisations["Riverside Multi-Faith Forum"]]}, coordinator)
    grace, jordan = people["grace@example.org"], people["jordan@example.org"]
    first = local(at).date().replace(day=1)
    second_thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 7)
    meeting(partnership, organisations["Riverside Multi-Faith Forum"], grace,
            "Strategic Partnership board meeting", second_thursday, time(18), public=True,
            repeats=("monthly_weekday", None, 12),
            description="Agenda: the community strategy refresh; the neighbourhood renewal "
                        "fund's second round.")
    today = local(at).date()
    for day in (today - timedelta(days=42), today + timedelta(days=35)):
        meeting(health, organisations["Harbourside Youth Project"], jordan,
                "Health and Wellbeing Board", day, time(14), public=False)


def meeting(body, organisation_id: int, author: Person, title: str, day: date, start: time,
            *, public: bool, repeats=None, description: str = "") -> None:
    """A body's meeting in the calendar, added by the seat's holder for their organisation."""
    calendar.create_event(organisation_id, author, {
        "title": title, "kind": EventKind.MEETING, "body_id": body.id,
        "audience": Audience.PUBLIC if public else Audience.MEMBERS,
        "starts_at": local_moment(day, start),
        "ends_at": local_moment(day, start) + timedelta(hours=2),
        "place": "Riverside Town Hall, Committee Room 2", "description": description}, [],
        repeats)

