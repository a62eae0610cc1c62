"""How long one person's archive (Download my data) takes to build, and the most memory it
holds at once, as the person's posts grow: 1,000, 10,000 and 50,000 forum posts (each about
600 characters, a tenth of them edited once), with as many notifications and a session a post.

    python -m bench.archive                 (1k, 10k and 50k posts)
    python -m bench.archive 1000 10000      (the sizes given)

On a fresh SQLite database in a temporary folder, or on TEST_DATABASE_URL's PostgreSQL when it
is set (its tables dropped first). Build time is measured untraced, then the peak of Python's
allocations (tracemalloc) in a second build; the ZIP's size beside them.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time as clock
import tracemalloc
import zipfile
from datetime import timedelta

from flask_migrate import upgrade
from sqlalchemy import insert

from network import create_app
from network.auth.models import LoginSession, Person
from network.config import TestConfig
from network.core.time import now
from network.extensions import db
from network.forum.models import Category, Post, PostRevision, Thread
from network.notify.models import Delivery, Notification
from network.privacy.export import build_archive

SIZES = (1_000, 10_000, 50_000)
WORDS = ("hall", "meeting", "volunteers", "Saturday", "tenants", "repairs", "minibus", "garden",
         "funding", "training", "the", "a", "for", "with", "our", "next", "week", "council")
BATCH = 5_000


def fill(person_id: int, posts: int, first: int, rng: random.Random) -> None:
    """Add `posts` posts for the person (numbered from `first`), a revision to every tenth,
    and a notification and a session for each."""
    category = Category(name="General")
    db.session.add(category)
    db.session.flush()
    thread = Thread(category_id=category.id, title="A long conversation", author_id=person_id)
    db.session.add(thread)
    db.session.flush()
    moment = now()
    for start in range(0, posts, BATCH):
        count, number = min(BATCH, posts - start), first + start
        texts = [" ".join(rng.choices(WORDS, k=90)) for _ in range(count)]
        ids = db.session.scalars(insert(Post).returning(Post.id), [
            {"thread_id": thread.id, "author_id": person_id, "body": text,
             "created_at": moment, "version": 1} for text in texts]).all()
        db.session.execute(insert(PostRevision), [
            {"post_id": post_id, "body": texts[n][:300], "written_at": moment,
             "replaced_at": moment} for n, post_id in enumerate(ids) if n % 10 == 0])
        db.session.execute(insert(Notification), [
            {"person_id": person_id, "kind": "forum.reply", "subject": f"A reply {number + n}",
             "detail": "", "url": f"/forum/p/{post_id}", "created_at": moment,
             "delivery": Delivery.DAILY} for n, post_id in enumerate(ids)])
        db.session.execute(insert(LoginSession), [
            {"person_id": person_id, "token_hash": f"{number + n:064d}", "created_at": moment,
             "expires_at": moment + timedelta(hours=12), "ip": "192.0.2.1",
             "user_agent": "Mozilla/5.0"} for n in range(count)])
        db.session.commit()


def measure(app, person_id: int) -> tuple[float, int, int]:
    with app.test_request_context():
        person = db.session.get(Person, person_id)
        started = clock.perf_counter()
        spool, size = build_archive(person)
        took = clock.perf_counter() - started
        spool.close()
        db.session.rollback()
        tracemalloc.start()
        spool, _ = build_archive(db.session.get(Person, person_id))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        with spool, zipfile.ZipFile(spool) as archive:
            assert archive.testzip() is None
        db.session.rollback()
    return took, peak, size


def run(url: str, sizes: list[int]) -> None:
    app = create_app(TestConfig(url))
    with app.app_context():
        if url.startswith("postgresql"):
            db.drop_all()
            db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
        upgrade()
        person = Person(email="bench@example.org", display_name="Bench", password_hash="-")
        db.session.add(person)
        db.session.commit()
        rng, have = random.Random(7), 0
        print(f"One person's archive on {db.engine.dialect.name}:")
        print(f"  {'posts':>7}  {'build':>8}  {'peak memory':>12}  {'ZIP':>9}")
        for size in sizes:
            fill(person.id, size - have, have, rng)
            have = size
            took, peak, zipped = measure(app, person.id)
            print(f"  {size:>7,}  {took:>7.2f}s  {peak / 2**20:>9.1f} MB  "
                  f"{zipped / 2**20:>6.1f} MB", flush=True)


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or list(SIZES)
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        run(url, sizes)
        return
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.db", sizes)


if __name__ == "__main__":
    main()
