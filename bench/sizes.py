"""`make bench BENCH_ARGS=--large`: issue 23's main pages at the large borough's size beside
the demo's, both on PostgreSQL, and the ratio large / demo of each figure (marked past 1.5).

    python -m bench.report --large            # ~12 min: two databases made, each measured
    python -m bench.report --large --quick    # ~8 min (the data takes most of it)
    BENCH_POSTGRES_URL=postgresql+psycopg://user@host:5432/ python -m bench.report --large

The database is `network_bench_large` on the server BENCH_POSTGRES_URL names (default: the
local one, user postgres), dropped and made afresh twice: the demo borough with the busy
forum, then the same topped up to the large borough (bench.large: 10,000 people, 100,000
posts, 20,000 events...). At each size: queries per request and bytes compressed (gzip), and
the mean time in one process (bench.inprocess); then p95 with 20 users reading on gunicorn
(bench.load), each page alone for a few seconds after /healthz as the control, and each
process's memory afterwards. The ratios are what to read: absolute
times depend on the machine and its neighbours. Asserts nothing about time.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from bench import machine
from bench.load import logged_in, reading_load, warm_up
from bench.pages import HEALTHZ, Page, chosen
from bench.server import ROOT, WorkerModel, postgres_url, prepare_postgres, run_gunicorn
from bench.targets import GROWTH_MAX, MARK, judge_memory

SIZES = ("demo", "large")


@dataclass(frozen=True)
class SizeSettings:
    rounds: int  # in-process rounds of paired requests (page, /healthz)
    requests: int  # pairs per round
    warmup: int
    load_seconds: float  # 20 users reading one page, for each page


FULL = SizeSettings(rounds=3, requests=20, warmup=5, load_seconds=12)
QUICK = SizeSettings(rounds=1, requests=5, warmup=2, load_seconds=5)


def served_alone(dataset, pages: list[Page], model: WorkerModel, settings: SizeSettings,
                 users: int) -> dict:
    """On gunicorn: 20 users reading each page in turn, that page alone (a page that
    takes the workers' whole time would otherwise hold every other page's p95 up behind it;
    it still shows in its own), /healthz first as the control; then memory."""
    log = dataset.directory / "gunicorn.log"
    with run_gunicorn(dataset, model, log) as server:
        def gunicorn() -> list[int]:
            return [server.process.pid, *server.workers()]

        browsers = logged_in(server, {p.role for p in pages} | {"visitor"})
        warm_up(browsers, pages, dataset.landmarks)
        latency, errors, requests = {}, [], 0
        with machine.watch(gunicorn) as cpu:
            for page in [Page(HEALTHZ, "visitor", HEALTHZ), *pages]:
                load = reading_load(server, browsers, [page], dataset.landmarks, users,
                                    settings.load_seconds)
                latency[page.name] = load.percentiles(page.name)
                errors += load.errors
                requests += load.requests
        memory = [asdict(m) for m in server.memory()]
    return {"latency": latency, "errors": errors, "requests": requests, "memory": memory,
            "cpu": cpu}


def measure(large: bool, url: str, pages: list[Page], model: WorkerModel,
            settings: SizeSettings, args, cpu: dict) -> dict:
    from bench.report import run_inprocess

    size = SIZES[large]
    started = time.monotonic()
    with prepare_postgres(url, large) as dataset:
        made = time.monotonic() - started
        with machine.watch() as cpu[f"in-process {size}"]:
            inproc = run_inprocess(dataset, pages, settings.rounds, settings.requests,
                                   settings.warmup)
        served = served_alone(dataset, pages, model, settings, args.users)
    cpu[f"readers {size}"] = served["cpu"]
    return {"made_seconds": round(made), "landmarks": dataset.landmarks, "inprocess": inproc,
            "latency": served["latency"], "load_errors": served["errors"],
            "requests": served["requests"], "memory": served["memory"]}


def ratio(large, demo) -> float | None:
    return large / demo if large is not None and demo else None


def rows(pages: list[Page], demo: dict, large: dict) -> list[dict]:
    found = []
    for page in pages:
        figures = {}
        for size, run in (("demo", demo), ("large", large)):
            inproc = run["inprocess"]["pages"][page.name]
            figures[size] = {"queries": inproc["queries"], "gzip": inproc["bytes"].get("gzip"),
                             "mean_ms": inproc["mean_ms"], "cost": inproc["ratio"],
                             "p95": (run["latency"].get(page.name) or {}).get("p95"),
                             "path": inproc["path"]}
        ratios = {key: ratio(figures["large"][key], figures["demo"][key])
                  for key in ("queries", "gzip", "cost", "p95")}
        found.append({"name": page.name, "role": page.role, **figures, "ratios": ratios,
                      "over": [k for k, v in ratios.items() if v is not None and v > GROWTH_MAX]})
    return found


def fmt(value, spec: str, width: int, mark: bool = False) -> str:
    text = "-" if value is None else format(value, spec)
    return text.rjust(width) + (MARK if mark else " ")


def print_table(result: dict) -> None:
    print(f"\n{result['title']}")
    print(f"demo: the demo borough and the busy forum; large: {result['counts']}.\n"
          "queries per request; gzip: bytes sent compressed; cost: mean time in one process "
          f"over /healthz's; p95 in ms with {result['users']} users reading that page alone "
          f"on gunicorn; x: large / demo, marked {MARK} past {GROWTH_MAX:g}.")
    head = (f"{'page':22} {'as':6}|{'queries':>8} {'large':>5} {'x':>5} |{'gzip B':>7} "
            f"{'large':>6} {'x':>5} |{'cost':>5} {'large':>6} {'x':>5} |{'p95':>5} "
            f"{'large':>6} {'x':>5}")
    print(head)
    print("-" * len(head))
    healthz = result["healthz"]
    print(f"{'/healthz (control)':22} {'anon':6}|{'':31}|{'':20}|"
          + fmt(healthz["demo"], ".0f", 5) + fmt(healthz["large"], ".0f", 6)
          + fmt(ratio(healthz["large"], healthz["demo"]), ".2f", 5))
    for row in result["pages"]:
        demo, large, x, over = row["demo"], row["large"], row["ratios"], row["over"]
        print(f"{row['name'][:22]:22} {row['role'][:6]:6}|"
              + fmt(demo["queries"], "d", 7) + fmt(large["queries"], "d", 5)
              + fmt(x["queries"], ".2f", 5, "queries" in over) + "|"
              + fmt(demo["gzip"], "d", 6) + fmt(large["gzip"], "d", 6)
              + fmt(x["gzip"], ".2f", 5, "gzip" in over) + "|"
              + fmt(demo["cost"], ".1f", 4) + fmt(large["cost"], ".1f", 6)
              + fmt(x["cost"], ".2f", 5, "cost" in over) + "|"
              + fmt(demo["p95"], ".0f", 4) + fmt(large["p95"], ".0f", 6)
              + fmt(x["p95"], ".2f", 5, "p95" in over))
    for size in SIZES:
        memory = result["runs"][size]["memory"]
        workers = [m for m in memory if m["role"] == "worker"]
        print(f"memory after the {size} walk: workers "
              + ", ".join(f"{m['rss_mb']:.0f}" for m in workers)
              + f" MB RSS; master + {len(workers)} workers "
              f"{sum(m['pss_mb'] for m in memory):.0f} MB PSS (budget 80 MB each, 120 MB)")
    over = [f"{row['name']} ({', '.join(row['over'])})" for row in result["pages"]
            if row["over"]]
    print(f"\npast {GROWTH_MAX:g}x: " + ("; ".join(over) if over else "none"))
    about = result["machine"]
    print(f"data made in {result['runs']['demo']['made_seconds']} s (demo) and "
          f"{result['runs']['large']['made_seconds']} s (large); load average "
          f"{about['loadavg_before']} -> {about['loadavg_after']} on {about['cpus']} cores; "
          "CPU other processes took, in cores: "
          + ", ".join(f"{phase} {figures['cores_others']:.2f}"
                      for phase, figures in about["cpu_of_others"].items()))
    errors = result["errors"]
    if errors:
        print("errors: " + "; ".join(errors[:10]))


def main(args, model: WorkerModel, version: dict) -> dict:
    settings = QUICK if args.quick else FULL
    if args.load_seconds:
        settings = SizeSettings(settings.rounds, settings.requests, settings.warmup,
                                args.load_seconds)
    pages = chosen(args.pages or "large")
    url = postgres_url(args.database)
    started, loadavg = time.monotonic(), os.getloadavg()
    cpu: dict[str, dict] = {}
    runs = {size: measure(size == "large", url, pages, model, settings, args, cpu)
            for size in SIZES}
    from bench.large import BOOKINGS, EVENTS, LISTINGS, PEOPLE, POSTS, REPORTS, THREADS
    result = {
        "title": f"network bench, the large borough, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
                 f"git {version['sha']}{'+changes' if version['dirty'] else ''}, "
                 f"{model.describe()}, PostgreSQL, {'quick' if args.quick else 'full'} run",
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "git": version,
        "counts": f"{PEOPLE:,} people, {POSTS:,} posts in {THREADS:,} threads, {EVENTS:,} "
                  f"events, {LISTINGS:,} listings, {BOOKINGS:,} bookings, {REPORTS:,} reports",
        "users": args.users, "settings": asdict(settings) | {"model": model.describe()},
        "machine": {"cpus": os.cpu_count(), "loadavg_before": [round(x, 2) for x in loadavg],
                    "loadavg_after": [round(x, 2) for x in os.getloadavg()],
                    "cpu_of_others": cpu},
        "healthz": {size: (runs[size]["latency"][HEALTHZ] or {}).get("p95") for size in SIZES},
        "pages": rows(pages, runs["demo"], runs["large"]),
        "runs": runs,
        "memory_misses": [asdict(m) for size in SIZES
                          for m in judge_memory(runs[size]["memory"], size)],
        "errors": [f"{size}: {e}" for size in SIZES for e in runs[size]["load_errors"]],
        "took_seconds": round(time.monotonic() - started),
    }
    print_table(result)
    return result


def results_path(version: dict):
    return ROOT / "bench" / "results" / (
        f"{datetime.now(UTC):%Y-%m-%dT%H%M}-{version['sha']}-large"
        f"{'-changes' if version['dirty'] else ''}.json")
