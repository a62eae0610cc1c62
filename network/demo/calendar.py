"""The demo borough's season of events: regular meetings (one fortnightly, one monthly on the
second Tuesday), training, a consultation closing soon, a social, a deadline, one called at
short notice, one occurrence cancelled and one moved, answers, an agenda, and a follower; and
the council's committee dates, brought in from a file."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from network.auth.models import Person
from network.calendar import attendance, reads, services
from network.calendar.models import Answer, EventKind, Follow, OccurrenceChange
from network.core.audience import Audience
from network.core.files import Upload
from network.core.time import borough_zone
from network.extensions import db
from network.members.models import Area, Organisation, Theme

# (organiser, title, kind, audience, days from today, start, hours long, repeat, place,
#  description, extras). A series whose words name its day starts on the first such day from
#  then: extras "weekday" (0 for Monday) and, for a monthly one, "week" (2: the second).
EVENTS = [
    ("Riverside Tenants' Federation", "Federation open meeting", EventKind.MEETING,
     Audience.PUBLIC, 3, time(19, 0), 2, ("fortnightly", None, None),
     "Northbank Community Centre, Lock Street, main hall",
     "Every other Thursday: repairs, rents, and what the council said this fortnight. "
     "Tenants from any estate are welcome.",
     {"step_free": True, "hearing_loop": True, "area": "Northbank", "themes": ["Housing"],
      "rsvp": True, "weekday": 3}),
    ("Riverside Multi-Faith Forum", "Faith leaders' breakfast", EventKind.MEETING,
     Audience.MEMBERS, 6, time(8, 0), 1.5, ("monthly_weekday", None, 8),
     "St Anne's church hall, Church End",
     "A breakfast on the second Tuesday of each month for faith leaders and their "
     "volunteers. Tea, toast, and the month's news from every congregation.",
     {"area": "St Anne's", "themes": ["Faith and belief"], "childcare": True, "weekday": 1,
      "week": 2}),
    ("Riverside Community Credit Union", "Money worries: training for volunteers",
     EventKind.TRAINING, Audience.MEMBERS, 10, time(10, 0), 3, None,
     "Credit Union office, 12 Market Row (first floor, no lift)",
     "How to talk about money with the people you help, and where to send them. "
     "**Lunch provided.** 12 places.",
     {"capacity": 12, "travel_expenses": True, "themes": ["Money and debt"]}),
    ("Millfield Residents' Association", "Consultation: the canal towpath plans",
     EventKind.CONSULTATION, Audience.PUBLIC, 1, time(18, 30), 2, None,
     "Millfield Library, meeting room",
     "The council wants views on lighting, benches and cycling on the towpath. Come to the "
     "drop-in, or send your group's response before the closing date.",
     {"closes_in": 9, "area": "Millfield", "themes": ["Environment", "Community safety"]}),
    ("Green Spoon", "Community food festival", EventKind.SOCIAL, Audience.PUBLIC, 17,
     time(11, 0), 6, None, "St Anne's Square",
     "Street food from twelve kitchens, music, and a seed swap. Free entry.",
     {"step_free": True, "area": "St Anne's", "themes": ["Arts and culture"], "rsvp": False}),
    ("Harbourside Youth Project", "Youth football tournament: presentation evening",
     EventKind.SOCIAL, Audience.PUBLIC, 24, time(17, 0), 3, None,
     "Millfield community hall",
     "Medals, cake and thanks to the volunteer coaches.",
     {"themes": ["Children and young people"], "capacity": 80}),
    ("Riverside Community Credit Union", "Wellbeing fund: joint bid deadline",
     EventKind.DEADLINE, Audience.MEMBERS, 30, None, 0, None, "",
     "The joint bid on money worries and mental health goes in today. Drafts to Tom by "
     "the week before.", {"all_day": True, "themes": ["Money and debt", "Health and wellbeing"]}),
    ("Eastgate Chinese Women's Guild", "Emergency meeting: the market hall closure",
     EventKind.MEETING, Audience.MEMBERS, 2, time(14, 0), 1.5, None,
     "Eastgate market hall, upstairs room",
     "The council has given notice on the market hall. We need to agree a response "
     "together.", {"area": "Eastgate", "interpreter": True}),
]

ANSWERS = [
    ("Federation open meeting", 0, "ravi@example.org", Answer.GOING),
    ("Federation open meeting", 0, "grace@example.org", Answer.MAYBE),
    ("Money worries: training for volunteers", 0, "pat@example.org", Answer.GOING),
    ("Money worries: training for volunteers", 0, "bridget@example.org", Answer.GOING),
    ("Youth football tournament: presentation evening", 0, "dev@example.org", Answer.GOING),
]


AGENDA = """Riverside Tenants' Federation: open meeting

1. Welcome, and apologies
2. Repairs: the damp survey on the Northbank estate
3. Rents: what the council said about next year's increase
4. Reports back from the borough partnership
5. Any other business

Tea from 18:45. The hall is step-free and has a hearing loop.
"""


def _first_start(days: int, start: time | None, at: datetime, weekday: int | None = None,
                 week: int | None = None) -> datetime:
    """That many days from `at`, or the first day from then on the weekday (and the week of
    its month) the event's words give."""
    day = at.astimezone(borough_zone()).date() + timedelta(days=days)
    while weekday is not None and (day.weekday() != weekday or
                                   week is not None and (day.day - 1) // 7 + 1 != week):
        day += timedelta(days=1)
    return datetime.combine(day, start or time(0, 0), tzinfo=borough_zone())


def load_calendar(people: dict[str, Person], contacts: dict[str, str], at: datetime) -> None:
    """contacts: {organisation's name: its contact's email}, who adds its events."""
    organisations = {org.name: org for org in db.session.scalars(db.select(Organisation))}
    areas = {area.name: area for area in db.session.scalars(db.select(Area))}
    themes = {theme.name: theme for theme in db.session.scalars(db.select(Theme))}
    made = {}
    for (organiser, title, kind, audience, days, start, hours, repeat, place, description,
         extras) in EVENTS:
        org = organisations[organiser]
        starts_at = _first_start(days, start, at, extras.get("weekday"), extras.get("week"))
        all_day = extras.get("all_day", False)
        ends_at = starts_at + (timedelta(days=1) if all_day else timedelta(hours=hours))
        closes_in = extras.get("closes_in")
        values = {
            "title": title, "kind": kind, "audience": audience, "starts_at": starts_at,
            "ends_at": ends_at, "all_day": all_day, "place": place, "online_link": "",
            "description": description, "rsvp": extras.get("rsvp", True),
            "capacity": extras.get("capacity"), "access_note": "",
            "closes_at": (_first_start(closes_in, time(23, 59, 59), at) if closes_in
                          else None),
            "area_id": areas[extras["area"]].id if "area" in extras else None,
        }
        for column in ("step_free", "hearing_loop", "interpreter", "childcare",
                       "travel_expenses"):
            values[column] = extras.get(column, False)
        author = people[contacts[organiser]]
        # Set up a month ahead, so the demo's notice marks are the real ones.
        event = services.create_event(
            org.id, author, values, [themes[name].id for name in extras.get("themes", [])],
            repeat)
        event.created_at = at - timedelta(days=30 if days > 2 else 0)
        event.short_notice = (kind == EventKind.MEETING
                              and event.starts_at - event.created_at < services.notice_period())
        made[title] = event
    db.session.flush()

    # The third Federation meeting moves to the Wednesday before; the breakfast skips a month.
    meeting = made["Federation open meeting"]
    third = meeting.starts_at + timedelta(days=28)
    db.session.add(OccurrenceChange(event_id=meeting.id, original_start=_utc(third),
                                    starts_at=_utc(third - timedelta(days=1)),
                                    ends_at=_utc(third - timedelta(days=1, hours=-2)),
                                    note="Moved to the Wednesday: the centre is closed "
                                         "for voting."))
    breakfast = made["Faith leaders' breakfast"]
    second = reads.occurrences_of([breakfast], breakfast.starts_at + timedelta(days=1),
                                     breakfast.starts_at + timedelta(days=40))[0]
    db.session.add(OccurrenceChange(event_id=breakfast.id,
                                    original_start=second.original_start, cancelled=True,
                                    note="No breakfast this month: the hall is being "
                                         "painted."))
    agenda = Upload(AGENDA.encode(), "text/plain", "federation-agenda.txt")
    services.add_paper(meeting, agenda, "Agenda",
                       people[contacts["Riverside Tenants' Federation"]])
    for title, nth, email, reply in ANSWERS:
        event = made[title]
        first = reads.occurrences_of([event], event.starts_at,
                                        event.starts_at + timedelta(days=400))[nth]
        attendance.answer(event, first.original_start, people[email], reply)
    db.session.add(Follow(person_id=people["ravi@example.org"].id,
                          organisation_id=organisations["Green Spoon"].id))


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def council_calendar(at: datetime) -> bytes:
    """The council's committee dates, as its website would give them: a weekly housing
    committee (one week skipped), a planning meeting, and a day of consultation."""
    zone = "TZID=Europe/London"
    first = (at + timedelta(days=(1 - at.weekday()) % 7 or 7)).date()  # next Tuesday
    planning, consultation = (at + timedelta(days=9)).date(), (at + timedelta(days=16)).date()

    def day(value, hour=None):
        return f"{value:%Y%m%d}" + (f"T{hour:02d}0000" if hour is not None else "")

    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Riverside Council//Committee dates//EN",
        "BEGIN:VEVENT", "UID:housing-committee@council.example.org",
        "DTSTAMP:20260101T000000Z", "SUMMARY:Housing and Regeneration Committee",
        f"DTSTART;{zone}:{day(first, 19)}", f"DTEND;{zone}:{day(first, 21)}",
        "RRULE:FREQ=WEEKLY;COUNT=8", f"EXDATE;{zone}:{day(first + timedelta(days=21), 19)}",
        "LOCATION:Town Hall\\, Committee Room 2",
        "DESCRIPTION:Members of the public may attend and ask questions registered by noon "
        "on the day before.", "URL:https://council.example.org/committees/housing",
        "END:VEVENT",
        "BEGIN:VEVENT", "UID:planning-2@council.example.org", "DTSTAMP:20260101T000000Z",
        "SUMMARY:Planning Committee", f"DTSTART;{zone}:{day(planning, 18)}",
        f"DTEND;{zone}:{day(planning, 20)}", "LOCATION:Town Hall\\, Council Chamber",
        "END:VEVENT",
        "BEGIN:VEVENT", "UID:towpath-drop-in@council.example.org", "DTSTAMP:20260101T000000Z",
        "SUMMARY:Canal towpath plans: drop-in day", f"DTSTART;VALUE=DATE:{day(consultation)}",
        f"DTEND;VALUE=DATE:{day(consultation + timedelta(days=1))}",
        "LOCATION:Northbank Library", "END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines).encode()


def load_council_calendar(coordinator: Person, at: datetime) -> None:
    """The council's committee dates, brought in from a file by a coordinator."""
    from network.calendar import sources

    organisation = db.session.scalar(db.select(Organisation).where(
        Organisation.name == "Riverside Tenants' Federation"))
    sources.add_source({
        "name": "Council committee dates", "url": "",
        "website": "https://council.example.org/committees", "audience": Audience.PUBLIC,
        "kind": EventKind.MEETING, "organisation_id": organisation.id},
        council_calendar(at), coordinator)
