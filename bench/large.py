"""The large borough (issue 23): the demo borough and the busy forum, topped up to

    10,000 people, 500 organisations, 100,000 posts in 5,000 threads, 20,000 events (one in
    twelve a recurring series), 10,000 listings and 2,000 bookings, 2,000 report-backs with
    their actions and items raised,

the same rows every run (random.Random(SEED), dates reckoned from the moment it runs, as the
demo's are). The shape is meant to be a borough's after some years, not the demo copied:
- dates spread over six years back and one ahead: most events, listings and bookings are past;
  threads run from one post to a few hundred (a long tail, most short); a few people write
  most of the posts;
- one event in twelve repeats (weekly, fortnightly or monthly; a few with no end), and each of
  30 new bodies meets monthly, with a report-back from each seat for most past meetings;
- the objects the bench's pages show grow too, as they would: the Federation (Pat's) has its
  share of everything, the demo's community hall has 500 of the bookings, and the Riverside
  Strategic Partnership has eight years of meetings and report-backs before the demo's.

Rows go in by bulk inserts (`insert().values` in chunks, not the ORM), then the search index
is rebuilt (`search.index.rebuild`) and, on PostgreSQL, VACUUM ANALYZE. A few minutes on
PostgreSQL. `python -m bench.data --large` runs it after `flask demo load`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from bench.data import FIRST_NAMES, LAST_NAMES, SENTENCES, TITLE_PATTERNS, TOPICS, markdown_post
from network.auth.models import Person, Role
from network.board.models import Booking, BookingStatus, Listing, ListingKind, ListingStatus
from network.board.models import Category as ListingCategory
from network.calendar.models import Event, EventKind
from network.calendar.recurrence import last_start, make_rule
from network.core.audience import Audience
from network.core.time import borough_zone, now
from network.extensions import db
from network.forum.models import Category, Post, PostState, Thread
from network.forum.services import refresh_category
from network.members.models import Area, Membership, Organisation, OrgKind, OrgStatus, name_key
from network.representation.models import (
    Action,
    ActionStatus,
    Body,
    ItemStatus,
    RaisedItem,
    Report,
    ReportState,
    Seat,
    Selection,
    Term,
)

SEED = 23  # issue 23
PEOPLE, ORGANISATIONS = 10_000, 500
THREADS, POSTS = 5_000, 100_000
EVENTS, LISTINGS, BOOKINGS, REPORTS = 20_000, 10_000, 2_000, 2_000
YEARS_BACK = 6
CHUNK = 2_000
NEW_BODIES = 30
HALL_BOOKINGS = 500  # of BOOKINGS, on the demo's community hall (the bench's landmark)
FEDERATION = "Riverside Tenants' Federation"
PARTNERSHIP = "Riverside Strategic Partnership"

PLACES = ["Northbank", "Eastgate", "Millfield", "St Anne's", "Harbourside", "Church End",
          "Canal Side", "Market Street", "Docks", "Old Mill", "Park Road", "Station Road",
          "Victoria", "Albert", "Queens", "Riverside", "Hill Top", "Bridge End", "Green Lane",
          "Orchard", "Elm Grove", "Cedar", "Beacon", "Kingsway", "Meadow"]
GROUPS = ["Tenants' Association", "Residents' Group", "Youth Club", "Food Bank", "Lunch Club",
          "Community Choir", "Allotment Society", "Credit Union", "Mosque Trust", "Church",
          "Sports Club", "Carers' Network", "Arts Collective", "Men's Shed", "Parents' Forum",
          "Friends of the Park", "Advice Centre", "Women's Group", "Repair Café", "Co-op",
          "Pensioners' Forum", "Reading Group"]
EVENT_TITLES = ["{place} {group} open meeting", "Coffee morning at {place}",
                "Training: {topic}", "Consultation on {topic}", "{place} litter pick",
                "Volunteers' evening: {topic}", "Drop-in advice session", "Summer fair planning",
                "Annual general meeting", "Youth forum", "Walk and talk in {place}"]
LISTING_TITLES = {
    ListingCategory.ROOMS: ["Meeting room in {place}", "Hall for events at {place}",
                            "Office desk space, {place}"],
    ListingCategory.EQUIPMENT: ["Gazebos to lend", "PA system", "Trestle tables and chairs",
                                "Urn and crockery"],
    ListingCategory.ICT: ["Laptops for a course", "Help with our website", "A projector"],
    ListingCategory.PEOPLE: ["Volunteers for {topic}", "A driver with a D1 licence"],
    ListingCategory.SKILLS: ["Bookkeeping help", "Design for a leaflet", "Translation"],
    ListingCategory.TRAINING: ["First aid training places", "Safeguarding course"],
    ListingCategory.TRANSPORT: ["Minibus with driver", "A van for a move"],
    ListingCategory.FUNDING: ["Partner for a joint bid on {topic}", "Match funding"],
    ListingCategory.INFORMATION: ["Who runs {topic}?", "Contacts at the council"],
    ListingCategory.OTHER: ["Storage space", "Plants for the garden"],
}


def moment(day: date, hour: float) -> datetime:
    """A wall-clock time in the borough, as UTC."""
    local = datetime.combine(day, time(int(hour), int(hour % 1 * 60)), tzinfo=borough_zone())
    return local.astimezone(UTC)


def text(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.sample(SENTENCES, sentences))


def insert(model, rows: list[dict], returning: bool = False) -> list[int]:
    """Bulk insert in chunks; the new ids in the rows' order if asked."""
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        statement = sa.insert(model)
        if returning:
            statement = statement.returning(model.id, sort_by_parameter_order=True)
            ids += db.session.scalars(statement, rows[start:start + CHUNK]).all()
        else:
            db.session.execute(statement, rows[start:start + CHUNK])
    return ids


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


class Borough:
    def __init__(self, at: datetime, rng: random.Random) -> None:
        self.at, self.rng = at, rng
        self.today = at.astimezone(borough_zone()).date()
        self.areas = list(db.session.scalars(sa.select(Area.id).order_by(Area.id)))
        self.federation = db.session.scalar(sa.select(Organisation.id).where(
            Organisation.name == FEDERATION))

    def past(self, days: int) -> datetime:
        """A moment up to `days` back, more of them recent (as activity grows)."""
        return self.at - timedelta(days=days * self.rng.random() ** 1.5,
                                   minutes=self.rng.randrange(24 * 60))

    # --- organisations and people ------------------------------------------------------

    def organisations(self) -> None:
        rng, taken = self.rng, set(db.session.scalars(sa.select(Organisation.name_key)))
        names = [f"{place} {group}" for place in PLACES for group in GROUPS]
        rng.shuffle(names)
        rows = []
        for name in names:
            if len(rows) >= ORGANISATIONS - count(Organisation):
                break
            if name_key(name) in taken:
                continue
            approved = self.past(365 * YEARS_BACK)
            status = rng.choices([OrgStatus.APPROVED, OrgStatus.APPLIED, OrgStatus.LEFT],
                                 [92, 4, 4])[0]
            rows.append({"name": name, "name_key": name_key(name),
                         "kind": rng.choice(list(OrgKind)[:6]),
                         "area_id": rng.choice(self.areas), "description": text(rng, 3),
                         "contribution": text(rng, 1), "status": status,
                         "created_at": approved - timedelta(days=rng.randint(3, 30)),
                         "approved_at": approved if status != OrgStatus.APPLIED else None,
                         "confirmed_active_at": approved})
        insert(Organisation, rows)

    def people(self) -> None:
        rng = self.rng
        password = db.session.scalar(sa.select(Person.password_hash).where(
            Person.email == "pat@example.org"))
        orgs = list(db.session.scalars(sa.select(Organisation.id).where(
            Organisation.status == OrgStatus.APPROVED).order_by(Organisation.id)))
        need = PEOPLE - count(Person)
        rows, joined = [], []
        for n in range(need):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            created = self.past(365 * YEARS_BACK)
            rows.append({"email": f"person{n}@large.example.org",
                         "display_name": f"{first} {chr(65 + n % 26)}. {last}",
                         "password_hash": password, "role": Role.MEMBER,
                         "created_at": created,
                         "last_login_at": created + (self.at - created) * rng.random()})
            joined.append(created)
        ids = insert(Person, rows, returning=True)
        memberships, contacts = [], set()
        for person, created in zip(ids, joined, strict=True):
            # The Federation is large (a tenants' umbrella); the rest by chance.
            org = self.federation if rng.random() < 0.01 else rng.choice(orgs)
            memberships.append({"person_id": person, "organisation_id": org,
                                "is_contact": org not in contacts, "joined_at": created})
            contacts.add(org)
        insert(Membership, memberships)

    def members(self) -> tuple[list[int], dict[int, int]]:
        """People who write (a few write most: the list is ordered by weight), and each
        person's organisation."""
        rows = db.session.execute(sa.select(Membership.person_id, Membership.organisation_id)
                                  .where(Membership.left_at.is_(None))
                                  .order_by(Membership.id)).all()
        org_of = {person: org for person, org in rows}
        writers = sorted(org_of)
        self.rng.shuffle(writers)
        return writers, org_of

    def writer(self, writers: list[int]) -> int:
        """Zipf-like: the first hundred people write about half of everything."""
        return writers[min(len(writers) - 1, int(len(writers) * self.rng.random() ** 4))]

    # --- the forum ---------------------------------------------------------------------

    def forum(self, writers: list[int], org_of: dict[int, int]) -> None:
        rng = self.rng
        categories = list(db.session.scalars(sa.select(Category.id).where(
            Category.archived_at.is_(None)).order_by(Category.position, Category.id)))
        weights = [1 / (n + 1) for n in range(len(categories))]
        threads = THREADS - count(Thread)
        posts = POSTS - count(Post)
        # Lengths: a long tail (Pareto), one post at least, a few hundred at most.
        shares = [rng.paretovariate(1.2) for _ in range(threads)]
        extra, total = posts - threads, sum(shares)
        lengths = [1 + min(400, int(extra * s / total)) for s in shares]
        while sum(lengths) < posts:
            n = rng.randrange(threads)
            if lengths[n] < 400:
                lengths[n] += 1
        thread_rows, starts = [], []
        for _ in range(threads):
            author = self.writer(writers)
            started = self.past(365 * YEARS_BACK)
            topic = rng.choice(TOPICS)
            thread_rows.append({
                "category_id": rng.choices(categories, weights)[0],
                "title": rng.choice(TITLE_PATTERNS).format(topic=topic),
                "author_id": author, "organisation_id": org_of[author],
                "created_at": started, "last_activity_at": started})
            starts.append(started)
        ids = insert(Thread, thread_rows, returning=True)
        names = [type("Name", (), {"display_name": f"{f} {lname}"})
                 for f, lname in zip(FIRST_NAMES, LAST_NAMES, strict=True)]
        states = [PostState.VISIBLE] * 98 + [PostState.HIDDEN, PostState.HELD]
        rows: list[dict] = []
        for thread, started, length, row in zip(ids, starts, lengths, thread_rows, strict=True):
            written, body = started, None
            for n in range(length):
                author = row["author_id"] if n == 0 else self.writer(writers)
                body = markdown_post(rng, names, body)
                rows.append({"thread_id": thread, "author_id": author,
                             "organisation_id": org_of[author], "body": body,
                             "state": PostState.VISIBLE if n == 0 else rng.choice(states),
                             "created_at": written, "version": 1})
                written = min(written + timedelta(hours=rng.expovariate(1 / 20)),
                              self.at - timedelta(minutes=1))
            if len(rows) >= 20_000:
                insert(Post, rows)
                rows = []
        insert(Post, rows)
        shown = sa.and_(Post.thread_id == Thread.id, Post.state != PostState.HELD)
        db.session.execute(sa.update(Thread).where(Thread.id >= ids[0]).values(
            reply_count=sa.select(sa.func.count() - 1).where(shown).scalar_subquery(),
            last_post_id=sa.select(sa.func.max(Post.id)).where(shown).scalar_subquery(),
            last_activity_at=sa.select(sa.func.max(Post.created_at)).where(shown)
            .scalar_subquery()))
        for category in db.session.scalars(sa.select(Category)):
            refresh_category(category)

    # --- the calendar ------------------------------------------------------------------

    def event_row(self, org: int, author: int, starts: datetime, **more) -> dict:
        rng = self.rng
        title = rng.choice(EVENT_TITLES).format(place=rng.choice(PLACES),
                                                group=rng.choice(GROUPS).lower(),
                                                topic=rng.choice(TOPICS))
        if more.get("recurrence") and "repeat_until" not in more:
            # As the services set it (calendar.services._set_rule): the last start of a rule
            # that ends, which is how a view's SQL leaves out series that have ended.
            more["repeat_until"] = last_start(more["recurrence"], starts)
        return {"organisation_id": org, "created_by_id": author, "title": title,
                "description": text(rng, 2), "kind": rng.choice(list(EventKind)[:5]),
                "audience": rng.choices(list(Audience), [30, 65, 5])[0],
                "starts_at": starts,
                "ends_at": starts + timedelta(minutes=rng.choice([60, 90, 120, 180])),
                "place": f"{rng.choice(PLACES)} Community Centre",
                "area_id": rng.choice(self.areas), "rsvp": rng.random() < 0.4,
                "step_free": rng.random() < 0.6, "created_at": starts - timedelta(days=14),
                "updated_at": starts - timedelta(days=14), **more}

    def calendar(self, writers: list[int], org_of: dict[int, int]) -> None:
        rng, rows = self.rng, []
        for _ in range(EVENTS - count(Event) - NEW_BODIES - 1):
            # Four in five past: up to six years back; the rest within a year ahead.
            if rng.random() < 0.8:
                day = self.today - timedelta(days=int(365 * YEARS_BACK * rng.random() ** 1.5))
            else:
                day = self.today + timedelta(days=rng.randrange(365))
            starts = moment(day, rng.choice([9, 10, 10.5, 13, 14, 18, 18.5, 19]))
            author = self.writer(writers)
            org = self.federation if rng.random() < 0.005 else org_of[author]
            more = {}
            if rng.random() < 1 / 12:
                pattern = rng.choice(["weekly", "fortnightly", "monthly_date",
                                      "monthly_weekday"])
                if rng.random() < 0.1:
                    more["recurrence"] = make_rule(pattern, starts)  # no end
                else:
                    more["recurrence"] = make_rule(pattern, starts, count=rng.randint(4, 26))
            rows.append(self.event_row(org, author, starts, **more))
        insert(Event, rows)

    # --- the sharing board -------------------------------------------------------------

    def board(self, writers: list[int], org_of: dict[int, int]) -> None:
        rng, rows = self.rng, []
        for _ in range(LISTINGS - count(Listing)):
            author = self.writer(writers)
            category = rng.choice(list(ListingCategory))
            created = self.past(365 * YEARS_BACK)
            expires = created.date() + timedelta(days=rng.choice([30, 60, 90]))
            done = expires < self.today or rng.random() < 0.2
            status = (rng.choices([ListingStatus.MATCHED, ListingStatus.CLOSED,
                                   ListingStatus.OPEN], [45, 35, 20])[0]
                      if done else ListingStatus.OPEN)
            kind = rng.choice(list(ListingKind))
            bookable = (kind == ListingKind.OFFER and status == ListingStatus.OPEN
                        and category in (ListingCategory.ROOMS, ListingCategory.EQUIPMENT)
                        and rng.random() < 0.5)
            rows.append({
                "organisation_id": self.federation if rng.random() < 0.005 else org_of[author],
                "created_by_id": author, "kind": kind, "category": category,
                "title": rng.choice(LISTING_TITLES[category]).format(
                    place=rng.choice(PLACES), topic=rng.choice(TOPICS)),
                "description": text(rng, 3), "area_id": rng.choice(self.areas),
                "expires_on": expires, "status": status,
                "settled_at": created + timedelta(days=rng.randint(1, 30))
                if status != ListingStatus.OPEN else None,
                "bookable": bookable, "book_days": "12345" if bookable else "",
                "book_from": time(9) if bookable else None,
                "book_until": time(21) if bookable else None,
                "created_at": created, "updated_at": created})
        insert(Listing, rows)

    def bookings(self, writers: list[int], org_of: dict[int, int]) -> None:
        rng = self.rng
        hall = db.session.scalar(sa.select(Listing.id).where(
            Listing.title.like("Community hall for meetings%")).order_by(Listing.id).limit(1))
        bookable = list(db.session.scalars(sa.select(Listing.id).where(
            Listing.bookable.is_(True), Listing.id != hall).order_by(Listing.id)))
        rows = []
        for n in range(BOOKINGS - count(Booking)):
            author = self.writer(writers)
            day = self.today + timedelta(days=rng.randint(-730, 90))
            starts = moment(day, rng.choice([9, 10, 13, 14, 18, 19]))
            past = day < self.today
            status = rng.choices(list(BookingStatus), [2 if past else 30, 70, 10, 10, 5])[0]
            rows.append({
                "listing_id": hall if n < HALL_BOOKINGS else rng.choice(bookable),
                "organisation_id": org_of[author], "requested_by_id": author,
                "starts_at": starts, "ends_at": starts + timedelta(hours=rng.choice([1, 2, 3])),
                "purpose": rng.choice(TOPICS).capitalize(), "status": status,
                "decided_at": None if status == BookingStatus.REQUESTED
                else starts - timedelta(days=rng.randint(1, 20)),
                "created_at": starts - timedelta(days=rng.randint(20, 40))})
        insert(Booking, rows)

    # --- representation ----------------------------------------------------------------

    def representation(self, writers: list[int], org_of: dict[int, int]) -> None:
        """30 new bodies of two seats each, meeting monthly for six years; the Partnership
        meeting monthly for eight years before its demo meetings; a report-back from each
        seat for most past meetings, with actions and items raised."""
        rng = self.rng
        partnership = db.session.scalar(sa.select(Body.id).where(Body.name == PARTNERSHIP))
        first_demo = db.session.scalar(sa.select(sa.func.min(Report.meeting_at)))
        kinds = ["Health Board", "Housing Panel", "Safety Partnership", "Youth Forum",
                 "Regeneration Board"]
        names = rng.sample([f"{place} {kind}" for place in PLACES for kind in kinds],
                           NEW_BODIES)
        bodies = insert(Body, [{"name": name, "description": text(rng, 2),
                                "meets": "Every month",
                                "audience": rng.choice([Audience.PUBLIC, Audience.MEMBERS])}
                               for name in names],
                        returning=True)
        seats = insert(Seat, [{"body_id": body, "title": title} for body in bodies
                              for title in ("Voluntary sector seat", "Community seat")],
                       returning=True)
        seats_of: dict[int, list[int]] = defaultdict(list)
        for seat, body in zip(seats, [b for b in bodies for _ in range(2)], strict=True):
            seats_of[body].append(seat)
        seats_of[partnership] = list(db.session.scalars(sa.select(Seat.id).where(
            Seat.body_id == partnership).order_by(Seat.id)))
        holder = {seat: self.writer(writers) for seats in seats_of.values() for seat in seats}
        insert(Term, [{"seat_id": seat, "holder_id": person, "selection": Selection.ELECTED,
                       "starts_on": self.today - timedelta(days=700),
                       "ends_on": self.today + timedelta(days=400)}
                      for seat, person in holder.items() if seat in seats])
        # Each body's monthly series: the 8th at 18:00, from YEARS_BACK years ago, no end;
        # the Partnership's from eight years before its first demo report, ending before it.
        series, meetings = [], []
        end = (first_demo or self.at) - timedelta(days=20)
        for body in [*bodies, partnership]:
            years = 8 if body == partnership else YEARS_BACK
            first = moment(date(self.today.year - years, self.today.month, 8), 18)
            if body == partnership:
                months = (end.year - first.year) * 12 + end.month - first.month
                rule = make_rule("monthly_date", first, count=months)
            else:
                rule = make_rule("monthly_date", first)
                months = (self.today.year - first.year) * 12 + self.today.month - first.month
            author = holder[seats_of[body][0]]
            series.append(self.event_row(org_of[author], author, first, body_id=body,
                                         kind=EventKind.MEETING, recurrence=rule,
                                         title="Board meeting", audience=Audience.PUBLIC))
            meetings.append([moment(date(first.year + (first.month - 1 + k) // 12,
                                         (first.month - 1 + k) % 12 + 1, 8), 18)
                             for k in range(months)])
        events = insert(Event, series, returning=True)
        plan = [(seat, event, when) for body, event, whens in
                zip([*bodies, partnership], events, meetings, strict=True)
                for seat in seats_of[body] for when in whens if when < self.at]
        rng.shuffle(plan)
        plan = sorted(plan[:REPORTS - count(Report)], key=lambda p: p[2])
        reports = insert(Report, [{
            "seat_id": seat, "event_id": event, "occurrence_start": when, "meeting_at": when,
            "author_id": holder[seat], "summary": text(rng, 3), "decisions": text(rng, 2),
            "said": text(rng, 2), "audience": rng.choice([Audience.PUBLIC, Audience.MEMBERS]),
            "state": ReportState.PUBLISHED, "published_at": when + timedelta(days=3),
            "created_at": when + timedelta(days=1)} for seat, event, when in plan],
            returning=True)
        actions, items = [], []
        for report, (seat, _event, when) in zip(reports, plan, strict=True):
            age = (self.at - when).days
            for _ in range(rng.choice([0, 1, 1, 2, 3])):
                status = (rng.choices(list(ActionStatus), [5, 5, 75, 15])[0] if age > 180
                          else rng.choice(list(ActionStatus)))
                actions.append({"seat_id": seat, "report_id": report,
                                "what": rng.choice(SENTENCES)[:300],
                                "owner": rng.choice(["Council housing", "The chair",
                                                     "Public health", "The seat holder"]),
                                "due_on": (when + timedelta(days=rng.randint(14, 90))).date(),
                                "status": status, "created_at": when + timedelta(days=1),
                                "closed_at": when + timedelta(days=60) if status in (
                                    ActionStatus.DONE, ActionStatus.DROPPED) else None})
            if rng.random() < 0.5:
                author = self.writer(writers)
                items.append({"seat_id": seat, "meeting_at": when, "author_id": author,
                              "organisation_id": org_of[author],
                              "title": f"Raise {rng.choice(TOPICS)}", "body": text(rng, 2),
                              "status": ItemStatus.TAKEN, "report_id": report,
                              "created_at": when - timedelta(days=10)})
        insert(Action, actions)
        insert(RaisedItem, items)


def add_large_borough(at: datetime | None = None) -> dict[str, int]:
    """Top the database up to the large borough's counts (after the demo and the busy
    forum); commit; return how many rows each kind has."""
    from network.search.index import rebuild

    borough = Borough(at or now(), random.Random(SEED))
    borough.organisations()
    borough.people()
    writers, org_of = borough.members()
    borough.forum(writers, org_of)
    borough.calendar(writers, org_of)
    borough.board(writers, org_of)
    borough.bookings(writers, org_of)
    borough.representation(writers, org_of)
    db.session.flush()
    rebuild()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return {model.__tablename__: count(model) for model in (
        Person, Organisation, Thread, Post, Event, Listing, Booking, Report, Action)}
