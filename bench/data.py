"""The data the bench measures: the demo borough, plus a busy forum, grown `factor` times.

- `add_busy_forum()` gives the forum the shape issue 10 measured: 50 people posting, 200
  threads, one of them 50 posts long, about 1,100 posts of about 400 characters of Markdown.
  The demo itself (`flask demo load`) stays as it is; only the bench adds this.
- `grow(factor)` copies every row of every table (but reference lists and per-login state)
  `factor - 1` more times, in SQL, so 100x takes seconds rather than minutes. Copies get new
  ids; foreign keys point to the same copy; names and unique columns get the copy's number.
- `landmarks()` gives the paths of the objects the bench's pages need (the busy thread, its
  category, an organisation), built by the app's own `url_for`.

`python -m bench.data --factor 100 --busy-forum` does it all in the app's context (on the
database in DATABASE_URL, after `flask db upgrade` and `flask demo load`) and prints the
landmarks as JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import UTC, datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import Integer, String, UniqueConstraint, case, func, insert, literal, select

from network.auth.models import Person, Role
from network.board.models import Booking, BookingStatus, Conversation, Listing
from network.calendar.models import Event
from network.extensions import db
from network.forum import services as forum
from network.forum.models import Category, Post, Thread, ThreadRead, ThreadWatch
from network.members.models import Membership, Organisation
from network.notify.models import Delivery, Notification
from network.representation.models import Body, Report, Seat

# --- the busy forum ------------------------------------------------------------------------

SEED = 10  # issue 10; the same forum every run
BUSY_THREAD_TITLE = "Sharing the community hall: a rota for the winter"
BUSY_THREAD_POSTS = 50
BUSY_CATEGORY = "Premises and equipment"
FORUM_PEOPLE = 50  # who posts: the demo's members who may post, and new ones up to 50
THREADS = 200  # the busy one included
POSTS = 1_100  # about; the busy thread's 50 included
POST_LENGTH = 400  # characters of Markdown, about
# Threads per category (the busy thread's category is long enough to have a third page).
CATEGORY_SHARE = {"Premises and equipment": 80, "Funding and bids": 50,
                  "The strategic partnership": 40, "Announcements": 30}
BENCH_MEMBER = "pat@example.org"  # the member the bench logs in as
NOTIFICATIONS = 45  # Pat's, a page and a half

FIRST_NAMES = ["Aisha", "Ben", "Chidi", "Dorota", "Eilidh", "Farid", "Gemma", "Hamza", "Ines",
               "Jack", "Kofi", "Lucia", "Marek", "Nadia", "Owen", "Priya", "Qasim", "Rosa",
               "Sean", "Tariq", "Una", "Victor", "Wen", "Yusuf", "Zainab", "Alfie", "Bisi",
               "Ciara", "Declan", "Esther", "Fatima", "George", "Hana", "Ivan", "Joy",
               "Kamal", "Leah", "Moses", "Niamh", "Oluwaseun"]
LAST_NAMES = ["Adeyemi", "Byrne", "Costa", "Davies", "Evans", "Fischer", "Gill", "Hussain",
              "Iqbal", "Jones", "Kowalski", "Lewis", "Murphy", "Nguyen", "O'Brien", "Popescu",
              "Quinn", "Rahman", "Singh", "Taylor", "Ugwu", "Varga", "Walsh", "Xu", "Young",
              "Zielinski", "Ali", "Brown", "Clarke", "Dlamini", "Edwards", "Ferreira", "Green",
              "Hughes", "Ibrahim", "Jackson", "Khan", "Lin", "Mensah", "Novak"]

TOPICS = ["the hall", "the minibus", "the Saturday market", "the winter coat drive",
          "the lunch club", "the youth football", "the food bank rota", "the canal clean-up",
          "the consultation on bus routes", "the community fridge", "the after-school club",
          "the summer fair", "the warm space", "the board meeting", "the joint bid",
          "the allotment open day", "the credit union stall", "the IT drop-in",
          "the language café", "the litter pick"]
TITLE_PATTERNS = ["Who can help with {topic}?", "Ideas for {topic} this year",
                  "Volunteers needed for {topic}", "Update on {topic}",
                  "Sharing costs for {topic}", "Questions about {topic}",
                  "Notes from the meeting about {topic}", "Can we borrow kit for {topic}?"]
SENTENCES = [
    "We have a room for 30 on Tuesday evenings and the caretaker can open up from six.",
    "The heating takes an hour to warm up, so please book a little earlier than you need.",
    "Our volunteers can cover the **morning shift**, but we struggle after three o'clock.",
    "Could someone from the Credit Union come along and talk about saving schemes?",
    "The council says the grant decision will be made at the end of the month.",
    "Please bring your own mugs: we are trying to cut down on paper cups.",
    "The minibus needs a driver with a D1 licence or a MiDAS certificate.",
    "We did this last year and about forty families came, mostly from the estate.",
    "Keys are with the office at the community centre; sign them out in the book.",
    "It would help to know numbers by Friday so that we can order enough food.",
    "There is step-free access through the side door, and a hearing loop in the main hall.",
    "Childcare can be covered from the small grants pot if you ask in advance.",
    "I will raise this at the partnership board and report back here afterwards.",
    "We can translate the leaflet into *Polish, Urdu and Cantonese* if that helps.",
    "The last time we tried, the date clashed with the school holidays.",
    "Thanks to everyone who turned up on Saturday: it went far better than we hoped.",
    "If anyone has spare tables or gazebos, we could use three more.",
    "We should check the insurance covers volunteers under eighteen.",
    "The room is free, but we ask groups to leave it as they found it.",
    "Could we split the cost of the PA hire between the four groups?",
]
LIST_ITEMS = ["tables and chairs", "a first aid kit", "two gazebos", "the urn", "hi-vis vests",
              "a projector", "extension leads", "signs for the door", "a float for the till",
              "the sign-in sheet"]
LINKS = [("the booking form", "https://example.org/booking"),
         ("the council's page", "https://example.org/council/grants"),
         ("last year's report", "https://example.org/reports/2025")]


def markdown_post(rng: random.Random, people: list[Person], quoted: str | None) -> str:
    """About POST_LENGTH characters of the Markdown people write here: a paragraph or two,
    sometimes a quote of the post before, a short list, a link or a mention."""
    before, after = [], []
    if quoted and rng.random() < 0.2:
        plain = [p for p in quoted.split("\n\n") if not p.startswith((">", "-", "We still"))]
        before.append("> " + plain[0][:120])
    if rng.random() < 0.15:
        before.append(f"Thanks @{rng.choice(people).display_name}.")
    if rng.random() < 0.25:
        after.append("We still need:\n\n" + "\n".join(f"- {item}" for item in
                                                     rng.sample(LIST_ITEMS, 3)))
    if rng.random() < 0.2:
        label, href = rng.choice(LINKS)
        after.append(f"See [{label}]({href}).")
    sentences = iter(rng.sample(SENTENCES, len(SENTENCES)))
    paragraph = next(sentences)
    while len("\n\n".join([*before, paragraph, *after])) < POST_LENGTH - 40:
        paragraph += " " + next(sentences)
    return "\n\n".join([*before, paragraph, *after])


def forum_people(rng: random.Random, now: datetime) -> list[Person]:
    """The demo's members who may post without review, and new members up to FORUM_PEOPLE."""
    demo = list(db.session.scalars(select(Person).where(
        Person.role.in_([Role.MEMBER, Role.COORDINATOR])).order_by(Person.id)))
    posting = [p for p in demo if p.email != "kezia@example.org"]  # held as a new member
    password_hash = posting[0].password_hash
    organisations = list(db.session.scalars(select(Organisation).where(
        Organisation.approved_at.is_not(None)).order_by(Organisation.id)))
    names = [f"{first} {last}" for first, last in zip(FIRST_NAMES, LAST_NAMES, strict=True)]
    for name in names[:FORUM_PEOPLE - len(posting)]:
        email = name.lower().replace(" ", ".").replace("'", "") + "@example.org"
        person = Person(email=email, display_name=name, role=Role.MEMBER,
                        password_hash=password_hash)
        organisation = rng.choice(organisations)
        db.session.add_all([person, Membership(
            person=person, organisation=organisation,
            joined_at=organisation.approved_at or now - timedelta(days=300))])
        posting.append(person)
    db.session.flush()
    return posting


def post_counts(rng: random.Random) -> list[int]:
    """Posts in each of the other threads: one to twelve, POSTS in all with the busy one."""
    others = THREADS - 1
    counts = [1] * others
    for _ in range(POSTS - BUSY_THREAD_POSTS - others):
        while True:
            n = rng.randrange(others)
            if counts[n] < 12:
                counts[n] += 1
                break
    return counts


def add_busy_forum(now: datetime | None = None) -> None:
    """Add the issue's forum to the demo borough (after `flask demo load`)."""
    now = now or datetime.now(UTC)
    rng = random.Random(SEED)
    people = forum_people(rng, now)
    organisation_of = {p.id: forum.organisation_of(p) for p in people}
    categories = {c.name: c for c in db.session.scalars(select(Category))}
    slots = [name for name, share in CATEGORY_SHARE.items() for _ in range(share)]
    rng.shuffle(slots)
    slots.remove(BUSY_CATEGORY)
    plan = [(BUSY_CATEGORY, BUSY_THREAD_TITLE, BUSY_THREAD_POSTS)] + [
        (category, rng.choice(TITLE_PATTERNS).format(topic=rng.choice(TOPICS)), count)
        for category, count in zip(slots, post_counts(rng), strict=True)]
    threads, watchers = [], []
    for category_name, title, count in plan:
        started = now - timedelta(days=rng.uniform(2, 90))
        author = rng.choice(people)
        thread = Thread(category=categories[category_name], title=title, author=author,
                        organisation_id=organisation_of[author.id], created_at=started,
                        last_activity_at=started)
        db.session.add(thread)
        writers, body = {author}, None
        for n in range(count):
            writer = author if n == 0 else rng.choice(people)
            writers.add(writer)
            body = markdown_post(rng, people, body)
            written = min(started + timedelta(hours=n * rng.uniform(1, 8)),
                          now - timedelta(minutes=count - n))
            db.session.add(Post(thread=thread, author=writer, body=body, created_at=written,
                                organisation_id=organisation_of[writer.id]))
        threads.append(thread)
        watchers.append(writers)
    db.session.flush()
    for thread, writers in zip(threads, watchers, strict=True):
        forum.refresh_thread(thread)
        db.session.add_all(ThreadWatch(person_id=p.id, thread_id=thread.id) for p in writers
                           if p.email != BENCH_MEMBER)
    read_and_notify(threads, now, rng)
    db.session.commit()


def read_and_notify(threads: list[Thread], now: datetime, rng: random.Random) -> None:
    """The bench member has read some threads, part of others, and has notifications."""
    pat = db.session.scalar(select(Person).where(Person.email == BENCH_MEMBER))
    for thread in threads[1:]:
        if rng.random() < 0.5:
            db.session.add(ThreadRead(person_id=pat.id, thread_id=thread.id,
                                      last_read_post_id=thread.last_post_id))
        elif rng.random() < 0.5:
            db.session.add(ThreadWatch(person_id=pat.id, thread_id=thread.id))
    for n in range(NOTIFICATIONS):
        thread = threads[n % len(threads)]
        db.session.add(Notification(
            person_id=pat.id, kind="forum.reply" if n % 3 else "forum.mention",
            subject=f"New reply in “{thread.title}”",
            url=f"/forum/t/{thread.id}-{thread.slug}", delivery=Delivery.IN_APP,
            created_at=now - timedelta(hours=n * 7),
            read_at=now - timedelta(hours=n * 7 - 1) if n > 10 else None))


# --- growing -------------------------------------------------------------------------------

# Lists people choose from, and state that belongs to one login, are not copied.
NOT_GROWN = {"alembic_version", "area", "theme", "forum_category", "login_session",
             "account_token", "throttle_hit", "outbox_email"}
# Columns people read, made distinct per copy (a hundred identical names would compress
# unrealistically well and look like duplicates).
NAMES_PEOPLE_READ = {("organisation", "name"), ("person", "display_name"),
                     ("forum_thread", "title"), ("event", "title"), ("listing", "title")}
# Ids that point at a row without a foreign key: (table, column) -> the table they point into.
IDS_WITHOUT_FOREIGN_KEY = {("forum_thread", "last_post_id"): "forum_post"}
# audit_entry.target_id names a row of the table that target_type names (a class, lower case).
POLYMORPHIC_IDS = {("audit_entry", "target_id"): "target_type"}
# search_document.object_id names a row of the table its kind says; the kind stays as it is.
SEARCH_KINDS = {"thread": "forum_thread", "post": "forum_post", "event": "event",
                "listing": "listing", "report": "report", "item": "raised_item",
                "action": "report_action", "organisation": "organisation"}


def grown_tables():
    return [t for t in db.Model.metadata.sorted_tables if t.name not in NOT_GROWN]


def unique_columns(table) -> set[str]:
    names = {c.name for c in table.columns if c.unique}
    for index in table.indexes:
        if index.unique:
            names.update(c.name for c in index.columns)
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            names.update(c.name for c in constraint.columns)
    return names


def id_offsets(tables) -> dict[str, int]:
    """Each grown table's largest id: copy k shifts every id in the table by k times it."""
    offsets = {}
    for table in tables:
        key = table.primary_key.columns.values()
        if len(key) == 1 and isinstance(key[0].type, Integer):
            offsets[table.name] = db.session.scalar(select(func.max(key[0]))) or 0
    return offsets


def table_of_class() -> dict[str, str]:
    return {m.class_.__name__.lower(): m.local_table.name for m in db.Model.registry.mappers}


def copied_column(table, column, copy: int, offsets: dict[str, int], targets: dict[str, str]):
    """The SQL expression for `column` in copy number `copy` (2, 3, ...)."""
    k = copy - 1
    if column.primary_key and table.name in offsets and len(table.primary_key.columns) == 1:
        return column + k * offsets[table.name]
    referenced = {fk.column.table.name for fk in column.foreign_keys}
    pointed = IDS_WITHOUT_FOREIGN_KEY.get((table.name, column.name))
    into = next(iter(referenced), None) or pointed
    if into is not None:
        return column + k * offsets[into] if into in offsets else column
    if table.name == "search_document" and column.name in ("kind", "object_id"):
        if column.name == "kind":
            return column
        return column + case({kind: k * offsets[name] for kind, name in SEARCH_KINDS.items()
                              if name in offsets}, value=table.c.kind, else_=0)
    if kind := POLYMORPHIC_IDS.get((table.name, column.name)):
        shifts = {cls: k * offsets[name] for cls, name in targets.items() if name in offsets}
        return column + case(shifts, value=table.c[kind], else_=0)
    if isinstance(column.type, String) and (
            column.name in unique_columns(table)
            or (table.name, column.name) in NAMES_PEOPLE_READ):
        if "email" in column.name:
            return func.replace(column, "@", f".{copy}@")
        return column + literal(f" {copy}")
    return column


def originals(table, offsets: dict[str, int]):
    """The rows that were there before growing: ids (or foreign keys) up to the offsets."""
    conditions = []
    for column in table.columns:
        if column.primary_key and table.name in offsets:
            conditions.append(column <= offsets[table.name])
        for fk in column.foreign_keys:
            into = fk.column.table.name
            if column.primary_key and into in offsets:
                conditions.append(column <= offsets[into])
    return conditions


def grow(factor: int) -> None:
    """Copy the data `factor - 1` more times, in SQL, table by table in dependency order."""
    tables = grown_tables()
    offsets = id_offsets(tables)
    targets = table_of_class()
    for table in tables:
        where = originals(table, offsets)
        for copy in range(2, factor + 1):
            columns = list(table.columns)
            source = select(*(copied_column(table, c, copy, offsets, targets).label(c.name)
                              for c in columns)).where(*where)
            db.session.execute(insert(table).from_select([c.name for c in columns], source))
    for category in db.session.scalars(select(Category)):
        forum.refresh_category(category)
    db.session.commit()


# --- where things are ----------------------------------------------------------------------

def landmarks() -> dict[str, str]:
    """Paths of the objects the bench's pages name, from the database and the URL map."""
    busy = db.session.scalar(select(Thread).where(Thread.title == BUSY_THREAD_TITLE))
    demo_thread = db.session.scalar(select(Thread).where(
        Thread.title == "Borrowing the Millfield hall for a Saturday?"))
    federation = db.session.scalar(select(Organisation).where(
        Organisation.name == "Riverside Tenants' Federation"))
    category = busy.category if busy else db.session.scalar(
        select(Category).where(Category.name == BUSY_CATEGORY))
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        found = {
            "organisation": url_for("members.organisation", org_id=federation.id,
                                    slug=federation.slug),
            "people": url_for("members.people", org_id=federation.id),
            "shared": url_for("impact.organisation", org_id=federation.id),
            "category": url_for("forum.category", category_id=category.id,
                                slug=category.slug),
            "demo_thread": url_for("forum.thread", thread_id=demo_thread.id,
                                   slug=demo_thread.slug),
        }
        meeting = db.session.scalar(select(Event).where(
            Event.title == "Federation open meeting").order_by(Event.id).limit(1))
        found["event"] = url_for("calendar.event", event_id=meeting.id, slug=meeting.slug)
        hall = db.session.scalar(select(Listing).where(
            Listing.title.like("Community hall for meetings%")).order_by(Listing.id).limit(1))
        found["listing"] = url_for("board.listing", listing_id=hall.id, slug=hall.slug)
        talk = db.session.scalar(select(Conversation).where(Conversation.listing_id == hall.id))
        found["conversation"] = url_for("board.conversation", conversation_id=talk.id)
        board = db.session.scalar(select(Body).where(
            Body.name == "Riverside Strategic Partnership").order_by(Body.id).limit(1))
        found["body"] = url_for("representation.body", body_id=board.id, slug=board.slug)
        found["body_record"] = url_for("representation.body_record", body_id=board.id)
        latest = db.session.scalar(select(Report).join(Report.seat).where(
            Seat.body_id == board.id).order_by(Report.meeting_at.desc()).limit(1))
        found["report"] = url_for("representation.report", report_id=latest.id)
        found["seat"] = url_for("representation.seat", seat_id=latest.seat_id)
        found["bookings"] = url_for("board.bookings", listing_id=hall.id)
        asked = db.session.scalar(select(Booking).where(
            Booking.listing_id == hall.id, Booking.status == BookingStatus.REQUESTED))
        found["booking"] = url_for("board.booking", booking_id=asked.id)
        if busy:
            found["busy_thread"] = url_for("forum.thread", thread_id=busy.id, slug=busy.slug)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=1)
    parser.add_argument("--busy-forum", action="store_true")
    parser.add_argument("--large", action="store_true",
                        help="then top up to the large borough (bench.large)")
    args = parser.parse_args()
    from wsgi import app

    with app.app_context():
        if args.busy_forum:
            add_busy_forum()
        if args.factor > 1:
            grow(args.factor)
        if args.large:
            from bench.large import add_large_borough

            counts = add_large_borough()
            print(", ".join(f"{n:,} {name}" for name, n in counts.items()), file=sys.stderr)
        print(json.dumps(landmarks()))


if __name__ == "__main__":
    main()
