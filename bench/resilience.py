"""Mixed reads and writes from a few hundred users at once, on SQLite and on PostgreSQL, with
a fault mid-run: no 5xx, no "database is locked", every acknowledged write stored exactly once.

Three steps (`python -m bench.resilience --seconds 60 --users 300`):

- SQLite, a gunicorn worker killed (SIGKILL) a third of the way in;
- PostgreSQL, the same;
- PostgreSQL restarted a third of the way in: bench.proxy stands between gunicorn and the
  server and cuts every connection, refusing new ones for --outage seconds (the machine's
  PostgreSQL is never touched). While it is down a request gets the 503 page; once it is back,
  no 5xx at all (the pool's pre-ping replaces the dead connections).

The writers are demo members, logged in: they reply in a forum thread, answer an event
(RSVP), book the tea urn, respond to a report back, and apply to join (as visitors). Each
write carries a marker of its own (a reply's text, a booking's purpose, ...), so it can be
counted in the database afterwards. A write answered with a 5xx or cut off is sent again, as
a person would, with the same form (the same submission key): it must still make one row.

PostgreSQL: --postgres URL, or BENCH_POSTGRES_URL, names the server; the bench makes (or
empties) a database of its own there, network_bench_resilience (--database another name).
Without either, the PostgreSQL steps are skipped with a message.
tests/test_resilience.py runs every step briefly and holds the verdict.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import re
import secrets
import signal
import sqlite3
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench.pages import PASSWORD
from bench.proxy import Proxy
from bench.server import CSRF_INPUT, Browser, Dataset, Server, prepare, run_gunicorn
from network.core.time import now

READ_PAGES = ["/", "/organisations", "/memorandum", "/join", "/login"]
MEMBER_PAGES = ["/forum", "/calendar", "/board", "/dashboard", "/representatives"]
# Demo members with an organisation (network/demo): each writer logs in as one of them.
MEMBERS = ["pat@example.org", "ravi@example.org", "grace@example.org", "meilin@example.org",
           "bridget@example.org", "jordan@example.org", "kezia@example.org",
           "tom@example.org", "lena@example.org", "dev@example.org"]
WRITES = ("post", "rsvp", "book", "respond", "apply")
MARK = "Load marker "
ATTEMPTS = 10  # a write answered 5xx or cut off is sent again, up to this many times in all
RETRY_AFTER = 1.0  # seconds between attempts
ANSWERS = ("going", "maybe", "not_going")
BOOKING_HOURS = 23  # one booking an hour, 00:00 to 22:45, from the day after tomorrow on


@dataclass
class Targets:
    """What the writers write to: ids from the demo, and each member's organisation."""

    thread: int
    event: int
    listing: int
    report: int
    organisations: dict[str, int]
    first_day: date


def find_targets(url: str) -> Targets:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        def one(sql: str, **params) -> int:
            return conn.execute(sa.text(sql), params).scalar_one()

        targets = Targets(
            thread=one("SELECT id FROM forum_thread WHERE title = :t",
                       t="Borrowing the Millfield hall for a Saturday?"),
            event=one("SELECT min(id) FROM event WHERE title = 'Federation open meeting'"),
            listing=one("SELECT id FROM listing WHERE title LIKE 'Tea urn%'"),
            report=one("SELECT max(id) FROM report WHERE state = 'published'"),
            organisations=dict(conn.execute(sa.text(
                "SELECT p.email, min(m.organisation_id) FROM membership m "
                "JOIN person p ON p.id = m.person_id GROUP BY p.email")).all()),
            first_day=now().astimezone(ZoneInfo("Europe/London")).date() + timedelta(days=2))
    engine.dispose()
    return targets


@dataclass
class Outcome:
    label: str = ""
    statuses: Counter = field(default_factory=Counter)
    cut: int = 0  # requests whose connection died (the killed worker)
    sent: Counter = field(default_factory=Counter)  # kind -> writes sent
    acknowledged: set[str] = field(default_factory=set)  # markers answered 303
    refused: set[str] = field(default_factory=set)  # markers answered 4xx (a clash, ...)
    unanswered: set[str] = field(default_factory=set)  # markers never answered 303
    stored: Counter = field(default_factory=Counter)  # marker -> rows
    retries: int = 0
    integrity: str = ""
    locked: int = 0  # "database is locked" in the servers' log
    killed_worker: int = 0
    # The PostgreSQL restart: when it went down and came back (monotonic), and the requests
    # (sent at, status) around it.
    down_at: float = 0.0
    up_at: float = 0.0
    timeline: list[tuple[float, float, int]] = field(default_factory=list)  # sent, answered
    acknowledged_at: list[float] = field(default_factory=list)  # when each 303 came
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, status: int, sent_at: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.timeline.append((sent_at, time.monotonic(), status))

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + self.cut

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def errors_after_back(self) -> int:
        """5xx answers to requests sent once the database was back (a restart only)."""
        return sum(1 for sent, _, status in self.timeline if status >= 500 and sent >= self.up_at)

    @property
    def errors_outside_outage(self) -> int:
        """5xx answers to requests that were not in flight while the database was away: all
        of them, without a restart."""
        return sum(1 for sent, answered, status in self.timeline if status >= 500 and not (
            self.down_at and answered >= self.down_at and sent < self.up_at))

    @property
    def unavailable_while_down(self) -> int:
        return sum(1 for sent, _, status in self.timeline
                   if status == 503 and self.down_at <= sent < self.up_at)

    @property
    def first_write_after_up(self) -> float:
        """Seconds from the database's return to the first write acknowledged after it."""
        after = [at for at in self.acknowledged_at if at >= self.up_at]
        return min(after) - self.up_at if after else float("nan")

    @property
    def not_503(self) -> int:
        """5xx answers other than the 503 page (a 500: a traceback)."""
        return sum(n for status, n in self.statuses.items() if status >= 500 and status != 503)

    @property
    def lost(self) -> list[str]:
        return sorted(m for m in self.acknowledged if self.stored[m] == 0)

    @property
    def duplicated(self) -> list[str]:
        return sorted(m for m, rows in self.stored.items() if rows > 1)

    @property
    def strays(self) -> list[str]:
        """Rows with a marker that was never sent."""
        return sorted(set(self.stored) - self.acknowledged - self.unanswered - self.refused)

    @property
    def ok(self) -> bool:
        # A restart: 503 pages while the database is away, nothing else and nothing after.
        return (self.errors_outside_outage == 0 and self.not_503 == 0 and not self.lost
                and not self.duplicated and not self.strays and not self.locked
                and self.integrity in ("ok", "n/a") and bool(self.acknowledged))

    def kinds(self) -> dict[str, tuple[int, int, int]]:
        """kind -> (acknowledged, stored, lost)."""
        rows = {}
        for kind in WRITES:
            acks = [m for m in self.acknowledged if kind_of(m) == kind]
            rows[kind] = (len(acks), sum(n for m, n in self.stored.items() if kind_of(m) == kind),
                          sum(1 for m in acks if self.stored[m] == 0))
        return rows


def kind_of(marker: str) -> str:
    return marker.split(":", 1)[1].split("-", 1)[0]


class Load:
    """One run's users: their shared counters, the targets and the outcome."""

    def __init__(self, server: Server, targets: Targets, outcome: Outcome) -> None:
        self.server, self.targets, self.outcome = server, targets, outcome
        self.until = 0.0
        self.sessions: dict[str, tuple[dict[str, str], str]] = {}
        self.run = secrets.token_hex(3)  # markers of this run: "<run>:post-17"
        self.numbers = itertools.count(1)
        self.slots = itertools.count(0)
        self.addresses = itertools.count(1)

    def address(self) -> str:
        n = next(self.addresses)
        return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"

    def marker(self, kind: str) -> str:
        return f"{self.run}:{kind}-{next(self.numbers)}"

    def request(self, browser: Browser, method: str, path: str, form: dict | None = None
                ) -> int | None:
        """The status, or None if the connection was cut."""
        return self.exchange(browser, method, path, form)[0]

    def exchange(self, browser: Browser, method: str, path: str, form: dict | None = None,
                 compressed: bool = True) -> tuple[int | None, bytes]:
        """The status and the body; (None, b"") if the connection was cut."""
        sent_at = time.monotonic()
        try:
            status, body = browser.request(method, path, form, compressed=compressed)
        except (OSError, http.client.HTTPException):
            with self.outcome.lock:
                self.outcome.cut += 1
            return None, b""
        self.outcome.answered(status, sent_at)
        return status, body

    # --- who does what ---------------------------------------------------------------------

    def reader(self) -> None:
        pages = itertools.cycle(READ_PAGES)
        browser = Browser(self.server, address=self.address())
        while time.monotonic() < self.until:
            self.request(browser, "GET", next(pages))

    def log_in_members(self) -> None:
        """Each member logs in once, before the load (a login hashes the password: dozens at
        once would measure Argon2); their writers share the session, like a person's tabs."""
        for email in MEMBERS:
            browser = Browser(self.server, address=self.address())
            browser.log_in(email, PASSWORD)
            token = browser.csrf_token("/account")  # (the token's secret is in the cookie)
            self.sessions[email] = (dict(browser.cookies), token)

    def writer(self, number: int) -> None:
        email = MEMBERS[number % len(MEMBERS)]
        cookies, token = self.sessions[email]
        browser = Browser(self.server, cookies=dict(cookies), address=self.address())
        kinds = itertools.cycle(WRITES[number % len(WRITES):] + WRITES[:number % len(WRITES)])
        pages = itertools.cycle(MEMBER_PAGES)
        while time.monotonic() < self.until:
            kind = next(kinds)
            if kind == "apply":
                self.write(Browser(self.server, address=self.address()), kind, None)
            else:
                self.write(browser, kind, (email, token))
            self.request(browser, "GET", next(pages))

    def write(self, browser: Browser, kind: str, member: tuple[str, str] | None) -> None:
        marker = self.marker(kind)
        if kind == "rsvp":  # an answer has no text: one row per person and event, kept
            marker = f"{self.run}:rsvp-{member[0]}"
        path, form = self.form(kind, marker, member)
        with self.outcome.lock:
            self.outcome.sent[kind] += 1
        for attempt in range(ATTEMPTS):
            if kind == "apply":  # a visitor: a session (and its token) of its own
                status, page = self.exchange(browser, "GET", "/join", compressed=False)
                token = CSRF_INPUT.search(page.decode()) if status == 200 else None
                if token:
                    form["csrf_token"] = token.group(1)
                    status = self.request(browser, "POST", path, form)
                elif status == 200:  # no form on the page: try again
                    status = None
            else:
                status = self.request(browser, "POST", path, form)
            if status is not None and status < 500:
                with self.outcome.lock:
                    if status == 303:
                        self.outcome.acknowledged.add(marker)
                        self.outcome.acknowledged_at.append(time.monotonic())
                        self.outcome.unanswered.discard(marker)
                    else:
                        self.outcome.refused.add(marker)
                return
            with self.outcome.lock:
                self.outcome.unanswered.add(marker)
                self.outcome.retries += attempt + 1 < ATTEMPTS
            time.sleep(RETRY_AFTER)

    def form(self, kind: str, marker: str, member: tuple[str, str] | None
             ) -> tuple[str, dict]:
        t = self.targets
        text = f"{MARK}{marker}: sent by the resilience bench."
        key = secrets.token_urlsafe(18)  # one opened form: sent again, the same key
        if kind == "post":
            return f"/forum/t/{t.thread}/reply", {
                "csrf_token": member[1], "body": text, "submission": key}
        if kind == "rsvp":
            return f"/calendar/e/{t.event}/rsvp", {
                "csrf_token": member[1], "answer": ANSWERS[next(self.numbers) % 3]}
        if kind == "book":
            slot = next(self.slots)
            day = t.first_day + timedelta(days=slot // BOOKING_HOURS % 360)
            hour = slot % BOOKING_HOURS
            return f"/board/l/{t.listing}/book", {
                "csrf_token": member[1], "organisation": t.organisations[member[0]],
                "day": day.isoformat(), "starts": f"{hour:02d}:00", "ends": f"{hour:02d}:45",
                "purpose": f"{MARK}{marker}", "submission": key}
        if kind == "respond":
            return f"/reports/{t.report}/responses", {
                "csrf_token": member[1], "body": text, "submission": key}
        return "/join", application(marker)


def application(marker: str) -> dict:
    return {"name": f"{MARK}{marker}", "kind": "community_group",
            "description": "A group that exists for the load test.",
            "contribution": "Load.", "governing_document": "None yet", "area": "",
            "contact_name": "Load Tester",
            "contact_email": f"{re.sub('[^a-z0-9]+', '-', marker.lower())}@example.org",
            "agree_memorandum": "y"}


# --- counting what was stored ----------------------------------------------------------------

MARKED = {  # kind -> the SQL that finds its marked rows: (text holding the marker,)
    "post": "SELECT body FROM forum_post WHERE body LIKE :like",
    "book": "SELECT purpose FROM listing_booking WHERE purpose LIKE :like",
    "respond": "SELECT body FROM report_response WHERE body LIKE :like",
    "apply": "SELECT name FROM organisation WHERE name LIKE :like",
}


def count_stored(url: str, load: Load, outcome: Outcome) -> None:
    marker = re.compile(re.escape(MARK) + r"(\S+?):? ")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        for sql in MARKED.values():
            for (text,) in conn.execute(sa.text(sql), {"like": f"{MARK}{load.run}:%"}):
                outcome.stored[marker.match(text + " ").group(1)] += 1
        for email, rows in conn.execute(sa.text(
                "SELECT p.email, count(*) FROM rsvp r JOIN person p ON p.id = r.person_id "
                "WHERE r.event_id = :event GROUP BY p.email"), {"event": load.targets.event}):
            name = f"{load.run}:rsvp-{email}"
            if name in outcome.acknowledged | outcome.unanswered | outcome.refused:
                outcome.stored[name] = rows
    engine.dispose()
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            outcome.integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        conn.close()
    else:
        outcome.integrity = "n/a"


# --- a run -----------------------------------------------------------------------------------

def run(users: int = 200, writers: int = 40, seconds: float = 10, *,
        postgres: str | None = None, faults: tuple[str, ...] = ("kill",), outage: float = 3.0,
        dataset: Dataset | None = None, log: Path | None = None) -> Outcome:
    """`users` at once for `seconds`, `writers` of them writing, and `faults` in turn, the
    first a third of the way in: "kill" (a gunicorn worker) and "restart" (PostgreSQL, through
    bench.proxy, away `outage` seconds; both: the kill at a quarter, the restart at a half).
    On SQLite unless `postgres` names a database (emptied first) or `dataset` is one ready.
    The servers' log goes to `log` if given."""
    outcome = Outcome()
    with ExitStack() as stack:
        if dataset is None:
            dataset = stack.enter_context(prepare(database_url=postgres, landmarks=False))
        outcome.label = ("SQLite" if dataset.database else "PostgreSQL") + ", " + " and ".join(
            {"kill": "a worker killed", "restart": "restarted"}[f] for f in faults)
        proxy = None
        served = dataset
        if "restart" in faults:
            proxy = stack.enter_context(Proxy(sa.engine.make_url(dataset.url).port or 5432))
            served = dataset.through(proxy.url(dataset.url))
        log = log or Path(stack.enter_context(tempfile.TemporaryDirectory())) / "gunicorn.log"
        with run_gunicorn(served, log=log) as server:
            load = Load(server, find_targets(dataset.url), outcome)
            load.log_in_members()
            started = time.monotonic()
            load.until = started + seconds
            threads = [threading.Thread(target=load.writer, args=(n,)) if n < writers
                       else threading.Thread(target=load.reader) for n in range(users)]
            for thread in threads:
                thread.start()
            for number, fault in enumerate(faults, start=1):
                # Let the load build before the first fault, and settle between them.
                time.sleep(max(0.0, started + seconds * number / (len(faults) + 2)
                               - time.monotonic()))
                if fault == "kill":
                    outcome.killed_worker = server.workers()[0]
                    os.kill(outcome.killed_worker, signal.SIGKILL)
                else:
                    outcome.down_at = time.monotonic()
                    proxy.restart(outage)
                    outcome.up_at = time.monotonic()
            for thread in threads:
                thread.join()
        outcome.locked = log.read_text(errors="replace").count("database is locked")
        count_stored(dataset.url, load, outcome)
    return outcome


def postgres_database(url: str, name: str) -> str:
    """The server's URL with the bench's own database (it is emptied)."""
    return sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)


def report(outcome: Outcome, seconds: float, users: int, writers: int) -> None:
    print(f"\n{outcome.label}: {users} users at once ({writers} writing as logged-in members, "
          f"the rest reading) for {seconds:.0f} s")
    print(f"  requests sent: {outcome.requests}; by status: "
          + ", ".join(f"{status}: {n}" for status, n in sorted(outcome.statuses.items()))
          + f"; cut off: {outcome.cut}; 5xx: {outcome.server_errors}")
    if outcome.killed_worker:
        print(f"  worker {outcome.killed_worker} killed (SIGKILL) under load")
    if outcome.down_at:
        print(f"  PostgreSQL away {outcome.up_at - outcome.down_at:.1f} s (connections cut, "
              f"new ones refused); 503 pages: {outcome.statuses[503]} (for requests sent while "
              f"away: {outcome.unavailable_while_down}); other 5xx: {outcome.not_503}; 5xx "
              f"for requests not in flight while away: {outcome.errors_outside_outage}, of "
              f"them sent once back: {outcome.errors_after_back}; first write "
              f"acknowledged {outcome.first_write_after_up:.2f} s after it was back")
    print(f"  writes sent: {sum(outcome.sent.values())} ("
          + ", ".join(f"{k} {n}" for k, n in outcome.sent.items())
          + f"); sent again after a 5xx or a cut: {outcome.retries}")
    print("  acknowledged / stored / lost: " + ", ".join(
        f"{kind} {a}/{s}/{lost}" for kind, (a, s, lost) in outcome.kinds().items()))
    print(f"  in all: acknowledged {len(outcome.acknowledged)}, stored "
          f"{sum(outcome.stored.values())}, lost {len(outcome.lost)}, duplicated "
          f"{len(outcome.duplicated)}, never acknowledged {len(outcome.unanswered)} (of which "
          f"stored {sum(1 for m in outcome.unanswered if outcome.stored[m])}), refused "
          f"{len(outcome.refused)}, stored but never sent {len(outcome.strays)}")
    print(f"  'database is locked' in the log: {outcome.locked}; integrity_check: "
          f"{outcome.integrity}")
    print("  resilient" if outcome.ok else "  FAILED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--writers", type=int, default=60,
                        help="how many of the users write (the rest read)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--outage", type=float, default=5,
                        help="seconds PostgreSQL stays away in the restart step")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"),
                        help="a PostgreSQL server's URL (default: BENCH_POSTGRES_URL)")
    parser.add_argument("--database", default="network_bench_resilience",
                        help="the database made (or emptied) there")
    args = parser.parse_args()
    steps: list[tuple[str, Callable[[], Outcome]]] = [
        ("sqlite", lambda: run(args.users, args.writers, args.seconds))]
    if args.postgres:
        url = postgres_database(args.postgres, args.database)
        steps += [("pg", lambda: run(args.users, args.writers, args.seconds, postgres=url)),
                  ("restart", lambda: run(args.users, args.writers, args.seconds,
                                          postgres=url, faults=("restart",),
                                          outage=args.outage))]
    failed = False
    for _name, step in steps:
        outcome = step()
        report(outcome, args.seconds, args.users, args.writers)
        failed |= not outcome.ok
    if not args.postgres:
        print("\nPostgreSQL: not measured (give --postgres URL or BENCH_POSTGRES_URL).")
    print("\nFAILED" if failed else "\nresilient")


if __name__ == "__main__":
    main()
