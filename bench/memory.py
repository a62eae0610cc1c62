"""Where gunicorn's memory goes after serving every page (issue 23: 80 MB RSS a worker, 120 MB
PSS for the master and two workers).

    python -m bench.memory                  # the demo borough and the busy forum, on SQLite
    python -m bench.memory --passes 8       # each role's pages walked 8 times (default 4)
    python -m bench.memory --workers 1 --threads 4    # another worker model
    python -m bench.memory --large          # the large borough on PostgreSQL (bench.sizes'
                                            # database, made afresh: a few minutes;
                                            # --reuse takes it as the last run left it)

Starts gunicorn as `make run` does (2 sync workers, --preload, gunicorn.conf.py), reads each
process's memory after start-up, then walks every page of bench.pages as its role (logins
included) and reads it again: RSS and PSS, and from /proc/<pid>/smaps how much of each is
shared with the master or private to the process, and where the private part lives (the
malloc heap and anonymous maps, or files). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from bench.load import logged_in, warm_up
from bench.pages import PAGES
from bench.server import WorkerModel, postgres_url, prepare, prepare_postgres, run_gunicorn

FIELDS = ("Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty")


def smaps(pid: int) -> tuple[dict[str, int], Counter]:
    """kB of each field over the whole process, and Private_Dirty kB by mapping."""
    totals, private, name = dict.fromkeys(FIELDS, 0), Counter(), "?"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$", line)
        if head:
            path = head.group(1)
            name = (Path(path).name if path.startswith("/") else path) or "[anonymous]"
            continue
        field = re.match(r"^(\w+):\s+(\d+) kB", line)
        if field and field.group(1) in totals:
            totals[field.group(1)] += int(field.group(2))
            if field.group(1) == "Private_Dirty":
                private[name] += int(field.group(2))
    return totals, private


def report(server, label: str) -> None:
    print(f"\n{label}")
    print(f"{'process':14}" + "".join(f"{f:>14}" for f in FIELDS) + "   (MB)")
    everything = 0.0
    for pid, role in [(server.process.pid, "master"),
                      *((pid, "worker") for pid in server.workers())]:
        totals, private = smaps(pid)
        everything += totals["Pss"] / 1024
        print(f"{role} {pid:<7}" + "".join(f"{totals[f] / 1024:14.1f}" for f in FIELDS))
        if role == "worker":
            print("    private by mapping: " + ", ".join(
                f"{name} {kb / 1024:.1f}" for name, kb in private.most_common(5)))
    print(f"master + workers: {everything:.1f} MB PSS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=4)
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--workers", type=int, default=WorkerModel.workers)
    parser.add_argument("--threads", type=int, default=WorkerModel.threads)
    parser.add_argument("--no-preload", dest="preload", action="store_false")
    parser.add_argument("--database", help="with --large: the database (network_bench_large)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --large: take the database as an earlier run left it")
    args = parser.parse_args()
    data = (prepare_postgres(postgres_url(args.database), True, args.reuse) if args.large
            else prepare(1, busy_forum=True))
    model = WorkerModel(args.workers, args.threads, None, args.preload)
    print(model.describe())
    with data as dataset, run_gunicorn(dataset, model) as server:
        report(server, "after start-up")
        browsers = logged_in(server, {p.role for p in PAGES})
        warm_up(browsers, PAGES, dataset.landmarks, args.passes)
        report(server, f"after logins and {args.passes} walks of every page ({len(PAGES)})")


if __name__ == "__main__":
    main()
