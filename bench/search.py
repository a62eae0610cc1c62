"""How long search takes at 100,000 posts and 20,000 events, as a member searches, on SQLite
and on PostgreSQL (issue 21's target: p95 <= 100 ms on each).

    python -m bench.search                       SQLite in a temporary folder
    python -m bench.search --postgres URL        ... and PostgreSQL: URL names a server whose
                                                 database `network_bench_search` is made
                                                 afresh (dropped if it is there)
    BENCH_POSTGRES_URL=... python -m bench.search    the same, as `make bench` runs it

Rows go in by bulk inserts (seconds, not the ORM's minutes), then `flask search rebuild`'s
rebuild() writes their documents (timed). Then a mix of searches (single words common and
rare, a prefix, two words, a phrase, OR, a word left out, a type, an area and a date range
chosen, a later page) runs as a member of one organisation, each RUNS times after a first
run; the figures are the whole page's work: the count, the page of results with snippets,
and their addresses.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time as clock
from datetime import timedelta

import sqlalchemy as sa
from flask_migrate import upgrade

from network import create_app
from network.auth.models import Person, Role
from network.calendar.models import Event, EventKind
from network.config import TestConfig
from network.core.audience import Audience
from network.core.time import now, today
from network.extensions import db
from network.forum.models import Category, Post, PostState, Thread
from network.members.models import Area, Membership, Organisation, OrgKind, OrgStatus, name_key
from network.search import searching
from network.search.index import rebuild
from network.search.models import Kind
from network.search.query import parse
from network.search.searching import Filters

POSTS, THREADS, EVENTS = 100_000, 5_000, 20_000
RUNS = 15
TARGET_MS = 100
CHUNK = 5_000
PLACES = ["hall", "minibus", "kitchen", "garden", "library", "school", "chapel", "centre",
          "office", "market", "park", "church", "mosque", "temple", "clinic", "surgery"]
COMMON = ["the", "and", "we", "to", "for", "community", "meeting", "council", "residents",
          "group", "volunteers", "help", "funding", "youth", "housing", "support", "week",
          "evening", "saturday", "advice", "training", "event", "children", "food", "bank"]


def vocabulary(rng: random.Random) -> list[str]:
    """Common words first, then places, then 4,000 made-up words: drawn with weights 1/rank
    (Zipf), as words in real writing are."""
    syllables = ["ba", "ko", "ri", "sen", "tal", "mu", "ve", "lin", "dor", "pa", "qui", "zen",
                 "fo", "gar", "hu", "jel", "nim", "os", "rak", "wen"]
    made = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(6_000)}
    return COMMON + PLACES + sorted(made)[:4_000]


def writer(rng: random.Random, words: list[str]):
    weights = [1 / (rank + 1) for rank in range(len(words))]

    def text(low: int, high: int) -> str:
        return " ".join(rng.choices(words, weights, k=rng.randint(low, high)))
    return text


def insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(model), rows[start:start + CHUNK])


def fill(rng: random.Random) -> Person:
    text = writer(rng, vocabulary(rng))
    areas = [Area(name=f"Area {n}") for n in range(6)]
    organisations = [Organisation(name=f"Group {n}", name_key=name_key(f"Group {n}"),
                                  kind=OrgKind.COMMUNITY_GROUP, status=OrgStatus.APPROVED,
                                  area=areas[n % 6], description=text(20, 60))
                     for n in range(200)]
    people = [Person(email=f"writer{n}@example.org", display_name=f"Writer {n}",
                     password_hash="-") for n in range(50)]
    member = Person(email="member@example.org", display_name="Member", password_hash="-",
                    role=Role.MEMBER)
    categories = [Category(name=f"Category {n}",
                           audience=Audience.COORDINATORS if n == 0 else Audience.MEMBERS)
                  for n in range(6)]
    db.session.add_all([*areas, *organisations, *people, member, *categories])
    db.session.flush()
    db.session.add(Membership(person_id=member.id, organisation_id=organisations[0].id))
    start = now() - timedelta(days=900)
    insert(Thread, [{"category_id": categories[n % 6].id, "title": text(3, 8).capitalize(),
                     "author_id": people[n % 50].id,
                     "organisation_id": organisations[n % 200].id,
                     "created_at": start + timedelta(hours=4 * n),
                     "last_activity_at": start + timedelta(hours=4 * n)}
                    for n in range(THREADS)])
    first = db.session.scalar(sa.select(sa.func.min(Thread.id)))
    states = [PostState.VISIBLE] * 97 + [PostState.HIDDEN] * 2 + [PostState.HELD]
    insert(Post, [{"thread_id": first + n % THREADS, "author_id": people[n % 50].id,
                   "organisation_id": organisations[n % 200].id, "body": text(15, 90),
                   "state": rng.choice(states), "version": 1,
                   "created_at": start + timedelta(minutes=13 * n)} for n in range(POSTS)])
    insert(Event, [{"organisation_id": organisations[n % 200].id,
                    "created_by_id": people[n % 50].id, "title": text(2, 6).capitalize(),
                    "description": text(10, 60), "kind": rng.choice(list(EventKind)),
                    "audience": Audience.PUBLIC if n % 3 == 0 else Audience.MEMBERS,
                    "starts_at": start + timedelta(hours=2 * n),
                    "ends_at": start + timedelta(hours=2 * n + 2),
                    "place": f"The {rng.choice(PLACES)}", "area_id": areas[n % 6].id,
                    "rsvp": False, "version": 1, "sequence": 0}
                   for n in range(EVENTS)])
    db.session.commit()
    return member


def mix(area_id: int) -> list[tuple[str, str, Filters, int]]:
    day = today()
    return [
        ("a common word", "community", Filters(), 1),
        ("a place", "hall", Filters(), 1),
        ("a prefix", "minib", Filters(), 1),
        ("a made-up (rarer) word", "bakori", Filters(), 1),
        ("two words", "youth funding", Filters(), 1),
        ("a phrase", '"community meeting"', Filters(), 1),
        ("one or another", "minibus OR kitchen", Filters(), 1),
        ("a word left out", "housing -council", Filters(), 1),
        ("three words", "volunteers saturday garden", Filters(), 1),
        ("events only", "meeting", Filters(kind=Kind.EVENT), 1),
        ("posts only, page 3", "advice", Filters(kind=Kind.POST), 3),
        ("an area", "market", Filters(area_id=area_id), 1),
        ("the last 90 days", "support", Filters(since=day - timedelta(days=90), until=day), 1),
        ("nothing found", "zzzqqq", Filters(), 1),
    ]


def measure(app, member_id: int) -> list[float]:
    every: list[float] = []
    with app.test_request_context():
        member = db.session.get(Person, member_id)
        area_id = db.session.scalar(sa.select(Area.id).order_by(Area.id).limit(1))
        for name, typed, filters, page in mix(area_id):
            query = parse(typed)
            found = searching.search(query, member, filters, page, 20)  # warm
            times = []
            for _ in range(RUNS):
                started = clock.perf_counter()
                searching.search(query, member, filters, page, 20)
                times.append((clock.perf_counter() - started) * 1000)
                db.session.rollback()
            every += times
            print(f"  {statistics.median(times):7.1f} ms median  {max(times):7.1f} max  "
                  f"{found.total:7,} found  {name}: {typed}")
    return every


def run(url: str, label: str) -> tuple[float, float]:
    app = create_app(TestConfig(url))
    with app.app_context():
        upgrade()
        started = clock.perf_counter()
        member = fill(random.Random(21))
        filled = clock.perf_counter() - started
        started = clock.perf_counter()
        counts = rebuild()
        db.session.commit()
        indexed = clock.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        print(f"\n{label}: {POSTS:,} posts in {THREADS:,} threads, {EVENTS:,} events; "
              f"rows in {filled:.0f} s, {sum(counts.values()):,} documents written in "
              f"{indexed:.0f} s (search rebuild)")
        times = measure(app, member.id)
        p50, p95 = statistics.median(times), statistics.quantiles(times, n=20)[18]
        verdict = "within" if p95 <= TARGET_MS else "OVER"
        print(f"  {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(times)} searches "
              f"({verdict} the {TARGET_MS} ms target)")
        db.session.remove()
        db.engine.dispose()
    return p50, p95


def fresh_postgres(server_url: str) -> str:
    url = sa.engine.make_url(server_url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS network_bench_search")
        conn.exec_driver_sql("CREATE DATABASE network_bench_search")
    admin.dispose()
    return url.set(database="network_bench_search").render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"),
                        help="a PostgreSQL server URL (its network_bench_search database is "
                             "made afresh)")
    parser.add_argument("--no-sqlite", action="store_true")
    arguments = parser.parse_args()
    if not arguments.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/search.db", "SQLite")
    if arguments.postgres:
        run(fresh_postgres(arguments.postgres), "PostgreSQL")
    else:
        print("\nPostgreSQL: not measured (give --postgres URL or BENCH_POSTGRES_URL).")


if __name__ == "__main__":
    main()
