"""How long finding matches takes while someone types a listing: 10,000 listings on the board
(a borough many times the demo's), as `board.reading.matching` answers the form.

    python -m bench.matching          (prints figures; the issue's target: < 50 ms)

On a fresh SQLite database in a temporary folder, the median of repeated runs.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time as clock
from datetime import timedelta

from flask_migrate import upgrade

from network import create_app
from network.auth.models import Person
from network.board import reading
from network.board.models import Category, Listing, ListingKind
from network.config import TestConfig
from network.core.time import today
from network.extensions import db
from network.members.models import Area, Organisation, OrgStatus, name_key

LISTINGS = 10_000
RUNS = 30
WORDS = [
    "hall", "room", "kitchen", "chairs", "tables", "minibus", "driver", "laptop", "printer",
    "volunteers", "evening", "saturday", "weekly", "meeting", "class", "children", "garden",
    "tools", "projector", "screen", "van", "food", "hygiene", "training", "bid", "funding",
    "advice", "translation", "interpreter", "childcare",
]


def fill(rng: random.Random) -> None:
    areas = [Area(name=f"Area {n}") for n in range(6)]
    organisations = [Organisation(name=f"Group {n}", name_key=name_key(f"Group {n}"),
                                  kind="community_group", status=OrgStatus.APPROVED)
                     for n in range(200)]
    author = Person(email="bench@example.org", display_name="Bench", password_hash="-")
    db.session.add_all([*areas, *organisations, author])
    db.session.flush()
    for n in range(LISTINGS):
        title = " ".join(rng.sample(WORDS, 4))
        description = " ".join(rng.sample(WORDS, 12))
        db.session.add(Listing(
            organisation_id=organisations[n % 200].id, created_by_id=author.id,
            kind=rng.choice(list(ListingKind)), category=rng.choice(list(Category)),
            title=title, description=description,
            area_id=None if n % 7 == 0 else areas[n % 6].id,
            expires_on=today() + timedelta(days=rng.randint(1, 60)),
            keywords=reading.keywords_of(title, description)))
    db.session.commit()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(TestConfig(f"sqlite:///{folder}/bench.db"))
        with app.app_context():
            upgrade()
            fill(random.Random(11))
            area = db.session.scalar(db.select(Area.id).limit(1))
            cases = [
                ("a request for a room, three words typed", ListingKind.REQUEST,
                 Category.ROOMS, area, "hall kitchen evening"),
                ("the same, anywhere in the borough", ListingKind.REQUEST, Category.ROOMS,
                 None, "hall kitchen evening"),
                ("an offer of equipment, a paragraph typed", ListingKind.OFFER,
                 Category.EQUIPMENT, area, " ".join(WORDS[:20])),
                ("kind and category chosen, nothing typed yet", ListingKind.REQUEST,
                 Category.TRANSPORT, None, ""),
            ]
            print(f"Matching among {LISTINGS:,} listings, median of {RUNS} runs "
                  "(target < 50 ms):")
            for name, kind, category, area_id, typed in cases:
                times = []
                for _ in range(RUNS):
                    started = clock.perf_counter()
                    reading.matching(kind, category, area_id, typed)
                    times.append(clock.perf_counter() - started)
                print(f"  {statistics.median(times) * 1000:8.2f} ms  {name}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
