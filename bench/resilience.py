"""Mixed reads and writes from a few hundred users at once, with a gunicorn worker killed
mid-run: no 5xx, every acknowledged write stored exactly once, SQLite's integrity_check ok.

`python -m bench.resilience` prints the figures; tests/test_resilience.py holds the verdict.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.server import Browser, serve

READ_PAGES = ["/", "/organisations", "/memorandum", "/join", "/login"]


@dataclass
class Outcome:
    statuses: Counter = field(default_factory=Counter)
    cut: int = 0  # requests whose connection died with the killed worker
    acknowledged: list[str] = field(default_factory=list)  # applications answered 303
    unanswered: list[str] = field(default_factory=list)  # applications whose answer was lost
    stored: Counter = field(default_factory=Counter)  # application name -> rows
    integrity: str = ""
    killed_worker: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def lost(self) -> list[str]:
        return [name for name in self.acknowledged if self.stored[name] == 0]

    @property
    def duplicated(self) -> list[str]:
        return [name for name, rows in self.stored.items() if rows > 1]

    @property
    def ok(self) -> bool:
        return (not self.server_errors and not self.lost and not self.duplicated
                and self.integrity == "ok" and bool(self.acknowledged))


numbers = itertools.count(1)


def application(name: str, token: str) -> dict:
    return {"csrf_token": token, "name": name, "kind": "community_group",
            "description": "A group that exists for the load test.",
            "contribution": "Load.", "governing_document": "None yet", "area": "",
            "contact_name": "Load Tester",
            "contact_email": f"{name.lower().replace(' ', '-')}@example.org",
            "agree_memorandum": "y"}


def user(server, writes: bool, until: float, outcome: Outcome) -> None:
    pages = itertools.cycle(READ_PAGES)
    while time.monotonic() < until:
        browser = Browser(server)
        name = None
        try:
            if writes:
                number = next(numbers)
                # One address per application: the per-address limit is not what is tested.
                browser.address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
                token = browser.csrf_token("/join")
                name = f"Load Test Group {number}"
                status, _ = browser.request("POST", "/join", application(name, token))
                with outcome.lock:
                    outcome.statuses[status] += 1
                    if status == 303:
                        outcome.acknowledged.append(name)
            else:
                status, _ = browser.request("GET", next(pages))
                with outcome.lock:
                    outcome.statuses[status] += 1
        except (OSError, http.client.HTTPException):  # cut off mid-response
            with outcome.lock:
                outcome.cut += 1
                if name:
                    outcome.unanswered.append(name)


def run(users: int = 200, writers: int = 40, seconds: float = 10) -> Outcome:
    outcome = Outcome()
    with serve() as server:
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=user, args=(server, n < writers, until, outcome))
                   for n in range(users)]
        for thread in threads:
            thread.start()
        time.sleep(seconds / 3)  # let the load build before the kill
        outcome.killed_worker = server.workers()[0]
        os.kill(outcome.killed_worker, signal.SIGKILL)
        for thread in threads:
            thread.join()
        database = server.database
        with sqlite3.connect(database) as conn:
            outcome.integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            outcome.stored.update(dict(conn.execute(
                "SELECT name, count(*) FROM organisation WHERE name LIKE 'Load Test Group %' "
                "GROUP BY name").fetchall()))
        conn.close()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--writers", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    outcome = run(args.users, args.writers, args.seconds)
    print(f"\n{args.users} users at once ({args.writers} applying to join, the rest reading) "
          f"for {args.seconds:.0f} s; worker {outcome.killed_worker} killed after a third")
    print("responses: " + ", ".join(f"{status}: {n}"
                                    for status, n in sorted(outcome.statuses.items())))
    print(f"connections cut by the kill: {outcome.cut}; server errors (5xx): "
          f"{outcome.server_errors}")
    print(f"applications acknowledged: {len(outcome.acknowledged)}, stored: "
          f"{sum(outcome.stored.values())}, lost: {len(outcome.lost)}, duplicated: "
          f"{len(outcome.duplicated)}; unanswered (cut): {len(outcome.unanswered)}, of which "
          f"stored: {sum(1 for n in outcome.unanswered if outcome.stored[n])}")
    print(f"integrity_check: {outcome.integrity}")
    print("\nresilient" if outcome.ok else "\nFAILED")


if __name__ == "__main__":
    main()
