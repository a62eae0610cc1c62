"""Latency as people feel it: 20 users at once on gunicorn, each a visitor, a member or a
coordinator, walking their pages and reading each for 0.5 to 1.5 s (locust's
`between(0.5, 1.5)`), on the same cores as the server. Gives p50, p95 and p99 per page.

Why pauses: people read a page before they open the next. Without pauses, 20 users queue
behind each other and their p95 says how far the load is from saturation, not how a page
feels; that is what bench.throughput measures instead (requests/s, flat out).

bench.report runs this at 1x and 100x the data; `python -m bench.load` runs it alone.
Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from bench.pages import LOGINS, PASSWORD, Page, chosen
from bench.server import Browser, Server, percentile, prepare, run_gunicorn

THINK_SECONDS = (0.5, 1.5)
WARM_UP_PASSES = 4  # each role's pages, before timing: templates compiled in both workers


@dataclass
class LoadResult:
    users: int
    seconds: float
    timings: dict[str, list[float]] = field(default_factory=dict)  # page name -> ms
    errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(t) for t in self.timings.values())

    def percentiles(self, name: str) -> dict[str, float] | None:
        values = self.timings.get(name)
        if not values:
            return None
        return {"p50": percentile(values, 0.50), "p95": percentile(values, 0.95),
                "p99": percentile(values, 0.99), "n": len(values)}


def logged_in(server: Server, roles: set[str]) -> dict[str, Browser]:
    """A browser per role, logged in as LOGINS says (a visitor's stays anonymous)."""
    browsers = {}
    for role in roles:
        browsers[role] = Browser(server)
        if LOGINS[role]:
            browsers[role].log_in(LOGINS[role], PASSWORD)
    return browsers


def warm_up(browsers: dict[str, Browser], pages: list[Page], landmarks: dict[str, str],
            passes: int = WARM_UP_PASSES) -> None:
    for _ in range(passes):
        for page in pages:
            status, _body = browsers[page.role].request("GET", page.path(landmarks))
            if status != 200:
                raise RuntimeError(f"{page.name}: {page.path(landmarks)} answered {status} "
                                   f"to the {page.role}")


def walk(browser: Browser, pages: list[tuple[str, str]], until: float,
         timings: dict[str, list[float]], errors: list[str]) -> None:
    """One user: the next page, a pause to read it, until time is up."""
    index = 0
    pause = random.Random(browser.address + pages[0][1])
    while time.monotonic() < until:
        time.sleep(pause.uniform(*THINK_SECONDS))
        name, path = pages[index % len(pages)]
        index += 1
        started = time.perf_counter()
        status, _body = browser.request("GET", path)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            errors.append(f"{status} {path}")
        timings[name].append(elapsed)


def reading_load(server: Server, browsers: dict[str, Browser], pages: list[Page],
                 landmarks: dict[str, str], users: int = 20,
                 seconds: float = 60) -> LoadResult:
    """`users` people at once, shared among the roles, each starting at a different page."""
    by_role: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for page in pages:
        by_role[page.role].append((page.name, page.path(landmarks)))
    roles = sorted(by_role)
    result = LoadResult(users, seconds, defaultdict(list))
    until = time.monotonic() + seconds
    threads = []
    for n in range(users):
        role = roles[n % len(roles)]
        own = by_role[role]
        start = (n // len(roles)) % len(own)
        user = Browser(server, cookies=dict(browsers[role].cookies), address=f"10.0.0.{n}")
        threads.append(threading.Thread(
            target=walk, args=(user, own[start:] + own[:start], until, result.timings,
                               result.errors)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.timings = dict(result.timings)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, action="append",
                        help="times the demo data (repeatable; default 1 and 100)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pages", help="`main`, or words from page names, comma-separated")
    args = parser.parse_args()
    pages = chosen(args.pages)
    for factor in args.factor or [1, 100]:
        with prepare(factor, busy_forum=True) as dataset, run_gunicorn(dataset) as server:
            browsers = logged_in(server, {p.role for p in pages})
            warm_up(browsers, pages, dataset.landmarks)
            result = reading_load(server, browsers, pages, dataset.landmarks, args.users,
                                  args.seconds)
        print(f"\n{factor}x the data, {args.users} users reading for {args.seconds:.0f} s, "
              f"{server.model.describe()}: {result.requests} requests")
        print(f"{'page':24} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
        for page in pages:
            figures = result.percentiles(page.name)
            if figures:
                print(f"{page.name:24} {figures['n']:5} {figures['p50']:8.1f} "
                      f"{figures['p95']:8.1f} {figures['p99']:8.1f}")
        print(f"errors: {len(result.errors)}" + (f" e.g. {result.errors[:3]}"
                                                 if result.errors else ""))


if __name__ == "__main__":
    main()
